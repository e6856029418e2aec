/* export.c -- the node registry out of the crawl database: NODES.md, JSON and CSV.
 *
 * Every format is written from one crawldb_foreach, i.e. one read
 * snapshot, so counts and rows always agree even while the crawler
 * commits.  NODES.md's header needs the counts before the rows, so its
 * sections are built in memory first. */
#include "export.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "chainparams.h"
#include "goodnode.h"
#include "rewards.h"
#include "strutil.h"
#include "version.h"
#include "xmalloc.h"

static const char *const window_names[CRAWLDB_WINDOWS] = {
	"2h", "8h", "1d", "1w", "1m",
};

int
export_parse_format(const char *s, enum export_format *out)
{
	if (strcmp(s, "nodes-md") == 0)
		*out = EXPORT_NODES_MD;
	else if (strcmp(s, "json") == 0)
		*out = EXPORT_JSON;
	else if (strcmp(s, "csv") == 0)
		*out = EXPORT_CSV;
	else
		return -1;
	return 0;
}

char *
export_time(int64_t t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (t == 0 || gmtime_r(&tt, &tm) == NULL)
		str_copy(buf, "never", len);
	else
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return buf;
}

static bool
addr_is_zero(const struct netaddr *a)
{
	static const uint8_t	zero[16];

	return a->port == 0 && memcmp(a->ip, zero, sizeof(zero)) == 0;
}

/* --- NODES.md ---------------------------------------------------------------- */

struct md_net {
	char		 name[16];
	size_t		 known, reachable, good;
	char		*active;	/* table rows, from open_memstream */
	size_t		 active_len;
	FILE		*active_fp;
	char		*other;
	size_t		 other_len;
	FILE		*other_fp;
};

struct md_ctx {
	const struct export_options	*o;
	struct md_net			 nets[NET_COUNT];
	size_t				 nnets;
};

/* Control bytes as visible \xNN; PREFIX escapes the backslash if needed. */
static bool
md_control(FILE *fp, unsigned char c, const char *prefix)
{
	if (c >= 0x20 && c != 0x7f)
		return false;
	fprintf(fp, "%s\\x%02x", prefix, c);
	return true;
}

/*
 * Text in a Markdown table cell (locations, reasons), shown literally:
 * every ASCII punctuation character that CommonMark, GitHub's extensions
 * (tables, strikethrough, autolinks, math) or HTML give meaning to is
 * backslash-escaped (CommonMark lets any ASCII punctuation be), control
 * bytes are written as visible \xNN.  Only ", / ; ? %" pass as they are:
 * nothing gives them meaning without one of the escaped ones.  Escapes
 * cannot stop GitHub from linking an e-mail address, so text a peer
 * chooses goes through md_untrusted instead.
 */
static void
md_cell(FILE *fp, const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;

	if (*p == '\0') {
		fputs("—", fp);
		return;
	}
	for (; *p != '\0'; p++) {
		if (md_control(fp, *p, "\\"))
			continue;
		if (*p < 0x80 && ispunct(*p) && strchr(",/;?%", *p) == NULL)
			fputc('\\', fp);
		fputc(*p, fp);
	}
}

/*
 * Text a peer chose (its user agent) in a table cell: a code span, so that
 * nothing in it is markup (no link, autolink, image, emphasis, math or
 * HTML: a renderer shows "<script>" as text) and it looks apart from what
 * the crawler measured.  The fence is one backtick longer than any run
 * inside; a space pads content that starts or ends with a backtick or
 * starts and ends with a space (CommonMark strips one each side); '|'
 * is escaped, as GitHub tables require even inside code spans; control
 * bytes are written as visible \xNN.
 */
static void
md_untrusted(FILE *fp, const char *s)
{
	const unsigned char	*p;
	size_t			 len = strlen(s), run = 0, longest = 0, i;
	bool			 pad;

	if (len == 0) {
		fputs("—", fp);
		return;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		run = *p == '`' ? run + 1 : 0;
		if (run > longest)
			longest = run;
	}
	pad = s[0] == '`' || s[len - 1] == '`' || (s[0] == ' ' && s[len - 1] == ' ');
	for (i = 0; i <= longest; i++)
		fputc('`', fp);
	if (pad)
		fputc(' ', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (md_control(fp, *p, ""))
			continue;
		if (*p == '|')
			fputc('\\', fp);
		fputc(*p, fp);
	}
	if (pad)
		fputc(' ', fp);
	for (i = 0; i <= longest; i++)
		fputc('`', fp);
}

static void
md_location(FILE *fp, const struct crawldb_node *n)
{
	char	loc[80];

	if (n->country[0] != '\0' && n->city[0] != '\0')
		snprintf(loc, sizeof(loc), "%s, %s", n->country, n->city);
	else
		str_copy(loc, n->country[0] != '\0' ? n->country : n->city,
		    sizeof(loc));
	md_cell(fp, loc);
}

static struct md_net *
md_net_for(struct md_ctx *c, const char *network)
{
	struct md_net	*m;
	size_t		 i;

	for (i = 0; i < c->nnets; i++)
		if (strcmp(c->nets[i].name, network) == 0)
			return &c->nets[i];
	if (c->nnets == NET_COUNT)
		return NULL;
	m = &c->nets[c->nnets++];
	str_copy(m->name, network, sizeof(m->name));
	m->active_fp = open_memstream(&m->active, &m->active_len);
	m->other_fp = open_memstream(&m->other, &m->other_len);
	if (m->active_fp == NULL || m->other_fp == NULL)
		abort();	/* out of memory, as xmalloc would */
	return m;
}

static int
md_row(const struct crawldb_node *n, void *arg)
{
	struct md_ctx	*c = arg;
	struct md_net	*m;
	char		 as[NETADDR_STRLEN], ts[32];
	const char	*why = NULL;
	const struct chainparams *cp;

	if ((m = md_net_for(c, n->network)) == NULL)
		return 0;
	m->known++;
	if (goodnode_reachable(n))
		m->reachable++;
	netaddr_format(&n->addr, as, sizeof(as));
	if (n->good) {
		m->good++;
		fprintf(m->active_fp, "| %s | ", as);
		md_location(m->active_fp, n);
		fputs(" | ", m->active_fp);
		md_untrusted(m->active_fp, n->user_agent);
		fprintf(m->active_fp, " | %" PRIu32 " | ", n->version);
		if (n->height >= 0)
			fprintf(m->active_fp, "%" PRId32, n->height);
		else
			fputs("—", m->active_fp);
		fprintf(m->active_fp, " | %" PRId32 " | %.1f%% | %s | %s |\n",
		    n->claimed_height, 100.0 * goodnode_uptime(n, CRAWLDB_W1D),
		    export_time(n->last_seen, ts, sizeof(ts)),
		    n->transport[0] != '\0' ? n->transport : "—");
		return 0;
	}
	if (!c->o->all)
		return 0;
	if ((cp = chainparams_by_name(n->network)) != NULL)
		goodnode_is_good(n, cp, c->o->now, &why);
	if (n->attempts == 0)
		why = "untested";
	else if (n->last_error[0] != '\0' && !goodnode_reachable(n))
		why = n->last_error;
	fprintf(m->other_fp, "| %s | ", as);
	md_cell(m->other_fp, why != NULL ? why : "");
	fprintf(m->other_fp, " | %" PRIu32 "/%" PRIu32 " | %s |\n",
	    n->successes, n->attempts,
	    export_time(n->last_success, ts, sizeof(ts)));
	return 0;
}

/* --- the leaderboard ---------------------------------------------------------- */

/* The latest scored day of NETWORK into L (empty on error: the registry
 * is still worth writing; the reason is in ERR). */
static void
board_of(struct crawldb *db, const struct export_options *o, const char *network,
    struct rewards_ledger *l, int64_t *day)
{
	const struct chainparams	*cp = chainparams_by_name(network);
	struct rewardsdb_rules		 r;
	char				 err[256];

	memset(l, 0, sizeof(*l));
	*day = 0;
	if (cp == NULL)
		return;
	if (o->rules != NULL)
		r = *o->rules;
	else
		rewardsdb_rules_init(&r);
	if (rewards_leaderboard(db, cp, &r, l, day, err, sizeof(err)) == -1)
		memset(l, 0, sizeof(*l));
}

static void
write_board(FILE *out, const struct rewards_ledger *l, int64_t day,
    const char *suffix)
{
	char	d[16];
	size_t	i;

	if (l->nentries == 0 || !l->entries[0].rewarded)
		return;
	fprintf(out, "\n## Leaderboard%s\n\nScores of %s (UTC) from the rewards "
	    "observer, percent (docs/REWARDS.md).\n\n"
	    "| Rank | Identity | Uptime | Storage | Relay | Total |\n"
	    "| --- | --- | --- | --- | --- | --- |\n", suffix,
	    rewardsdb_format_day(day, d, sizeof(d)));
	for (i = 0; i < l->nentries && l->entries[i].rewarded; i++) {
		const struct rewards_entry *e = &l->entries[i];

		fprintf(out, "| %zu | `%.16s` | %.1f%% | %.1f%% | %.1f%% | %.1f%% |\n",
		    i + 1, e->identity, e->uptime_score / 1e4, e->storage_score / 1e4,
		    e->relay_score / 1e4, e->total_score / 1e4);
	}
}

static int
write_md(struct crawldb *db, const struct export_options *o, FILE *out,
    char *err, size_t errlen)
{
	struct md_ctx	 c;
	struct md_net	*m;
	char		 ts[32];
	size_t		 i;
	int		 rc;

	memset(&c, 0, sizeof(c));
	c.o = o;
	if (o->network != NULL)
		md_net_for(&c, o->network);
	rc = crawldb_foreach(db, o->network, 0, o->now, md_row, &c, err, errlen);
	fprintf(out, "# NODES.md\n\n");
	fprintf(out, "Registry of reachable Agent Chain nodes, exported by "
	    "agentcrawl %s.\nUser agents are what each node says of itself: "
	    "untrusted text, shown literally.\n", AGENTCHAIN_VERSION);
	for (i = 0; i < c.nnets; i++) {
		m = &c.nets[i];
		fclose(m->active_fp);
		fclose(m->other_fp);
		if (rc == 0) {
			fprintf(out, "\n- Network: %s\n- Snapshot: %s\n"
			    "- Nodes: %zu known, %zu reachable, %zu good\n",
			    m->name, export_time(o->now, ts, sizeof(ts)), m->known,
			    m->reachable, m->good);
			fprintf(out, "\n## Active Nodes%s%s\n\n",
			    c.nnets > 1 ? " — " : "", c.nnets > 1 ? m->name : "");
			fprintf(out, "| Address | Location | User agent (untrusted) | Version "
			    "| Height | Claimed height | Uptime (1d) | Last seen | Transport |\n"
			    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
			fwrite(m->active, 1, m->active_len, out);
			{
				struct rewards_ledger	l;
				int64_t			day;
				char			suffix[32];

				board_of(db, o, m->name, &l, &day);
				snprintf(suffix, sizeof(suffix), "%s%s",
				    c.nnets > 1 ? " — " : "", c.nnets > 1 ? m->name : "");
				write_board(out, &l, day, suffix);
				rewards_ledger_free(&l);
			}
			if (o->all) {
				fprintf(out, "\n## Other Nodes%s%s\n\n",
				    c.nnets > 1 ? " — " : "",
				    c.nnets > 1 ? m->name : "");
				fprintf(out, "| Address | Not good because | "
				    "Successes/attempts | Last success |\n"
				    "| --- | --- | --- | --- |\n");
				fwrite(m->other, 1, m->other_len, out);
			}
		}
		free(m->active);
		free(m->other);
	}
	if (c.nnets == 0 && rc == 0)
		fprintf(out, "\n- Snapshot: %s\n- Nodes: 0 known\n\n## Active Nodes\n\n",
		    export_time(o->now, ts, sizeof(ts)));
	return rc;
}

/* --- JSON ----------------------------------------------------------------------- */

static json_t *
json_ms(double v)
{
	return v < 0 ? json_null() : json_real(v);
}

/* The fields before "services". */
static json_t *
node_json_head(const struct crawldb_node *n)
{
	json_t	*o;
	char	 buf[NETADDR_STRLEN];

	o = json_object();
	json_object_set_new(o, "address", json_string(netaddr_format(&n->addr,
	    buf, sizeof(buf))));
	json_object_set_new(o, "ip", json_string(netaddr_format_ip(&n->addr,
	    buf, sizeof(buf))));
	json_object_set_new(o, "port", json_integer(n->addr.port));
	json_object_set_new(o, "network", json_string(n->network));
	json_object_set_new(o, "good", json_boolean(n->good));
	json_object_set_new(o, "reachable", json_boolean(goodnode_reachable(n)));
	return o;
}

/* The fields after "services". */
static json_t *
node_json_tail(const struct crawldb_node *n)
{
	json_t	*o, *w;
	char	 buf[NETADDR_STRLEN];
	int	 i;

	o = json_object();
	json_object_set_new(o, "version", json_integer(n->version));
	json_object_set_new(o, "user_agent", json_string(n->user_agent));
	/* Verified by the crawler (null: nothing proven); the claim apart. */
	json_object_set_new(o, "height", n->height >= 0 ? json_integer(n->height) : json_null());
	json_object_set_new(o, "claimed_height", json_integer(n->claimed_height));
	json_object_set_new(o, "best_chain", json_boolean(n->best_chain));
	json_object_set_new(o, "connect_ms", json_ms(n->connect_ms));
	json_object_set_new(o, "handshake_ms", json_ms(n->handshake_ms));
	json_object_set_new(o, "first_seen", json_integer(n->first_seen));
	json_object_set_new(o, "last_seen", json_integer(n->last_seen));
	json_object_set_new(o, "last_success", json_integer(n->last_success));
	json_object_set_new(o, "last_try", json_integer(n->last_try));
	json_object_set_new(o, "attempts", json_integer(n->attempts));
	json_object_set_new(o, "successes", json_integer(n->successes));
	w = json_object();
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		json_object_set_new(w, window_names[i], json_real(n->reliability[i]));
	json_object_set_new(o, "reliability", w);
	w = json_object();
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		json_object_set_new(w, window_names[i], json_real(n->weight[i]));
	json_object_set_new(o, "weight", w);
	w = json_object();
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		json_object_set_new(w, window_names[i], json_real(n->coverage[i]));
	json_object_set_new(o, "coverage", w);
	w = json_object();
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		json_object_set_new(w, window_names[i],
		    json_real(goodnode_uptime(n, i)));
	json_object_set_new(o, "uptime", w);
	json_object_set_new(o, "last_error", json_string(n->last_error));
	json_object_set_new(o, "source", addr_is_zero(&n->source) ? json_null() :
	    json_string(netaddr_format(&n->source, buf, sizeof(buf))));
	json_object_set_new(o, "country", json_string(n->country));
	json_object_set_new(o, "city", json_string(n->city));
	json_object_set_new(o, "latitude", n->has_location ?
	    json_real(n->latitude) : json_null());
	json_object_set_new(o, "longitude", n->has_location ?
	    json_real(n->longitude) : json_null());
	json_object_set_new(o, "asn", json_integer(n->asn));
	json_object_set_new(o, "as_org", json_string(n->as_org));
	json_object_set_new(o, "last_getaddr", json_integer(n->last_getaddr));
	json_object_set_new(o, "addrs_learned", json_integer(n->addrs_learned));
	json_object_set_new(o, "fail_streak", json_integer(n->fail_streak));
	json_object_set_new(o, "banned_until", json_integer(n->banned_until));
	json_object_set_new(o, "misbehaviour", json_integer(n->misbehaviour));
	json_object_set_new(o, "transport", n->transport[0] != '\0' ?
	    json_string(n->transport) : json_null());
	return o;
}

struct stream_ctx {
	FILE			*out;
	size_t			 rows;
	/* JSON: each network's leaderboard, by enum net_id. */
	struct rewards_ledger	 boards[NET_COUNT];
};

/* N's place on its network's leaderboard, or NULL. */
static const struct rewards_entry *
board_entry(const struct stream_ctx *c, const struct crawldb_node *n,
    size_t *rank)
{
	const struct chainparams	*cp = chainparams_by_name(n->network);
	const struct rewards_ledger	*l;
	size_t				 i;

	if (cp == NULL)
		return NULL;
	l = &c->boards[cp->id];
	for (i = 0; i < l->nentries && l->entries[i].rewarded; i++)
		if (netaddr_equal(&l->entries[i].addr, &n->addr)) {
			*rank = i + 1;
			return &l->entries[i];
		}
	return NULL;
}

/* Dump O compactly without its braces (O has at least one member). */
static void
json_members(FILE *fp, json_t *o)
{
	char	*s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	size_t	 len;

	if (s == NULL)
		abort();	/* out of memory, as xmalloc would */
	len = strlen(s);
	fwrite(s + 1, 1, len - 2, fp);
	free(s);
	json_decref(o);
}

/*
 * One node as one JSON object.  "services" is an unsigned 64-bit field
 * (the CSV writes it so too) and jansson's integers are signed, so it is
 * written by hand between the members jansson writes: 18446744073709551615,
 * never -1.
 */
static int
json_row(const struct crawldb_node *n, void *arg)
{
	struct stream_ctx	*c = arg;
	const struct rewards_entry *e;
	size_t			 rank;

	/* One object per line: the file streams, and diffs stay readable. */
	fputs(c->rows++ == 0 ? "[\n{" : ",\n{", c->out);
	json_members(c->out, node_json_head(n));
	fprintf(c->out, ",\"services\":%" PRIu64 ",", n->services);
	json_members(c->out, node_json_tail(n));
	if ((e = board_entry(c, n, &rank)) != NULL) {
		fputc(',', c->out);
		json_members(c->out, json_pack("{s:{s:I, s:s, s:I, s:I, s:I, s:I}}",
		    "leaderboard", "rank", (json_int_t)rank, "identity", e->identity,
		    "uptime", (json_int_t)e->uptime_score,
		    "storage", (json_int_t)e->storage_score,
		    "relay", (json_int_t)e->relay_score,
		    "total", (json_int_t)e->total_score));
	}
	fputc('}', c->out);
	return 0;
}

/* --- CSV -------------------------------------------------------------------------- */

/*
 * A text cell, RFC 4180 quoted.  A spreadsheet runs a cell that starts
 * with = + - @ (or a tab or CR before one) as a formula, and peers choose
 * their user agents: such a cell gets a leading ' (OWASP's rule for CSV
 * injection), which spreadsheets show as text and do not evaluate.
 * Number cells are written by us and need nothing.
 */
static void
csv_str(FILE *fp, const char *s)
{
	fputc('"', fp);
	if (*s != '\0' && strchr("=+-@\t\r", *s) != NULL)
		fputc('\'', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', fp);
		fputc(*s, fp);
	}
	fputc('"', fp);
}

static void
csv_header(FILE *fp)
{
	int	i;

	fputs("address,ip,port,network,good,reachable,services,version,"
	    "user_agent,height,claimed_height,best_chain,connect_ms,handshake_ms,"
	    "first_seen,last_seen,"
	    "last_success,last_try,attempts,successes", fp);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		fprintf(fp, ",reliability_%s", window_names[i]);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		fprintf(fp, ",weight_%s", window_names[i]);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		fprintf(fp, ",coverage_%s", window_names[i]);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		fprintf(fp, ",uptime_%s", window_names[i]);
	fputs(",last_error,source,country,city,latitude,longitude,asn,as_org,"
	    "last_getaddr,addrs_learned,fail_streak,banned_until,misbehaviour,transport\n",
	    fp);
}

static void
csv_ms(FILE *fp, double v)
{
	if (v >= 0)
		fprintf(fp, ",%.3f", v);
	else
		fputc(',', fp);
}

static int
csv_row(const struct crawldb_node *n, void *arg)
{
	struct stream_ctx	*c = arg;
	FILE			*fp = c->out;
	char			 buf[NETADDR_STRLEN];
	int			 i;

	c->rows++;
	csv_str(fp, netaddr_format(&n->addr, buf, sizeof(buf)));
	fputc(',', fp);
	csv_str(fp, netaddr_format_ip(&n->addr, buf, sizeof(buf)));
	fprintf(fp, ",%u,", n->addr.port);
	csv_str(fp, n->network);
	fprintf(fp, ",%d,%d,%" PRIu64 ",%" PRIu32 ",", n->good ? 1 : 0,
	    goodnode_reachable(n) ? 1 : 0, n->services, n->version);
	csv_str(fp, n->user_agent);
	if (n->height >= 0)
		fprintf(fp, ",%" PRId32, n->height);
	else
		fputc(',', fp);		/* not proven */
	fprintf(fp, ",%" PRId32 ",%d", n->claimed_height, n->best_chain ? 1 : 0);
	csv_ms(fp, n->connect_ms);
	csv_ms(fp, n->handshake_ms);
	fprintf(fp, ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRIu32
	    ",%" PRIu32, n->first_seen, n->last_seen, n->last_success,
	    n->last_try, n->attempts, n->successes);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		fprintf(fp, ",%.6f", n->reliability[i]);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		fprintf(fp, ",%.6f", n->weight[i]);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		fprintf(fp, ",%.6f", n->coverage[i]);
	for (i = 0; i < CRAWLDB_WINDOWS; i++)
		fprintf(fp, ",%.6f", goodnode_uptime(n, i));
	fputc(',', fp);
	csv_str(fp, n->last_error);
	fputc(',', fp);
	csv_str(fp, addr_is_zero(&n->source) ? "" :
	    netaddr_format(&n->source, buf, sizeof(buf)));
	fputc(',', fp);
	csv_str(fp, n->country);
	fputc(',', fp);
	csv_str(fp, n->city);
	if (n->has_location)
		fprintf(fp, ",%.4f,%.4f", n->latitude, n->longitude);
	else
		fputs(",,", fp);
	fprintf(fp, ",%" PRIu32 ",", n->asn);
	csv_str(fp, n->as_org);
	fprintf(fp, ",%" PRId64 ",%" PRIu32 ",%" PRIu32 ",%" PRId64 ",%" PRIu32
	    ",", n->last_getaddr, n->addrs_learned, n->fail_streak,
	    n->banned_until, n->misbehaviour);
	csv_str(fp, n->transport);
	fputc('\n', fp);
	return 0;
}

int
export_write(struct crawldb *db, const struct export_options *o, FILE *out,
    char *err, size_t errlen)
{
	struct stream_ctx	c;
	unsigned		flags = o->all ? 0 : CRAWLDB_GOOD_ONLY;
	int64_t			day;
	size_t			i;
	int			rc;

	switch (o->format) {
	case EXPORT_NODES_MD:
		return write_md(db, o, out, err, errlen);
	case EXPORT_JSON:
		memset(&c, 0, sizeof(c));
		c.out = out;
		for (i = 0; i < NET_COUNT; i++) {
			const char *name = chainparams_get((enum net_id)i)->name;

			if (o->network == NULL || strcmp(o->network, name) == 0)
				board_of(db, o, name, &c.boards[i], &day);
		}
		rc = crawldb_foreach(db, o->network, flags, o->now, json_row, &c,
		    err, errlen);
		fputs(c.rows == 0 ? "[]\n" : "\n]\n", out);
		for (i = 0; i < NET_COUNT; i++)
			rewards_ledger_free(&c.boards[i]);
		return rc;
	case EXPORT_CSV:
		memset(&c, 0, sizeof(c));
		c.out = out;
		c.rows = 0;
		csv_header(out);
		return crawldb_foreach(db, o->network, flags, o->now, csv_row, &c,
		    err, errlen);
	}
	str_errf(err, errlen, "unknown export format");
	return -1;
}
