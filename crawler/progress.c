/* progress.c -- live status of a long crawl: one redrawn line on a terminal, periodic log lines otherwise. */
#include "progress.h"

#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "xmalloc.h"

#define TTY_INTERVAL_S	0.5

struct progress {
	enum progress_mode	 mode;
	FILE			*fp;
	double			 interval;
	double			 last_draw;
	double			 last_rate_t;
	uint64_t		 last_done;
	double			 rate;
	bool			 drawn;
};

struct progress *
progress_new(enum progress_mode mode, FILE *fp, double log_interval_s)
{
	struct progress	*p;

	p = xcalloc(1, sizeof(*p));
	if (mode == PROGRESS_AUTO)
		mode = isatty(fileno(fp)) ? PROGRESS_TTY : PROGRESS_LOG;
	p->mode = mode;
	p->fp = fp;
	p->interval = mode == PROGRESS_TTY ? TTY_INTERVAL_S : log_interval_s;
	p->last_draw = p->last_rate_t = -1;
	return p;
}

void
progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	progress_clear(p);
	free(p);
}

char *
progress_format(const struct progress_counts *c, double rate, char *buf,
    size_t len)
{
	snprintf(buf, len, "known %zu  queued %zu  in flight %zu  done %llu  "
	    "reachable %llu  good %zu  rate %.1f/s", c->known, c->queued,
	    c->inflight, (unsigned long long)c->done,
	    (unsigned long long)c->reachable, c->good, rate);
	return buf;
}

void
progress_update(struct progress *p, const struct progress_counts *c,
    double now_s)
{
	char	line[256];
	double	dt;

	if (p->mode == PROGRESS_OFF)
		return;
	if (p->last_rate_t < 0) {
		p->last_rate_t = p->last_draw = now_s;
		p->last_done = c->done;
		return;
	}
	if (now_s - p->last_draw < p->interval)
		return;
	dt = now_s - p->last_rate_t;
	if (dt > 0) {
		/* Smoothed over a few intervals so the figure does not jump. */
		double inst = (double)(c->done - p->last_done) / dt;
		p->rate = p->rate == 0 ? inst : 0.6 * p->rate + 0.4 * inst;
	}
	p->last_rate_t = now_s;
	p->last_done = c->done;
	p->last_draw = now_s;
	progress_format(c, p->rate, line, sizeof(line));
	if (p->mode == PROGRESS_TTY) {
		fprintf(p->fp, "\r\033[K%s", line);
		fflush(p->fp);
		p->drawn = true;
	} else
		log_info("crawl", "%s", line);
}

void
progress_clear(struct progress *p)
{
	if (p->mode == PROGRESS_TTY && p->drawn) {
		fprintf(p->fp, "\r\033[K");
		fflush(p->fp);
		p->drawn = false;
	}
}
