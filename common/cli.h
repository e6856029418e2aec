/* cli.h -- command-line flags as a table: getopt_long, --help and config overrides from one place. */
#ifndef AGENTCHAIN_CLI_H
#define AGENTCHAIN_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* Ids the parser handles itself. */
#define CLI_CONFIG	(-1)	/* --config FILE: loaded before any other flag */
#define CLI_SET		(-2)	/* --set KEY=VALUE: any config key */

/* One flag.  A flag with a KEY sets that config key (to VALUE when it
 * takes no argument, e.g. "true"); any other flag goes to the program's
 * handler by ID.  MASK says which of the program's commands accept it
 * (0: all).  SHORT_NAME, when not 0, is a one-letter alias. */
struct cli_flag {
	const char	*name;
	int		 has_arg;
	const char	*key;
	const char	*value;
	int		 id;
	unsigned	 mask;
	int		 short_name;
	const char	*arg;	/* argument name in --help, e.g. "FILE" */
	const char	*help;
};

/* Called for flags without a key.  Returns 0 to go on, 1 after printing
 * an error, 2 after printing something that ends the program successfully
 * (--help, --version). */
typedef int (*cli_handler)(const struct cli_flag *f, const char *optarg, void *arg);

/* Parse ARGV (ARGV[0] is skipped; parsing stops at the first non-flag,
 * whose index is left in optind) against FLAGS for the command MASK:
 * --config first, so that every other flag overrides the file, then the
 * rest in order.  Errors are printed as "PROG: ...".  Returns 0, 1
 * (error) or 2 (the handler asked to exit 0).  The caller finalises CFG. */
int cli_parse(const char *prog, int argc, char **argv, const struct cli_flag *flags, size_t n,
    unsigned mask, struct config *cfg, cli_handler handler, void *arg);

/* Print the flags of command MASK (0: all) as "  --name ARG   help [key]". */
void cli_usage(FILE *fp, const struct cli_flag *flags, size_t n, unsigned mask);

#endif
