// SPDX-License-Identifier: GPL-2.0
/*
 * vmview-cli: show a process's virtual memory through the vmview module.
 *
 * main.c owns the command line: global options (-j, -p, --symbolize,
 * --root, --color, -n, -h, -V), the few per-command options, and the
 * command table ({name, func}, any unique prefix matches, as bpftool's).
 * A bare PID means "summary PID".  Each command lives in cmd_NAME.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmview-cli.h"

struct vmv_opts vmv_opts = { .root = "", .interval_ms = 200, .rounds = 1 };

/* Per-command options, as bits of struct cmd.opts. */
#define O_RANGE		(1U << 0)
#define O_KIND		(1U << 1)
#define O_FOLLOW	(1U << 2)
#define O_INTERVAL	(1U << 3)
#define O_OUTPUT	(1U << 4)
#define O_FILE		(1U << 5)
#define O_SCENARIO	(1U << 6)
#define O_ROUNDS	(1U << 7)
#define O_QUICK		(1U << 8)
#define O_PROMETHEUS	(1U << 9)
#define O_LAST		O_PROMETHEUS

static int cmd_help(int argc, char **argv);

static const struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
	unsigned int opts;
	const char *args;
	const char *help;
} cmds[] = {
	{ "summary", vmv_cmd_summary, 0, "PID",
	  "paging, page tables, RSS, swap, THP, VMAs" },
	{ "maps", vmv_cmd_maps, O_OUTPUT, "PID [-o COLUMNS]",
	  "the VMAs: resident, swapped, huge pages" },
	{ "ptes", vmv_cmd_ptes, O_RANGE | O_KIND,
	  "PID [--range A-B] [--kind KIND]",
	  "the page-table leaf entries, decoded" },
	{ "translate", vmv_cmd_translate, 0, "PID ADDR",
	  "walk one address from CR3 to the frame" },
	{ "map", vmv_cmd_map, 0, "PID",
	  "a one-screen picture of the address space" },
	{ "verify", vmv_cmd_verify, O_RANGE, "PID [--range A-B]",
	  "the walk against the shadow page table" },
	{ "events", vmv_cmd_events, O_FOLLOW | O_INTERVAL,
	  "PID [--follow [--interval MS]]",
	  "the MMU-notifier invalidations" },
	{ "faults", vmv_cmd_faults, O_FILE | O_SCENARIO,
	  "[--file FILE] [--scenario N,...]",
	  "make page faults happen and show them" },
	{ "latency", vmv_cmd_latency, O_QUICK | O_FILE,
	  "[--quick] [--file FILE]",
	  "the textbook's latencies, measured here" },
	{ "wss", vmv_cmd_wss, O_INTERVAL | O_ROUNDS,
	  "PID --interval S [--rounds N]",
	  "the working set, by the accessed bits" },
	{ "reclaim", vmv_cmd_reclaim, O_ROUNDS, "[--rounds N]",
	  "the clock: hot pages kept, cold ones swapped" },
	{ "watch", vmv_cmd_watch, O_RANGE | O_INTERVAL,
	  "PID [--range A-B] [--interval S]",
	  "a live full-screen view: map, counts, events" },
	{ "export", vmv_cmd_export, O_PROMETHEUS | O_OUTPUT,
	  "--prometheus [PID...] [--output FILE]",
	  "figures of processes for Prometheus" },
	{ "help", cmd_help, 0, "[COMMAND]",
	  "this text, or one command's" },
};

/* Run by faults in the process it starts; never matched by a prefix. */
static const struct cmd target_cmd = {
	"__target", vmv_cmd_target, 0, "", ""
};

enum {
	OPT_SYMBOLIZE = 256,
	OPT_ROOT,
	OPT_COLOR,
	OPT_RANGE,
	OPT_KIND,
	OPT_INTERVAL,
	OPT_FILE,
	OPT_SCENARIO,
	OPT_ROUNDS,
	OPT_QUICK,
	OPT_PROMETHEUS,
};

static const struct option long_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "pretty",	no_argument,		NULL, 'p' },
	{ "symbolize",	no_argument,		NULL, OPT_SYMBOLIZE },
	{ "noheadings",	no_argument,		NULL, 'n' },
	{ "color",	required_argument,	NULL, OPT_COLOR },
	{ "root",	required_argument,	NULL, OPT_ROOT },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ "range",	required_argument,	NULL, OPT_RANGE },
	{ "kind",	required_argument,	NULL, OPT_KIND },
	{ "follow",	no_argument,		NULL, 'f' },
	{ "interval",	required_argument,	NULL, OPT_INTERVAL },
	{ "output",	required_argument,	NULL, 'o' },
	{ "file",	required_argument,	NULL, OPT_FILE },
	{ "scenario",	required_argument,	NULL, OPT_SCENARIO },
	{ "rounds",	required_argument,	NULL, OPT_ROUNDS },
	{ "quick",	no_argument,		NULL, OPT_QUICK },
	{ "prometheus",	no_argument,		NULL, OPT_PROMETHEUS },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
		"Usage: vmview-cli [OPTIONS] COMMAND [ARGS]\n"
		"       vmview-cli [OPTIONS] PID      (the same as: summary PID)\n"
		"\n"
		"Show a process's virtual memory through the vmview kernel module.\n"
		"\n"
		"Commands (any unique prefix will do):\n");
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		int n = fprintf(f, "  %s %s", cmds[i].name, cmds[i].args);

		if (n > 30)
			fprintf(f, "\n%32s", "");
		else
			fprintf(f, "%*s", 32 - n, "");
		fprintf(f, "%s\n", cmds[i].help);
	}
	fprintf(f,
		"\n"
		"Options:\n"
		"  -j, --json          JSON output, errors included\n"
		"  -p, --pretty        indented JSON (implies --json)\n"
		"      --symbolize     ELF section and symbol of file-backed pages\n"
		"  -n, --noheadings    no header line over tables\n"
		"      --color WHEN    auto (a terminal, no NO_COLOR), always, never\n"
		"      --root DIR      read DIR/proc and DIR/sys (also $VMVIEW_ROOT)\n"
		"  -h, --help          this help; after a command, that command's\n"
		"  -V, --version       print the version\n"
		"\n"
		"Needs root and the vmview module.  Exit codes and the JSON schema:\n"
		"man vmview-cli.\n");
}

static const char * const cmd_details[] = {
	"summary", "The paging mode, the page-table pages per level and what\n"
		"the kernel counts for them, RSS by kind, swap and THP, then one\n"
		"row a VMA.  'vmview-cli PID' does the same.\n",
	"maps", "  -o, --output COLUMNS  pick columns, comma-separated, from:\n"
		"      START END SIZE PERM OFFSET DEV INODE RSS SWAP THP FLAGS NAME\n"
		"      (default START,END,SIZE,PERM,RSS,SWAP,THP,NAME)\n",
	"ptes", "  --range A-B   only entries mapping addresses from A to B (hex)\n"
		"  --kind KIND   only entries of this kind: present, protnone, swap,\n"
		"                migration, device-private, device-exclusive,\n"
		"                hwpoison, marker\n"
		"  --symbolize   add the ELF section and symbol of file pages\n"
		"FLAGS letters: p present (n protnone), w rw, u user, a accessed,\n"
		"d dirty, h huge leaf, x executable, s soft-dirty, g global,\n"
		"e exclusive.  On arm64: w dbm (or valid, not rdonly), a af,\n"
		"h block, x uxn clear, c cont in place of s, g ng clear; the\n"
		"memory type (MT) follows.\n",
	"translate", "ADDR is 0x-hex or decimal.  Shows the index used at each\n"
		"level, each entry, the leaf's flags and the physical address.\n",
	"map", "A bar a VMA (or a region of a large one): H huge, # mostly\n"
		"resident, + partly resident, 0 zero page, S/s swapped, . nothing.\n",
	"verify", "  --range A-B   check only from A to B (hex); exits 1 on any\n"
		"                mismatch.\n",
	"events", "  -f, --follow      keep printing new events until interrupted\n"
		"                    or the process exits\n"
		"      --interval MS polling period for --follow (default 200)\n",
	"faults", "  --file FILE       a file (or block device) whose pages can be\n"
		"                    dropped from the page cache, for scenario 4\n"
		"  --scenario N,...  run only these scenarios (1-7)\n"
		"Exits 1 when any scenario FAILED.\n",
	"latency", "Measures here, each many times (median and p10..p90): a load\n"
		"from L1, random loads over a region larger than the last-level\n"
		"cache on 2M and on 4K pages, minor, zero-page and COW faults,\n"
		"major faults from swap and from a file, a context switch and a\n"
		"system call; each next to the textbook's figure, checked by the\n"
		"fault counters and (module loaded) vmview's ptes.  Then the TLB.\n"
		"  --quick       fewer repetitions (emulators)\n"
		"  --file FILE   a file (or block device) whose pages can be\n"
		"                dropped from the page cache, for the file row\n",
	"wss", "Clears the accessed bits (writes 1 to /proc/PID/clear_refs),\n"
		"waits S seconds, counts the pages whose accessed bit is set\n"
		"again, per VMA and in all; N rounds (default 1).  Clearing\n"
		"the bits makes reclaim see those pages as unreferenced, and\n"
		"flushes no TLB: a page used only through a cached translation\n"
		"is not counted.\n"
		"  --interval S   seconds to wait, 0.01 to 3600 (decimals allowed)\n"
		"  --rounds N     rounds, 1 to 1000\n",
	"reclaim", "Starts a child in a memory cgroup of its own (cgroup v2,\n"
		"memory.max) with swap (zram, set up if no swap is active), that\n"
		"keeps touching a hot set of pages and leaves a cold set idle;\n"
		"with MGLRU, ages the cgroup twice first; lowers memory.max\n"
		"round by round and shows each set's accessed bits,\n"
		"active/referenced page flags, MGLRU generations (gen=), which\n"
		"pages became swap entries and which were read back from swap.\n"
		"Needs root and the module; undoes all it set up.  Exits 1 when\n"
		"fewer than 90% of the evicted pages (swapped or read back) were\n"
		"cold.\n"
		"  --rounds N     pressure rounds, 1 to 1000 (default 4)\n",
	"watch", "A full-screen view on the terminal, redrawn every S seconds\n"
		"and as soon as PID/events has a new event: summary's counts,\n"
		"map's picture (its bar as wide as the window leaves) and the\n"
		"latest events.  q or Ctrl-C quits (exit 0); any other key\n"
		"redraws now.  Ends by itself when the process exits (exit 0)\n"
		"or the module is unloaded (exit 4), saying so.  Standard input\n"
		"and output must be a terminal; there is no JSON form.\n"
		"  --range A-B    only the VMAs, pages and events of A to B (hex)\n"
		"  --interval S   seconds between redraws, 0.1 to 3600 (default 1)\n",
	"export", "Page tables, resident pages, huge pages, swap and verify's\n"
		"mismatches of each process, as Prometheus gauges labelled by pid\n"
		"and comm, in the text format of node_exporter's textfile\n"
		"collector.  No PID: every process vmview tracks now; PIDs\n"
		"named are tracked for the export and untracked after it.\n"
		"  --prometheus      the format (the only one)\n"
		"  -o, --output FILE write FILE atomically (a temporary file\n"
		"                    beside it, fsync, rename) instead of stdout\n"
		"Metrics: man vmview-cli, EXPORT.\n",
	"help", "",
};

static int cmd_help(int argc, char **argv)
{
	size_t i, j;

	if (argc < 1) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strcmp(cmds[i].name, argv[0]))
			continue;
		printf("Usage: vmview-cli [OPTIONS] %s %s\n\n%c%s.\n",
		       cmds[i].name, cmds[i].args, cmds[i].help[0] - 32,
		       cmds[i].help + 1);
		for (j = 0; j < ARRAY_SIZE(cmd_details); j += 2)
			if (!strcmp(cmd_details[j], cmds[i].name) &&
			    *cmd_details[j + 1])
				printf("\n%s", cmd_details[j + 1]);
		return 0;
	}
	return vmv_err(VMV_EXIT_USAGE,
		       "no command '%s': see 'vmview-cli --help'", argv[0]);
}

/* Exact name, else the one command the word is a prefix of. */
static const struct cmd *find_cmd(const char *word)
{
	const struct cmd *found = NULL;
	char names[128] = "";
	size_t i, n = 0;

	if (!strcmp(word, target_cmd.name))
		return &target_cmd;
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, word))
			return &cmds[i];
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		if (strncmp(cmds[i].name, word, strlen(word)))
			continue;
		found = &cmds[i];
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 "%s%s", n++ ? ", " : "", cmds[i].name);
	}
	if (n == 1)
		return found;
	if (n > 1)
		vmv_err(VMV_EXIT_USAGE,
			"'%s' is ambiguous (%s): type more of the command",
			word, names);
	else
		vmv_err(VMV_EXIT_USAGE,
			"unknown command '%s': see 'vmview-cli --help'", word);
	return NULL;
}

static bool is_pid_word(const char *s)
{
	return *s && strspn(s, "0123456789") == strlen(s);
}

static const char *opt_name(unsigned int bit)
{
	switch (bit) {
	case O_RANGE: return "--range";
	case O_KIND: return "--kind";
	case O_FOLLOW: return "--follow";
	case O_INTERVAL: return "--interval";
	case O_OUTPUT: return "--output";
	case O_FILE: return "--file";
	case O_ROUNDS: return "--rounds";
	case O_QUICK: return "--quick";
	case O_PROMETHEUS: return "--prometheus";
	default: return "--scenario";
	}
}

/* The per-command options that take a string: where it goes, its bit. */
static const struct {
	int opt;
	const char **where;
	unsigned int bit;
} str_opts[] = {
	{ OPT_RANGE, &vmv_opts.range, O_RANGE },
	{ OPT_KIND, &vmv_opts.kind, O_KIND },
	{ 'o', &vmv_opts.output, O_OUTPUT },
	{ OPT_FILE, &vmv_opts.file, O_FILE },
	{ OPT_SCENARIO, &vmv_opts.only, O_SCENARIO },
};

static bool set_str_opt(int c, unsigned int *given)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(str_opts); i++) {
		if (str_opts[i].opt == c) {
			*str_opts[i].where = optarg;
			*given |= str_opts[i].bit;
			return true;
		}
	}
	return false;
}

static bool want_color(const char *when)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (!strcmp(when, "always"))
		return true;
	if (!strcmp(when, "never"))
		return false;
	return isatty(STDOUT_FILENO) && !(nc && *nc) &&
	       !(term && !strcmp(term, "dumb"));
}

/*
 * --interval is milliseconds for events, seconds (decimals allowed) for
 * wss and watch (at least 0.1 for watch: each redraw reads every leaf
 * entry); --rounds a count for wss.
 */
static int interval_rounds(const struct cmd *cmd, const char *interval,
			   const char *rounds)
{
	bool watch = cmd->func == vmv_cmd_watch;
	double s, min = watch ? 0.1 : 0.01;
	unsigned long n;
	char *end;

	if (interval && (cmd->func == vmv_cmd_wss || watch)) {
		errno = 0;
		s = strtod(interval, &end);
		if (*end || !*interval || errno || !(s >= min && s <= 3600) ||
		    !strchr("0123456789.", *interval))
			return vmv_err(VMV_EXIT_USAGE,
				       "--interval takes seconds from %g to 3600, not '%s'",
				       min, interval);
		vmv_opts.interval_s = s;
	} else if (interval) {
		errno = 0;
		n = strtoul(interval, &end, 10);
		if (*end || !*interval || errno || *interval == '-' ||
		    n < 10 || n > 60000)
			return vmv_err(VMV_EXIT_USAGE,
				       "--interval takes milliseconds from 10 to 60000, not '%s'",
				       interval);
		vmv_opts.interval_ms = n;
	}
	if (rounds) {
		errno = 0;
		n = strtoul(rounds, &end, 10);
		if (*end || !*rounds || errno || *rounds == '-' || n < 1 ||
		    n > 1000)
			return vmv_err(VMV_EXIT_USAGE,
				       "--rounds takes a count from 1 to 1000, not '%s'",
				       rounds);
		vmv_opts.rounds = n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *color = "auto", *env = getenv("VMVIEW_ROOT");
	unsigned int given = 0, bit;
	bool help = false, version = false;
	const char *interval = NULL, *rounds = NULL;
	const struct cmd *cmd;
	int c, ret;

	if (env)
		vmv_opts.root = env;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "jpnhVfo:", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'j':
			vmv_opts.json = true;
			break;
		case 'p':
			vmv_opts.json = vmv_opts.pretty = true;
			break;
		case 'n':
			vmv_opts.noheadings = true;
			break;
		case 'h':
			help = true;
			break;
		case 'V':
			version = true;
			break;
		case OPT_SYMBOLIZE:
			vmv_opts.symbolize = true;
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never"))
				return vmv_err(VMV_EXIT_USAGE,
					       "--color takes auto, always or never, not '%s'",
					       optarg);
			color = optarg;
			break;
		case OPT_ROOT:
			vmv_opts.root = optarg;
			break;
		case 'f':
			vmv_opts.follow = true;
			given |= O_FOLLOW;
			break;
		case OPT_INTERVAL:	/* read once the command is known */
			interval = optarg;
			given |= O_INTERVAL;
			break;
		case OPT_ROUNDS:
			rounds = optarg;
			given |= O_ROUNDS;
			vmv_opts.rounds_given = true;
			break;
		case OPT_QUICK:
			vmv_opts.quick = true;
			given |= O_QUICK;
			break;
		case OPT_PROMETHEUS:
			vmv_opts.prometheus = true;
			given |= O_PROMETHEUS;
			break;
		default:
			if (set_str_opt(c, &given))
				break;
			if (optopt && optopt < 256)
				return vmv_err(VMV_EXIT_USAGE,
					       "%s -%c: see 'vmview-cli --help'",
					       strchr("o", optopt) ?
					       "missing argument for" :
					       "unknown option", optopt);
			return vmv_err(VMV_EXIT_USAGE,
				       "unknown option or missing argument: '%s'; see 'vmview-cli --help'",
				       argv[optind - 1]);
		}
	}
	vmv_opts.color = !vmv_opts.json && want_color(color);

	if (version) {
		if (vmv_opts.json) {
			struct json_object *o = json_object_new_object();

			vmv_json_add_str(o, "version", VMV_CLI_VERSION);
			vmv_json_print(o);
			json_object_put(o);
		} else {
			printf("vmview-cli %s\n", VMV_CLI_VERSION);
		}
		return 0;
	}
	if (optind >= argc) {
		if (help) {
			usage(stdout);
			return 0;
		}
		usage(stderr);
		return VMV_EXIT_USAGE;
	}

	if (is_pid_word(argv[optind])) {
		cmd = &cmds[0];
		optind--;	/* the PID is summary's argument */
		argv[optind] = (char *)"summary";
	} else {
		cmd = find_cmd(argv[optind]);
		if (!cmd)
			return VMV_EXIT_USAGE;
	}
	if (help)
		return cmd_help(1, (char *[]){ (char *)cmd->name, NULL });
	for (bit = 1; bit <= O_LAST; bit <<= 1)
		if ((given & bit) && !(cmd->opts & bit))
			return vmv_err(VMV_EXIT_USAGE,
				       "%s does not apply to '%s': see 'vmview-cli help %s'",
				       opt_name(bit), cmd->name, cmd->name);
	ret = interval_rounds(cmd, interval, rounds);
	if (ret)
		return ret;

	if (cmd != &target_cmd)
		vmv_track_signals();
	ret = cmd->func(argc - optind - 1, argv + optind + 1);
	vmv_symbolize_cleanup();
	fflush(stdout);
	return ret;
}
