/* cli.c -- command-line flags as a table: getopt_long, --help and config overrides.
 *
 * Every program's flags live in one table (tmux options-table.c), so a
 * flag that sets a config key is by construction the same thing as the key,
 * and --help cannot leave a flag out. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "version.h"
#include "xmalloc.h"

/* A flag's MASK has this many bits, so at most this many named commands. */
#define CLI_CMDS_MAX	(sizeof(unsigned) * CHAR_BIT)

static bool
cli_allowed(const struct cli_option *f, unsigned mask)
{
	return mask == 0 || f->mask == 0 || (f->mask & mask) != 0;
}

/* getopt_long tables for FLAGS: long options return 256 + index. */
static struct option *
cli_options(const struct cli_option *flags, size_t n, char *shortopts, size_t shortlen)
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

/* The bits of every command CMDS names (0 for a program without commands). */
static unsigned
cli_cmds_all(const char *const *cmds)
{
	unsigned all = 0;

	for (size_t i = 0; cmds != NULL && cmds[i] != NULL && i < CLI_CMDS_MAX; i++)
		all |= 1u << i;
	return all;
}

/* "crawl, stats": the commands of CMDS in MASK, or "" when CMDS is NULL. */
static void
cli_cmds_list(unsigned mask, const char *const *cmds, char *buf, size_t len)
{
	size_t off = 0;
	int w;

	buf[0] = '\0';
	for (size_t i = 0; cmds != NULL && cmds[i] != NULL && i < CLI_CMDS_MAX; i++) {
		if ((mask & (1u << i)) == 0)
			continue;
		w = snprintf(buf + off, len - off, "%s%s", off > 0 ? ", " : "", cmds[i]);
		if (w < 0 || (size_t)w >= len - off)
			break;
		off += (size_t)w;
	}
}

static const struct cli_option *
cli_flag_of(int c, const struct cli_option *flags, size_t n)
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

int
cli_size(const char *s, int *w, int *h)
{
	char *x, *end;
	long cw, ch;

	errno = 0;
	cw = strtol(s, &x, 10);
	if (x == s || (*x != 'x' && *x != 'X') || x[1] < '0' || x[1] > '9')
		return -1;
	ch = strtol(x + 1, &end, 10);
	if (*end != '\0' || errno != 0 || cw < INT_MIN || cw > INT_MAX || ch < INT_MIN ||
	    ch > INT_MAX)
		return -1;
	*w = (int)cw;
	*h = (int)ch;
	return 0;
}

/* "1..1000", "each 1..1000" */
static void
cli_range(const struct cli_option *f, char *buf, size_t len)
{
	if (f->type == CLI_NUMBER)
		snprintf(buf, len, "%g..%g", f->min, f->max);
	else	/* whole numbers in full: 0..9007199254740991, not 0..9.0072e+15 */
		snprintf(buf, len, "%s%.0f..%.0f", f->type == CLI_SIZE ? "each " : "", f->min,
		    f->max);
}

/* Is VALUE what the typed flag F takes? */
static bool
cli_value_ok(const struct cli_option *f, const char *value)
{
	char *end;
	double v;
	int w, h;

	switch (f->type) {
	case CLI_TEXT:
		return true;
	case CLI_SIZE:
		return cli_size(value, &w, &h) == 0 && w >= f->min && w <= f->max &&
		    h >= f->min && h <= f->max;
	case CLI_INT:
	case CLI_NUMBER:
		if (f->type == CLI_INT && value[strspn(value, "-0123456789")] != '\0')
			return false;
		errno = 0;
		v = strtod(value, &end);
		return end != value && *end == '\0' && errno == 0 && isfinite(v) &&
		    v >= f->min && v <= f->max;
	}
	return false;
}

static int
cli_check_value(const char *prog, const struct cli_option *f, const char *what,
    const char *value)
{
	static const char *const shape[] = {
		[CLI_TEXT] = "text", [CLI_INT] = "an integer", [CLI_NUMBER] = "a number",
		[CLI_SIZE] = "COLSxROWS",
	};
	char range[64];

	if (!f->has_arg || cli_value_ok(f, value))
		return 0;
	cli_range(f, range, sizeof(range));
	fprintf(stderr, "%s: %s: want %s, %s, got '%s'\n", prog, what,
	    f->type == CLI_SIZE && f->arg != NULL ? f->arg : shape[f->type], range, value);
	return 1;
}

/* WHAT is the flag as the user spelled it ("-o" or "--output"), for errors. */
static int
cli_apply(const char *prog, const struct cli_option *f, const char *what, const char *value,
    struct config *cfg, cli_option_handler handler, void *arg)
{
	char *copy, *eq;
	int rc;

	if (f->key != NULL) {
		if (cli_set(prog, what, cfg, f->key, f->value != NULL ? f->value : value) != 0)
			return 1;
		return f->id != 0 && handler != NULL ? handler(f, value, arg) : 0;
	}
	switch (f->id) {
	case CLI_CONFIG:
		return 0;	/* loaded in the first pass */
	case CLI_HELP_CONFIG:
		config_print_keys(stdout);
		return 2;
	case CLI_VERSION:
		/* PROG may carry the command ("agentcrawl crawl"): name the program. */
		printf("%.*s %s\n", (int)strcspn(prog, " "), prog, AGENTCHAIN_VERSION);
		return 2;
	case CLI_SET:
		if ((eq = strchr(value, '=')) == NULL) {
			fprintf(stderr, "%s: --set wants KEY=VALUE, got '%s'\n", prog, value);
			return 1;
		}
		copy = xstrndup(value, (size_t)(eq - value));
		rc = cli_set(prog, what, cfg, copy, eq + 1);
		free(copy);
		return rc;
	default:
		if (cli_check_value(prog, f, what, value) != 0)
			return 1;
		return handler != NULL ? handler(f, value, arg) : 0;
	}
}

int
cli_parse_options(const char *prog, int argc, char **argv, const struct cli_option *flags,
    size_t n, unsigned mask, const char *const *cmds, struct config *cfg,
    cli_option_handler handler, void *arg)
{
	char shortopts[128], err[512], what[64], which[128];
	struct option *lo = cli_options(flags, n, shortopts, sizeof(shortopts));
	const struct cli_option *f;
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
		if (c >= 256)
			snprintf(what, sizeof(what), "--%s", f->name);
		else
			snprintf(what, sizeof(what), "-%c", c);
		if (!cli_allowed(f, mask)) {
			cli_cmds_list(f->mask, cmds, which, sizeof(which));
			fprintf(stderr, "%s: %s is not an option of this command%s%s\n", prog, what,
			    which[0] != '\0' ? ", only of " : "", which);
			rc = 1;
			break;
		}
		if ((rc = cli_apply(prog, f, what, optarg, cfg, handler, arg)) != 0)
			break;
	}
out:
	free(lo);
	return rc;
}

void
cli_usage_options(FILE *fp, const struct cli_option *flags, size_t n, unsigned mask,
    const char *const *cmds)
{
	unsigned all = cli_cmds_all(cmds);
	/* Only the help of the whole program needs to say who takes what. */
	bool every = all != 0 && (mask == 0 || (mask & all) == all);

	for (size_t i = 0; i < n; i++) {
		const struct cli_option *f = &flags[i];
		char left[64], which[128] = "", range[64];

		if (!cli_allowed(f, mask))
			continue;
		if (every && f->mask != 0 && (f->mask & all) != all)
			cli_cmds_list(f->mask, cmds, which, sizeof(which));
		if (f->short_name != 0)
			snprintf(left, sizeof(left), "-%c, --%s%s%s", f->short_name, f->name,
			    f->arg ? " " : "", f->arg ? f->arg : "");
		else
			snprintf(left, sizeof(left), "--%s%s%s", f->name, f->arg ? " " : "",
			    f->arg ? f->arg : "");
		fprintf(fp, "  %-28s %s", left, f->help);
		if (f->type != CLI_TEXT) {
			cli_range(f, range, sizeof(range));
			fprintf(fp, " (%s)", range);
		}
		if (which[0] != '\0')
			fprintf(fp, " (%s)", which);
		if (f->key != NULL)
			fprintf(fp, " [%s]", f->key);
		fputc('\n', fp);
	}
}
