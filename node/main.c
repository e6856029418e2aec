/* main.c -- agentnode entry point.  The program itself lands with issue 3;
 * until then it says so plainly instead of pretending to work. */
#include <stdio.h>
#include <string.h>

#include "version.h"

int
main(int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("usage: agentnode [options]\nagentnode " AGENTCHAIN_VERSION
		    ": not yet implemented (issue 3).\n");
		return 0;
	}
	fprintf(stderr, "agentnode: not yet implemented\n");
	return 2;
}
