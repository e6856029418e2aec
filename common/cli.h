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

/* What the argument of a flag without a config key must look like; the
 * parser checks it against the flag's MIN..MAX before the handler sees it
 * (a keyed flag's value is checked by its key in the config table). */
enum cli_type {
	CLI_TEXT = 0,	/* anything */
	CLI_INT,	/* a decimal integer */
	CLI_NUMBER,	/* a decimal number, fractions allowed */
	CLI_SIZE,	/* COLSxROWS, both decimal integers */
};

/* One flag, written with named fields (.name =, .help =) as the config
 * key table is.  A flag with a KEY sets that config key (to VALUE when it
 * takes no argument, e.g. "true") and then, only if its ID is not 0, goes
 * to the program's handler too (to note that the flag was given); any
 * other flag goes to the handler by ID.  MASK says which of the program's
 * commands accept it (0: all).  SHORT_NAME, when not 0, is a one-letter
 * alias. */
struct cli_option {
	const char	*name;
	int		 has_arg;
	const char	*key;
	const char	*value;
	int		 id;
	unsigned	 mask;
	int		 short_name;
	const char	*arg;	/* argument name in --help, e.g. "FILE" */
	const char	*help;
	enum cli_type	 type;	/* of the argument of a flag without a KEY */
	double		 min, max;	/* its range (of each part of a CLI_SIZE) */
};

typedef int (*cli_option_handler)(const struct cli_option *o, const char *value, void *arg);

/* Parse ARGV (ARGV[0] is skipped; parsing stops at the first non-flag,
 * whose index is left in optind) against OPTS for the command MASK:
 * --config first, so that every other flag overrides the file, then the
 * rest in order.  CMDS (NULL-terminated, or NULL for none) name the bits
 * of a flag's MASK: CMDS[i] is bit 1 << i, and a flag given to the wrong
 * command is answered with the commands that take it.  A typed flag's
 * argument is checked against its range before HANDLER sees it
 * ("PROG: --size: want COLSxROWS, each 1..1000, got '0x5'").  Errors are
 * printed as "PROG: ...".  Returns 0, 1 (error) or 2 (the handler asked
 * to exit 0).  The caller finalises CFG. */
int cli_parse_options(const char *prog, int argc, char **argv, const struct cli_option *opts,
    size_t n, unsigned mask, const char *const *cmds, struct config *cfg,
    cli_option_handler handler, void *arg);

/* Split S, "COLSxROWS" (or "COLSXROWS"), into W and H.  Returns 0, or -1
 * when S has another shape or a part does not fit an int. */
int cli_size(const char *s, int *w, int *h);

/* Print the flags of command MASK (0: all) as "  --name ARG   help [key]";
 * with CMDS as for cli_parse_options, when MASK covers every command a
 * flag only some commands take says which, "help (crawl, export) [key]",
 * and a typed flag's range follows its help: "frame size (each 1..1000)". */
void cli_usage_options(FILE *fp, const struct cli_option *opts, size_t n, unsigned mask,
    const char *const *cmds);

#endif
