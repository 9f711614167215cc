# SPDX-License-Identifier: GPL-2.0
#
# vmview: top-level build.  See README.md.
#
#   make                  build module/vmview.ko (for KDIR) and vmview-cli
#   make check            every test: host unit tests, then the kselftests in
#                         QEMU guests (6.1 4-level, 6.12 5-level, 6.12 4-level)
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
K61 = $(shell scripts/kernels.sh 6.1)
K612 = $(shell scripts/kernels.sh 6.12)

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

# One copy of the module sources a kernel, so the two builds never share
# object files: build/kmod/VERSION/module/vmview.ko.
modules-all: deps-test
	@for v in $(K61) $(K612); do \
		d=$(BUILD)/kmod/$$v; rm -rf $$d; mkdir -p $$d; \
		cp -r Kbuild module include $$d/; \
		find $$d \( -name '*.o' -o -name '*.ko' -o -name '.*.cmd' -o -name '*.mod*' \) -delete; \
		$(MAKE) -C /usr/src/linux-headers-$$v M=$$d W=1 modules || exit 1; \
	done

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
