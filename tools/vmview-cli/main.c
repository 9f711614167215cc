// SPDX-License-Identifier: GPL-2.0
/* vmview-cli: placeholder until the commands land (issue 5). */
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		printf("usage: vmview-cli PID\n");
		return 0;
	}
	fprintf(stderr, "vmview-cli: no commands yet\n");
	return 1;
}
