/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A very small unit-test runner for vmview's host tests.
 *
 * Tests register themselves with UNIT_TEST(name) { ... } and check with
 * EXPECT*() (record a failure, carry on) or ASSERT*() (record and leave
 * the test); UNIT_SKIP(why) leaves a test that cannot run here.  main()
 * comes from UNIT_MAIN() (or UNIT_MAIN_AFTER(fn), which calls fn after
 * each test, to clean up what a failed test left) and prints TAP:
 *   ok 3 decode_swap_entry
 *   not ok 4 decode_pmd_leaf
 *   ok 5 watch_in_tmux # SKIP no tmux
 * exiting 1 when any test failed.  An argument runs only the tests whose
 * names contain it.
 */
#ifndef VMVIEW_UNIT_H
#define VMVIEW_UNIT_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cheap reproducible random stream (Marsaglia's xorshift64). */
static inline uint64_t unit_xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct unit_test {
	const char *name;
	void (*fn)(void);
};

#define UNIT_MAX_TESTS 512
extern struct unit_test unit_tests[UNIT_MAX_TESTS];
extern int unit_nr_tests;
extern int unit_failed_now;

static inline void unit_register(const char *name, void (*fn)(void))
{
	if (unit_nr_tests < UNIT_MAX_TESTS) {
		unit_tests[unit_nr_tests].name = name;
		unit_tests[unit_nr_tests].fn = fn;
		unit_nr_tests++;
	}
}

#define UNIT_TEST(fn)							\
	static void fn(void);						\
	__attribute__((constructor)) static void unit_reg_##fn(void)	\
	{								\
		unit_register(#fn, fn);					\
	}								\
	static void fn(void)

/*
 * Leave the test, reported as skipped ("ok N name # SKIP why") unless
 * it failed already: for what this machine cannot run.
 */
extern char unit_skip_why[256];
#define UNIT_SKIP(...)							\
	do {								\
		snprintf(unit_skip_why, sizeof(unit_skip_why), __VA_ARGS__); \
		return;							\
	} while (0)

#define UNIT_FAIL(...)							\
	do {								\
		printf("#   %s:%d: ", __FILE__, __LINE__);		\
		printf(__VA_ARGS__);					\
		printf("\n");						\
		unit_failed_now = 1;					\
	} while (0)

#define EXPECT(cond)							\
	do {								\
		if (!(cond))						\
			UNIT_FAIL("expected %s", #cond);		\
	} while (0)

#define EXPECT_EQ(a, b)							\
	do {								\
		unsigned long long _a = (unsigned long long)(a);	\
		unsigned long long _b = (unsigned long long)(b);	\
		if (_a != _b)						\
			UNIT_FAIL("%s == %s: 0x%llx != 0x%llx", #a, #b,	\
				  _a, _b);				\
	} while (0)

#define EXPECT_STREQ(a, b)						\
	do {								\
		const char *_a = (a), *_b = (b);			\
		if (!_a || !_b || strcmp(_a, _b))			\
			UNIT_FAIL("%s == %s:\n#     got  \"%s\"\n#     want \"%s\"", \
				  #a, #b, _a ? _a : "(null)",		\
				  _b ? _b : "(null)");			\
	} while (0)

/*
 * got[0..n) are the names of list, a comma-separated string, in order,
 * and list has n names: EXPECT_NAME_LIST(names, 3, "a,bb,c").
 */
#define EXPECT_NAME_LIST(got, n, list)					\
	unit_expect_name_list(__FILE__, __LINE__, #got, (got), (n), (list))

static inline void unit_expect_name_list(const char *file, int line,
					 const char *what,
					 const char * const *got,
					 unsigned int n, const char *list)
{
	const char *p = list;
	unsigned int i;

	for (i = 0; i < n; i++) {
		size_t len = strcspn(p, ",");

		if (!got[i] || strlen(got[i]) != len || strncmp(got[i], p, len)) {
			printf("#   %s:%d: %s[%u] is \"%s\", want \"%.*s\"\n",
			       file, line, what, i, got[i] ? got[i] : "(null)",
			       (int)len, p);
			unit_failed_now = 1;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	if (*p || (n && p > list && p[-1] == ',')) {
		printf("#   %s:%d: %s: the list has more than %u names: \"%s\"\n",
		       file, line, what, n, list);
		unit_failed_now = 1;
	}
}

/* hay contains needle (or, with want false, does not). */
#define UNIT_EXPECT_IN(hay, needle, want)				\
	do {								\
		const char *_h = (hay), *_n = (needle);			\
		if ((_h && strstr(_h, _n)) != (want))			\
			UNIT_FAIL("%s should%s contain \"%s\"; it is:\n%s", \
				  #hay, (want) ? "" : " not", _n,	\
				  _h ? _h : "(null)");			\
	} while (0)
#define EXPECT_HAS(hay, needle)		UNIT_EXPECT_IN(hay, needle, true)
#define EXPECT_HASNT(hay, needle)	UNIT_EXPECT_IN(hay, needle, false)

#define ASSERT(cond)							\
	do {								\
		if (!(cond)) {						\
			UNIT_FAIL("assertion %s", #cond);		\
			return;						\
		}							\
	} while (0)

static inline int unit_selected(int i, int argc, char **argv)
{
	return argc < 2 || strstr(unit_tests[i].name, argv[1]);
}

#define UNIT_MAIN() UNIT_MAIN_AFTER(NULL)

#define UNIT_MAIN_AFTER(after)						\
	struct unit_test unit_tests[UNIT_MAX_TESTS];			\
	int unit_nr_tests;						\
	int unit_failed_now;						\
	char unit_skip_why[256];					\
	int main(int argc, char **argv)					\
	{								\
		void (*after_fn)(void) = after;				\
		int i, n = 0, failed = 0;				\
									\
		for (i = 0; i < unit_nr_tests; i++)			\
			n += unit_selected(i, argc, argv);		\
		printf("TAP version 13\n1..%d\n", n);			\
		for (i = 0, n = 0; i < unit_nr_tests; i++) {		\
			if (!unit_selected(i, argc, argv))		\
				continue;				\
			unit_failed_now = 0;				\
			unit_skip_why[0] = '\0';			\
			unit_tests[i].fn();				\
			if (after_fn)					\
				after_fn();				\
			printf("%sok %d %s%s%s\n",			\
			       unit_failed_now ? "not " : "", ++n,	\
			       unit_tests[i].name,			\
			       *unit_skip_why && !unit_failed_now ?	\
			       " # SKIP " : "",				\
			       unit_failed_now ? "" : unit_skip_why);	\
			fflush(stdout);					\
			failed += unit_failed_now;			\
		}							\
		return failed ? 1 : 0;					\
	}

#endif /* VMVIEW_UNIT_H */
