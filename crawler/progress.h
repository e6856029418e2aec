/* progress.h -- live status of a long crawl: one redrawn line on a terminal, periodic log lines otherwise. */
#ifndef AGENTCRAWL_PROGRESS_H
#define AGENTCRAWL_PROGRESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum progress_mode {
	PROGRESS_AUTO = 0,	/* TTY if FP is a terminal, else LOG */
	PROGRESS_TTY,		/* redraw one line in place */
	PROGRESS_LOG,		/* a log line every interval */
	PROGRESS_OFF,
};

struct progress_counts {
	size_t		known;		/* addresses in the table */
	size_t		queued;		/* waiting for a probe */
	size_t		inflight;	/* probes running */
	uint64_t	done;		/* probes finished in this run */
	size_t		good;		/* nodes the good rule accepts */
	uint64_t	reachable;	/* successful probes in this run */
};

struct progress;

/* Report to FP (not owned; usually stderr) in MODE; LOG_INTERVAL_S is the
 * period of plain log lines.  Caller frees with progress_free. */
struct progress *progress_new(enum progress_mode mode, FILE *fp,
    double log_interval_s);
void progress_free(struct progress *p);

/* Feed the counts at monotonic time NOW_S; draws when it is time to. */
void progress_update(struct progress *p, const struct progress_counts *c,
    double now_s);

/* Clear the status line (TTY mode) before other output. */
void progress_clear(struct progress *p);

/* The status text for C at probe rate RATE (per second) into BUF; returns BUF. */
char *progress_format(const struct progress_counts *c, double rate, char *buf,
    size_t len);

#endif
