/* main.c -- agentconsole entry point.  The program itself lands with issue 6;
 * until then it says so plainly instead of pretending to work. */
#include <stdio.h>
#include <string.h>

#include "version.h"

int
main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: agentconsole [options]\nagentconsole " AGENTCHAIN_VERSION
		    ": not yet implemented (issue 6).\n");
		return 0;
	}
	fprintf(stderr, "agentconsole: not yet implemented\n");
	return 2;
}
