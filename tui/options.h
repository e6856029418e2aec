/* options.h -- agentconsole's command line and the console: section of agentchain.yaml, resolved into what the console runs with. */
#ifndef AGENTCHAIN_OPTIONS_H
#define AGENTCHAIN_OPTIONS_H

#include <stdio.h>

#include "app.h"
#include "config.h"

/* Most nodes one console watches. */
#define OPTIONS_MAX_NODES	64

/* The configuration (defaults, then --config FILE, then the flags in
 * order; see agentchain.yaml(5)) and what the console makes of it.  APP
 * borrows strings from CFG and from argv, so both must outlive it. */
struct options {
	struct config	 cfg;
	struct app_opts	 app;
};

/* Parse ARGV (argv[0] is the program) into O, which needs no set-up.
 * Errors name the flag, or the file and line of a bad value, on stderr.
 * Returns 0 to run, 1 after an error, 2 after --help, --help-config or
 * --version.  O is to be released with options_free in every case. */
int options_parse(int argc, char **argv, struct options *o);
void options_free(struct options *o);

/* --help. */
void options_usage(FILE *fp);

#endif
