/* cli.h -- command-line flags as a table: getopt_long, --help and config overrides from one place. */
#ifndef AGENTCHAIN_CLI_H
#define AGENTCHAIN_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "config.h"

/* Ids the parser handles itself. */
#define CLI_CONFIG	(-1)	/* --config FILE: loaded before any other flag */
#define CLI_SET		(-2)	/* --set KEY=VALUE: any config key */
#define CLI_HELP_CONFIG	(-3)	/* --help-config: describe every config key, exit 0 */
#define CLI_VERSION	(-4)	/* --version: "PROG VERSION", exit 0 */

/* One flag.  A flag with a KEY sets that config key (to VALUE when it
 * takes no argument, e.g. "true") and then, only if its ID is not 0, goes
 * to the program's handler too (to note that the flag was given); any
 * other flag goes to the handler by ID.  MASK says which of the program's
 * commands accept it (0: all).  SHORT_NAME, when not 0, is a one-letter
 * alias. */
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

/* Called for flags without a key, and for keyed flags with an ID once the
 * key is set.  Returns 0 to go on, 1 after printing an error, 2 after
 * printing something that ends the program successfully (--help,
 * --version). */
typedef int (*cli_handler)(const struct cli_flag *f, const char *value, void *arg);

/* Parse ARGV (ARGV[0] is skipped; parsing stops at the first non-flag,
 * whose index is left in optind) against FLAGS for the command MASK:
 * --config first, so that every other flag overrides the file, then the
 * rest in order.  Errors are printed as "PROG: ...".  Returns 0, 1
 * (error) or 2 (the handler asked to exit 0).  The caller finalises CFG. */
int cli_parse(const char *prog, int argc, char **argv, const struct cli_flag *flags, size_t n,
    unsigned mask, struct config *cfg, cli_handler handler, void *arg);

/* As cli_parse, for a program whose commands CMDS (NULL-terminated, or
 * NULL for none) name the bits of a flag's MASK: CMDS[i] is bit 1 << i.
 * A flag given to the wrong command is then answered with the commands
 * that take it. */
int cli_parse_cmds(const char *prog, int argc, char **argv, const struct cli_flag *flags,
    size_t n, unsigned mask, const char *const *cmds, struct config *cfg, cli_handler handler,
    void *arg);

/* Print the flags of command MASK (0: all) as "  --name ARG   help [key]". */
void cli_usage(FILE *fp, const struct cli_flag *flags, size_t n, unsigned mask);

/* As cli_usage, with CMDS as for cli_parse_cmds: when MASK covers every
 * command, a flag only some commands take says which, as
 * "help (crawl, export) [key]". */
void cli_usage_cmds(FILE *fp, const struct cli_flag *flags, size_t n, unsigned mask,
    const char *const *cmds);

#endif
