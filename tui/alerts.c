/* alerts.c -- alerts across every watched node: node down, too few peers, connectivity low or dropping, bans, violations, height stalled. */
#include "alerts.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "strutil.h"
#include "xmalloc.h"

/* What is remembered about a node between checks. */
struct alert_node {
	double		peak;		/* highest health within the window */
	double		peak_t;
	bool		have_peak;
	int64_t		blocks;		/* last height seen, and since when */
	double		blocks_t;
	bool		have_blocks;
};

struct alerts {
	struct alert_cfg	 cfg;
	size_t			 nnodes;
	struct alert		*a;	/* nnodes * AL_KINDS */
	struct alert_node	*n;
	alerts_raise_cb		 cb;
	void			*cb_arg;
};

static const char *const kind_names[AL_KINDS] = {
	[AL_DOWN] = "down", [AL_PEERS] = "peers", [AL_HEALTH] = "health",
	[AL_DROP] = "drop", [AL_STALLED] = "stalled", [AL_BAN] = "ban",
	[AL_VIOLATION] = "violation",
};

const char *
alerts_kind_name(enum alert_kind k)
{
	return k < AL_KINDS ? kind_names[k] : "?";
}

struct alerts *
alerts_new(const struct alert_cfg *cfg, size_t nnodes)
{
	struct alerts *al = xcalloc(1, sizeof(*al));

	al->cfg = *cfg;
	al->nnodes = nnodes;
	al->a = xcalloc(nnodes > 0 ? nnodes * AL_KINDS : 1, sizeof(*al->a));
	al->n = xcalloc(nnodes > 0 ? nnodes : 1, sizeof(*al->n));
	for (size_t i = 0; i < nnodes; i++)
		for (int k = 0; k < AL_KINDS; k++) {
			al->a[i * AL_KINDS + k].kind = (enum alert_kind)k;
			al->a[i * AL_KINDS + k].node = i;
		}
	return al;
}

void
alerts_free(struct alerts *al)
{
	if (al == NULL)
		return;
	free(al->a);
	free(al->n);
	free(al);
}

void
alerts_set_callback(struct alerts *al, alerts_raise_cb cb, void *arg)
{
	al->cb = cb;
	al->cb_arg = arg;
}

static struct alert *
slot(struct alerts *al, size_t i, enum alert_kind k)
{
	return &al->a[i * AL_KINDS + k];
}

/* Set condition K of node I to ON with the text; returns whether anything
 * visible changed. */
static bool
set_cond(struct alerts *al, size_t i, const struct source *s, enum alert_kind k, bool on,
    double now, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

static bool
set_cond(struct alerts *al, size_t i, const struct source *s, enum alert_kind k, bool on,
    double now, const char *fmt, ...)
{
	struct alert *a = slot(al, i, k);
	char text[sizeof(a->text)];
	va_list ap;
	bool raised = on && !a->active, changed;

	if (!on) {
		changed = a->active;
		a->active = false;
		return changed;
	}
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	changed = raised || strcmp(text, a->text) != 0;
	memcpy(a->text, text, sizeof(text));
	a->last = now;
	if (raised) {
		a->active = true;
		a->since = now;
		a->count = 1;
		str_copy(a->label, s->label, sizeof(a->label));
		if (al->cb != NULL)
			al->cb(a, al->cb_arg);
	}
	return changed;
}

bool
alerts_check(struct alerts *al, size_t i, const struct source *s, double now)
{
	struct alert_node *n;
	const struct alert_cfg *c = &al->cfg;
	char d[FMT_LEN];
	bool ch = false, up, down;

	if (i >= al->nnodes)
		return false;
	n = &al->n[i];
	down = s->state == SOURCE_DOWN && now - s->since >= c->down_after;
	ch |= set_cond(al, i, s, AL_DOWN, down, now, "down %s: %s",
	    fmt_duration((int64_t)(now - s->since), d, sizeof(d)), s->error);
	/* Conditions on data hold only while the data is fresh. */
	up = s->state == SOURCE_UP && s->have_data;
	/* The configured minimum counts every peer; the node's own
	 * min_peers is the outbound connections it keeps. */
	if (c->min_peers > 0)
		ch |= set_cond(al, i, s, AL_PEERS, up && s->info.connections < c->min_peers, now,
		    "peers %d, fewer than %d", s->info.connections, c->min_peers);
	else
		ch |= set_cond(al, i, s, AL_PEERS, up && s->info.conn_out < s->info.min_peers, now,
		    "outbound peers %d, fewer than its min_peers %d", s->info.conn_out,
		    s->info.min_peers);
	ch |= set_cond(al, i, s, AL_HEALTH, up && c->health > 0 && s->info.health < c->health, now,
	    "connectivity %d, below %d", s->info.health, c->health);
	if (up) {
		if (!n->have_peak || s->info.health >= n->peak || now - n->peak_t > c->health_window) {
			n->peak = s->info.health;
			n->peak_t = now;
			n->have_peak = true;
		}
	}
	ch |= set_cond(al, i, s, AL_DROP, up && c->health_drop > 0 && n->have_peak &&
	    n->peak - s->info.health >= c->health_drop, now,
	    "connectivity fell from %.0f to %d", n->peak, s->info.health);
	if (up && s->info.has_chain) {
		if (!n->have_blocks || s->info.blocks != n->blocks) {
			n->blocks = s->info.blocks;
			n->blocks_t = now;
			n->have_blocks = true;
		}
	}
	ch |= set_cond(al, i, s, AL_STALLED, up && s->info.has_chain && n->have_blocks &&
	    c->stall > 0 && now - n->blocks_t >= c->stall, now,
	    "height stalled at %lld for %s (headers %lld)", (long long)n->blocks,
	    fmt_duration((int64_t)(now - n->blocks_t), d, sizeof(d)), (long long)s->info.headers);
	return ch;
}

bool
alerts_event(struct alerts *al, size_t i, const struct source *s, enum source_event kind,
    const char *text, double now)
{
	enum alert_kind k;
	struct alert *a;

	if (i >= al->nnodes || (kind != SEV_BAN && kind != SEV_VIOLATION))
		return false;
	k = kind == SEV_BAN ? AL_BAN : AL_VIOLATION;
	a = slot(al, i, k);
	if (a->active) {
		/* One alert per node and kind: the count and the latest. */
		a->count++;
		a->last = now;
		snprintf(a->text, sizeof(a->text), "%ux, last %s", a->count, text);
		return true;
	}
	a->active = true;
	a->since = a->last = now;
	a->count = 1;
	str_copy(a->label, s->label, sizeof(a->label));
	str_copy(a->text, text, sizeof(a->text));
	if (al->cb != NULL)
		al->cb(a, al->cb_arg);
	return true;
}

bool
alerts_tick(struct alerts *al, double now)
{
	bool ch = false;

	for (size_t i = 0; i < al->nnodes; i++)
		for (int k = AL_BAN; k <= AL_VIOLATION; k++) {
			struct alert *a = slot(al, i, (enum alert_kind)k);

			if (a->active && al->cfg.hold > 0 && now - a->last >= al->cfg.hold) {
				a->active = false;
				ch = true;
			}
		}
	return ch;
}

void
alerts_ack(struct alerts *al)
{
	for (size_t i = 0; i < al->nnodes; i++) {
		slot(al, i, AL_BAN)->active = false;
		slot(al, i, AL_VIOLATION)->active = false;
	}
}

static int
cmp_newest(const void *x, const void *y)
{
	const struct alert *a = *(const struct alert *const *)x;
	const struct alert *b = *(const struct alert *const *)y;

	if (a->since != b->since)
		return a->since > b->since ? -1 : 1;
	if (a->node != b->node)
		return a->node < b->node ? -1 : 1;
	return (int)a->kind - (int)b->kind;
}

size_t
alerts_list(const struct alerts *al, const struct alert **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < al->nnodes * AL_KINDS && n < max; i++)
		if (al->a[i].active)
			out[n++] = &al->a[i];
	qsort(out, n, sizeof(*out), cmp_newest);
	return n;
}

unsigned
alerts_count(const struct alerts *al)
{
	unsigned n = 0;

	for (size_t i = 0; i < al->nnodes * AL_KINDS; i++)
		n += al->a[i].active;
	return n;
}

unsigned
alerts_count_node(const struct alerts *al, size_t i)
{
	unsigned n = 0;

	for (int k = 0; i < al->nnodes && k < AL_KINDS; k++)
		n += al->a[i * AL_KINDS + k].active;
	return n;
}
