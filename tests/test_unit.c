// units:
#include "unit.h"
UNIT_TEST(runner_works) { EXPECT_EQ(1, 1); }
UNIT_MAIN()
