/* cli.c -- command-line flags as a table: getopt_long, --help and config overrides.
 *
 * Every program's flags live in one table (tmux options-table.c), so a
 * flag that sets a config key is by construction the same thing as the key,
 * and --help cannot leave a flag out. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

static bool
cli_allowed(const struct cli_flag *f, unsigned mask)
{
	return mask == 0 || f->mask == 0 || (f->mask & mask) != 0;
}

/* getopt_long tables for FLAGS: long options return 256 + index. */
static struct option *
cli_options(const struct cli_flag *flags, size_t n, char *shortopts, size_t shortlen)
{
	struct option *lo = xcalloc(n + 1, sizeof(*lo));
	size_t s = 0;

	shortopts[s++] = '+';	/* stop at the first non-flag */
	for (size_t i = 0; i < n; i++) {
		lo[i].name = flags[i].name;
		lo[i].has_arg = flags[i].has_arg ? required_argument : no_argument;
		lo[i].val = 256 + (int)i;
		if (flags[i].short_name != 0 && s + 3 < shortlen) {
			shortopts[s++] = (char)flags[i].short_name;
			if (flags[i].has_arg)
				shortopts[s++] = ':';
		}
	}
	shortopts[s] = '\0';
	return lo;
}

static const struct cli_flag *
cli_flag_of(int c, const struct cli_flag *flags, size_t n)
{
	if (c >= 256 && (size_t)(c - 256) < n)
		return &flags[c - 256];
	for (size_t i = 0; i < n; i++)
		if (flags[i].short_name != 0 && flags[i].short_name == c)
			return &flags[i];
	return NULL;
}

static int
cli_set(const char *prog, const char *what, struct config *cfg, const char *key,
    const char *value)
{
	char err[512];

	if (config_set(cfg, key, value, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s: %s\n", prog, what, err);
		return 1;
	}
	return 0;
}

static int
cli_apply(const char *prog, const struct cli_flag *f, const char *optarg, struct config *cfg,
    cli_handler handler, void *arg)
{
	char what[64], *copy, *eq;
	int rc;

	snprintf(what, sizeof(what), "--%s", f->name);
	if (f->key != NULL)
		return cli_set(prog, what, cfg, f->key, f->value != NULL ? f->value : optarg);
	switch (f->id) {
	case CLI_CONFIG:
		return 0;	/* loaded in the first pass */
	case CLI_SET:
		if ((eq = strchr(optarg, '=')) == NULL) {
			fprintf(stderr, "%s: --set wants KEY=VALUE, got '%s'\n", prog, optarg);
			return 1;
		}
		copy = xstrndup(optarg, (size_t)(eq - optarg));
		rc = cli_set(prog, what, cfg, copy, eq + 1);
		free(copy);
		return rc;
	default:
		return handler != NULL ? handler(f, optarg, arg) : 0;
	}
}

int
cli_parse(const char *prog, int argc, char **argv, const struct cli_flag *flags, size_t n,
    unsigned mask, struct config *cfg, cli_handler handler, void *arg)
{
	char shortopts[128], err[512];
	struct option *lo = cli_options(flags, n, shortopts, sizeof(shortopts));
	const struct cli_flag *f;
	const char *config_path = NULL;
	int c, idx, rc = 0;

	/* Pass 1: only --config, so the file loads before the flags. */
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, lo, &idx)) != -1)
		if ((f = cli_flag_of(c, flags, n)) != NULL && f->id == CLI_CONFIG)
			config_path = optarg;
	if (config_path != NULL && config_load_file(cfg, config_path, err, sizeof(err)) == -1) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = 1;
		goto out;
	}
	opterr = 1;
	optind = 1;
	while ((c = getopt_long(argc, argv, shortopts, lo, &idx)) != -1) {
		if ((f = cli_flag_of(c, flags, n)) == NULL) {
			fprintf(stderr, "Try '%s --help'.\n", prog);
			rc = 1;
			break;
		}
		if (!cli_allowed(f, mask)) {
			fprintf(stderr, "%s: --%s is not an option of this command\n", prog, f->name);
			rc = 1;
			break;
		}
		if ((rc = cli_apply(prog, f, optarg, cfg, handler, arg)) != 0)
			break;
	}
out:
	free(lo);
	return rc;
}

void
cli_usage(FILE *fp, const struct cli_flag *flags, size_t n, unsigned mask)
{
	for (size_t i = 0; i < n; i++) {
		const struct cli_flag *f = &flags[i];
		char left[64];

		if (!cli_allowed(f, mask))
			continue;
		if (f->short_name != 0)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", f->short_name, f->name,
			    f->arg ? " " : "", f->arg ? f->arg : "");
		else
			snprintf(left, sizeof(left), "--%s%s%s", f->name, f->arg ? " " : "",
			    f->arg ? f->arg : "");
		fprintf(fp, "  %-28s %s%s%s%s\n", left, f->help, f->key ? " [" : "",
		    f->key ? f->key : "", f->key ? "]" : "");
	}
}
