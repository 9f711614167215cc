/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A very small unit-test runner for vmview's host tests.
 *
 * Tests register themselves with UNIT_TEST(name) { ... } and check with
 * EXPECT*() (record a failure, carry on) or ASSERT*() (record and leave
 * the test).  main() comes from UNIT_MAIN() and prints TAP:
 *   ok 3 decode_swap_entry
 *   not ok 4 decode_pmd_leaf
 * exiting 1 when any test failed.
 */
#ifndef VMVIEW_UNIT_H
#define VMVIEW_UNIT_H

#include <inttypes.h>
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
		if (strcmp(_a, _b))					\
			UNIT_FAIL("%s == %s:\n#     got  \"%s\"\n#     want \"%s\"", \
				  #a, #b, _a, _b);			\
	} while (0)

#define ASSERT(cond)							\
	do {								\
		if (!(cond)) {						\
			UNIT_FAIL("assertion %s", #cond);		\
			return;						\
		}							\
	} while (0)

#define UNIT_MAIN()							\
	struct unit_test unit_tests[UNIT_MAX_TESTS];			\
	int unit_nr_tests;						\
	int unit_failed_now;						\
	int main(void)							\
	{								\
		int i, failed = 0;					\
									\
		printf("TAP version 13\n1..%d\n", unit_nr_tests);	\
		for (i = 0; i < unit_nr_tests; i++) {			\
			unit_failed_now = 0;				\
			unit_tests[i].fn();				\
			printf("%sok %d %s\n", unit_failed_now ? "not " : "", \
			       i + 1, unit_tests[i].name);		\
			failed += unit_failed_now;			\
		}							\
		return failed ? 1 : 0;					\
	}

#endif /* VMVIEW_UNIT_H */
