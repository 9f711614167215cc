# SPDX-License-Identifier: GPL-2.0
#
# vmview: top-level build.  See README.md.
#
#   make                  build module/vmview.ko (for KDIR) and vmview-cli
#   make check            every test: host unit tests, then the kselftests in
#                         QEMU guests (every test row of guests.table)
#   make demo             boot a guest, load vmview and show it at work
#   make modules-all      build the module against both Debian kernels (W=1)
#   make KDIR=/path/to/headers   build for any kernel

KVER ?= $(shell uname -r)
ifeq ($(wildcard /lib/modules/$(KVER)/build),)
KDIR ?= $(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64)))
else
KDIR ?= /lib/modules/$(KVER)/build
endif

BUILD := $(CURDIR)/build

.PHONY: all module cli deps deps-test modules-all selftests host-tests \
	check demo clean ksrc

all: module cli

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

module: deps
	@test -d "$(KDIR)" || { echo "make: no kernel headers (KDIR=$(KDIR)); install linux-headers-$$(uname -r) or pass KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

cli: deps
	$(MAKE) -C tools/vmview-cli

# One copy of the module sources a kernel of guests.table's test guests, so
# builds never share object files: build/kmod/VERSION/module/vmview.ko.
modules-all: deps-test
	@scripts/modules.sh W=1 >/dev/null

# kselftest_harness.h, kselftest.h and checkpatch.pl, taken from Debian's
# linux-source-6.1 at build time.
KSRC_STAMP := $(BUILD)/ksrc/.stamp
ksrc: $(KSRC_STAMP)
$(KSRC_STAMP):
	@scripts/deps.sh test
	@mkdir -p $(BUILD)/ksrc
	tar -xJf /usr/src/linux-source-6.1.tar.xz -C $(BUILD)/ksrc --strip-components=1 \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	@touch $@

selftests: ksrc
	$(MAKE) -C selftests OUTPUT=$(BUILD)/selftests KSFT=$(BUILD)/ksrc/tools/testing/selftests

host-tests: deps
	$(MAKE) -C tests

check:
	@scripts/check.sh

demo:
	@scripts/demo.sh

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C tools/vmview-cli clean
	$(MAKE) -C tests clean
	rm -rf $(BUILD)

# The shadow table's fuzzer, for FUZZ_TIME seconds (default 600).
.PHONY: fuzz
fuzz: deps-test
	$(MAKE) -C tests fuzz

# --- Installing, DKMS, the Debian package and the documentation -----------
#
#   make install          vmview-cli and its man page (section 8) under PREFIX
#                         (default /usr/local); DESTDIR is honoured
#   make uninstall        removes what install put there
#   make dkms-install     copies the module source to /usr/src/vmview-VERSION
#                         and runs dkms add, build and install for KVER (the
#                         running kernel unless given); with DESTDIR set it
#                         only copies (for packaging)
#   make dkms-uninstall   dkms remove --all, then removes the source copy
#   make dkms-check       scripts/dkms-test.sh: dkms builds for the kernel of
#                         every test guest of guests.table (5.10 and 7.x in
#                         their build roots' own dkms), each module then
#                         loaded in a QEMU guest
#   make deb              vmview-dkms and vmview-cli .debs in build/deb/,
#                         checked with lintian
#   make docs             Documentation/ with Sphinx into build/docs/html
#                         (warnings are errors)
# These install their own tools with `scripts/deps.sh pkg`.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DKMS ?= dkms
SPHINXBUILD ?= sphinx-build
RST2MAN ?= rst2man

VMVIEW_VERSION := $(shell sed -n 's/^\#define VMVIEW_VERSION "\(.*\)"/\1/p' module/vmview.h)
DKMS_CONF_VERSION := $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' dkms.conf)
DKMS_SRC := /usr/src/vmview-$(VMVIEW_VERSION)
# What DKMS needs to build the module, and nothing else.
DKMS_FILES := Kbuild dkms.conf guests.table module/Kbuild module/supported.awk \
	$(filter-out %.mod.c,$(sort $(wildcard module/*.c module/*.h module/arch/*/*.c module/arch/*/*.h))) \
	$(sort $(shell find include -name '*.h'))
CLI_RST := Documentation/vmview-cli.rst
CLI_MAN := $(BUILD)/man/vmview-cli.8

.PHONY: install uninstall dkms-install dkms-uninstall dkms-check deb docs

# Fails when dkms.conf and module/vmview.h disagree on the version.
define vmview_version_check
	@test -n "$(VMVIEW_VERSION)" && test "$(VMVIEW_VERSION)" = "$(DKMS_CONF_VERSION)" || \
		{ echo "make: dkms.conf PACKAGE_VERSION=\"$(DKMS_CONF_VERSION)\" differs from VMVIEW_VERSION \"$(VMVIEW_VERSION)\" in module/vmview.h; make them equal" >&2; exit 1; }
endef

$(CLI_MAN): $(wildcard $(CLI_RST))
	@test -f $(CLI_RST) || { echo "make: $(CLI_RST) does not exist yet (the CLI's man page source); nothing to render" >&2; exit 1; }
	@mkdir -p $(dir $@)
	$(RST2MAN) --halt=warning $(CLI_RST) $@.tmp
	@# installed in man8, whatever section the page names
	sed -i '/^\.TH /s/^\(\.TH "\{0,1\}[^ "]*"\{0,1\}\) "\{0,1\}[0-9a-z]*"\{0,1\}/\1 "8"/' $@.tmp
	@mv $@.tmp $@

install:
	@scripts/deps.sh pkg
	@test -f $(CLI_RST) || { echo "make: $(CLI_RST) does not exist yet (the CLI's man page source); cannot install the man page" >&2; exit 1; }
	$(MAKE) cli $(CLI_MAN)
	install -D -m 0755 tools/vmview-cli/vmview-cli $(DESTDIR)$(BINDIR)/vmview-cli
	install -D -m 0644 $(CLI_MAN) $(DESTDIR)$(MANDIR)/man8/vmview-cli.8

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vmview-cli $(DESTDIR)$(MANDIR)/man8/vmview-cli.8

dkms-install:
	$(vmview_version_check)
	@if [ -z "$(DESTDIR)" ]; then scripts/deps.sh pkg; fi
	@if [ -z "$(DESTDIR)" ] && $(DKMS) status -m vmview -v $(VMVIEW_VERSION) | grep -q .; then \
		echo "$(DKMS) remove vmview/$(VMVIEW_VERSION) --all"; \
		$(DKMS) remove vmview/$(VMVIEW_VERSION) --all; \
	fi
	rm -rf $(DESTDIR)$(DKMS_SRC)
	@for f in $(DKMS_FILES); do \
		install -D -m 0644 $$f $(DESTDIR)$(DKMS_SRC)/$$f || exit 1; \
	done
	@echo "  installed $(words $(DKMS_FILES)) files in $(DESTDIR)$(DKMS_SRC)"
	@if [ -z "$(DESTDIR)" ]; then \
		set -e; \
		echo "$(DKMS) add vmview/$(VMVIEW_VERSION)"; \
		$(DKMS) add vmview/$(VMVIEW_VERSION); \
		echo "$(DKMS) build vmview/$(VMVIEW_VERSION) -k $(KVER)"; \
		rc=0; $(DKMS) build vmview/$(VMVIEW_VERSION) -k $(KVER) || rc=$$?; \
		if [ $$rc = 77 ]; then \
			echo "make: vmview supports the kernels of guests.table (dkms.conf BUILD_EXCLUSIVE_KERNEL), not $(KVER); see Documentation/vmview.rst, Supported kernels; the source stays added for DKMS" >&2; \
			exit 1; \
		fi; \
		[ $$rc = 0 ]; \
		echo "$(DKMS) install vmview/$(VMVIEW_VERSION) -k $(KVER)"; \
		$(DKMS) install vmview/$(VMVIEW_VERSION) -k $(KVER); \
	fi

dkms-uninstall:
	@if command -v $(DKMS) >/dev/null && $(DKMS) status -m vmview -v $(VMVIEW_VERSION) | grep -q .; then \
		echo "$(DKMS) remove vmview/$(VMVIEW_VERSION) --all"; \
		$(DKMS) remove vmview/$(VMVIEW_VERSION) --all; \
	fi
	rm -rf $(DESTDIR)$(DKMS_SRC)

dkms-check:
	$(vmview_version_check)
	@scripts/dkms-test.sh

# Built from a copy of the tree (what git tracks, plus new files it does
# not ignore), so the work tree stays clean.
DEB_DIR := $(BUILD)/deb
DEB_SRC := $(DEB_DIR)/src/vmview-$(VMVIEW_VERSION)
deb:
	$(vmview_version_check)
	@test -f $(CLI_RST) || { echo "make: $(CLI_RST) does not exist yet (the CLI's man page source, packaged in vmview-cli); cannot build the packages" >&2; exit 1; }
	@scripts/deps.sh pkg
	@v=$$(dpkg-parsechangelog -l debian/changelog -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog); \
	test "$${v%%-*}" = "$(VMVIEW_VERSION)" || \
		{ echo "make: debian/changelog version $$v does not match VMVIEW_VERSION $(VMVIEW_VERSION); add a changelog entry (dch -v $(VMVIEW_VERSION))" >&2; exit 1; }
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_SRC)
	@if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
		git ls-files -z --cached --others --exclude-standard | \
		grep -z -v '^build/' | \
		xargs -0 sh -c 'for f; do [ ! -e "$$f" ] || printf "%s\0" "$$f"; done' sh | \
		tar --null -T - -cf -; \
	else \
		tar --exclude=./build --exclude-vcs --exclude-vcs-ignores -cf - .; \
	fi | tar -xf - -C $(DEB_SRC)
	@echo "  copied the tree to $(DEB_SRC)"
	cd $(DEB_SRC) && dpkg-buildpackage -us -uc -b
	mv $(DEB_DIR)/src/*.deb $(DEB_DIR)/src/*.changes $(DEB_DIR)/src/*.buildinfo $(DEB_DIR)/
	@ls -l $(DEB_DIR)/*.deb
	lintian --fail-on error $(DEB_DIR)/*.deb

docs:
	@scripts/deps.sh pkg
	rm -rf $(BUILD)/docs
	$(SPHINXBUILD) -W --keep-going -q -b html -d $(BUILD)/docs/doctrees Documentation $(BUILD)/docs/html
	@echo "  docs: $(BUILD)/docs/html/index.html"

# Time vmview against /proc/PID/pagemap in a 6.12 guest; see
# Documentation/bench.rst.  Results in build/bench/.
.PHONY: bench
bench: deps-test modules-all cli
	scripts/bench.sh

# --- Stress and the debug kernel (issue 6) ----------------------------------
#
#   make stress           vmview_stress alone in each guest for DURATION
#                         seconds (default 300; `make check` runs it for 60);
#                         GUESTS="g612-5l" picks guests; logs in build/stress/
#   make check-debug      scripts/debug-kernel.sh check: builds once (cached
#                         in build/debug-kernel/) a 6.1 kernel with KASAN,
#                         lockdep, DEBUG_VM and kmemleak, boots it, runs the
#                         kselftests (stress for DURATION, default 120 s) and
#                         a kmemleak scan after rmmod; not part of `make check`

DURATION ?= 300
STRESS_GUESTS = $(or $(GUESTS),$(shell awk '!/^[ \t]*(\#|$$)/ && $$11 == "test" { print $$1 }' guests.table))

.PHONY: stress check-debug

# The duration reaches the guest as VMVIEW_STRESS_SECONDS in its run.sh.
# The module is built in build/stress/kmod/ (make check owns build/kmod/).
stress: deps-test selftests
	@case "$(DURATION)" in ''|*[!0-9]*) echo "make: DURATION=$(DURATION) is not a number of seconds" >&2; exit 2 ;; esac
	@rm -rf $(BUILD)/stress/kmod
	@scripts/modules.sh -o $(BUILD)/stress/kmod >/dev/null || exit 1
	@fail=0; for g in $(STRESS_GUESTS); do \
		k=$$(scripts/guests.sh kver $$g) && l=$$(scripts/guests.sh levels $$g) && \
		p=$$(scripts/guest-progs.sh $$(scripts/guests.sh arch $$g)) || exit 2; \
		d=$(BUILD)/stress/$$g; rm -rf $$d; mkdir -p $$d/payload/selftests; \
		cp $(BUILD)/stress/kmod/$$k/module/vmview.ko $$d/payload/ && \
		cp $$p/selftests/vmview_stress $$d/payload/selftests/ || exit 1; \
		{ echo "export VMVIEW_EXPECT_LEVELS=$$l VMVIEW_GUEST=$$g"; \
		  echo "export VMVIEW_STRESS_SECONDS=$(DURATION) VMVIEW_ONLY=vmview_stress"; \
		  cat scripts/guest-run.sh; } >$$d/payload/run.sh; \
		echo "# stress: $$g ($$k, $$l-level) for $(DURATION) s; log: build/stress/$$g.log"; \
		scripts/vm.sh -g $$g -p $$d/payload -o $$d \
			-t $$(( $(DURATION) + 900 )) >$(BUILD)/stress/$$g.log 2>&1 || fail=1; \
		grep -E '^(not )?ok |^# stress:|^# vmview_stress' $(BUILD)/stress/$$g.log; \
	done; \
	if [ $$fail = 0 ]; then echo "stress: passed"; else echo "stress: FAILED"; fi; \
	exit $$fail

check-debug:
	@DURATION=$(if $(filter command line environment,$(origin DURATION)),$(DURATION),120) \
		scripts/debug-kernel.sh check
