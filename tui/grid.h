/* grid.h -- off-screen cell grid every console view renders into. */
#ifndef AGENTCHAIN_GRID_H
#define AGENTCHAIN_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * Views never talk to curses: they draw into a grid of cells (a Unicode
 * code point and an attribute each), and the terminal layer copies the
 * grid to the screen in one pass.  `--once` and the unit tests print the
 * same grid as text, so a frame can be compared as a string.
 *
 * A grid is either UTF-8 (braille, box drawing, block elements allowed) or
 * ASCII; in an ASCII grid every code point above 0x7e is drawn as '?', so
 * views pick their glyphs from grid->gl rather than hard-coding them.
 * A wide character (width 2) occupies its cell and a continuation cell
 * holding GRID_CONT.  Drawing outside the grid is silently clipped.
 */

#define GRID_CONT	0u		/* right half of a wide character */
#define GRID_MAXDIM	4096		/* larger sizes are clamped */

/* Semantic colours; the terminal layer maps them to colour pairs, or to
 * bold/reverse/dim in monochrome. */
enum grid_color {
	GC_NORMAL = 0,
	GC_HEADER,		/* the header line */
	GC_TAB,			/* inactive view tab */
	GC_TAB_ACTIVE,
	GC_TITLE,		/* section titles, table header */
	GC_SELECTED,		/* selected table row */
	GC_DIM,
	GC_GOOD,
	GC_WARN,
	GC_BAD,
	GC_LAND,		/* map land */
	GC_MARK,		/* map marks: one peer */
	GC_MARK_MANY,		/* map marks: several */
	GC_BAR,			/* bar charts, sparklines */
	GC_PROMPT,
	GC_BOX,			/* panel borders */
	GC_COUNT
};
#define GA_COLOR_MASK	0x00ffu
#define GA_BOLD		0x0100u
#define GA_REVERSE	0x0200u
#define GA_UNDERLINE	0x0400u

/* Glyphs for one character set.  Strings are UTF-8 and one column wide. */
struct grid_glyphs {
	const char	*hline, *vline, *ellipsis, *up, *down, *dot;
	const char	*tl, *tr, *bl, *br;	/* box corners */
	const char	*warn;			/* alert badge */
	const char	*spark[8];		/* lowest to highest */
	const char	*bar_full;		/* whole cell of a horizontal bar */
	const char	*bar_part[8];		/* 1/8 .. 8/8 of a cell; [7] == full */
	const char	*mark_one, *mark_many;
	const char	*state_ok, *state_wait, *state_down, *state_pause;
};

struct grid_cell {
	uint32_t	ch;
	uint16_t	attr;
};

struct rect {
	int	x, y, w, h;
};

/* A region of the frame the mouse can hit: what was drawn there (KIND,
 * a tag of the caller's) and which item (VALUE: a view, a peer id, a
 * column...).  The views record them while drawing, so a click means what
 * the frame on screen showed. */
#define GRID_MAXHITS	1024
struct grid_hit {
	struct rect	r;
	int		kind;
	long long	value;
};

struct grid {
	int			 w, h;
	bool			 utf8;
	const struct grid_glyphs *gl;
	struct grid_cell	*cells;		/* w * h, row-major */
	struct grid_hit		*hits;		/* GRID_MAXHITS; cleared with the cells */
	size_t			 nhits;
};

enum grid_align { GRID_LEFT = 0, GRID_RIGHT, GRID_CENTER };

/* A blank W x H grid (clamped to 1..GRID_MAXDIM); caller frees with
 * grid_free.  UTF8 selects the character set. */
struct grid *grid_new(int w, int h, bool utf8);
void grid_free(struct grid *g);
/* Change the size; the content is blanked. */
void grid_resize(struct grid *g, int w, int h);
/* Blank every cell (space, GC_NORMAL) and forget the hit regions. */
void grid_clear(struct grid *g);

/* Record that R (clipped to the grid) shows item VALUE of KIND.  Later
 * regions lie on top of earlier ones; past GRID_MAXHITS they are dropped. */
void grid_hit(struct grid *g, struct rect r, int kind, long long value);
/* The topmost region at X, Y, or NULL. */
const struct grid_hit *grid_hit_at(const struct grid *g, int x, int y);

/* The cell at X, Y, or NULL outside the grid. */
const struct grid_cell *grid_at(const struct grid *g, int x, int y);

/* Put code point CH at X, Y.  Returns the columns it took (1 or 2; 0 when
 * clipped or when CH has no width).  Control and (in an ASCII grid)
 * non-ASCII code points are drawn as '?'. */
int grid_put(struct grid *g, int x, int y, uint32_t ch, uint16_t attr);

/* Draw UTF-8 text S (invalid sequences become U+FFFD) from X, Y using at
 * most MAXW columns.  Returns the columns used. */
int grid_text(struct grid *g, int x, int y, int maxw, uint16_t attr,
    const char *s);
int grid_printf(struct grid *g, int x, int y, int maxw, uint16_t attr,
    const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Draw S into exactly W columns at X, Y: padded according to ALIGN, or
 * cut with an ellipsis when it is wider. */
void grid_field(struct grid *g, int x, int y, int w, uint16_t attr,
    enum grid_align align, const char *s);

/* Fill a rectangle with CH. */
void grid_fill(struct grid *g, struct rect r, uint32_t ch, uint16_t attr);
/* Set the attribute of a rectangle, keeping its characters. */
void grid_paint(struct grid *g, struct rect r, uint16_t attr);
/* A horizontal line of the glyph set's hline. */
void grid_hline(struct grid *g, int x, int y, int w, uint16_t attr);

/* Columns S takes when drawn (same rules as grid_text). */
int grid_strwidth(const struct grid *g, const char *s);
/* Display width of a code point in G: 0, 1 or 2. */
int grid_cpwidth(const struct grid *g, uint32_t cp);

/* Decode one UTF-8 character from S (at most LEN bytes) into *CP.
 * Returns the bytes consumed (>= 1 when LEN > 0); malformed input yields
 * U+FFFD and consumes one byte. */
size_t grid_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Row Y as text (UTF-8 or ASCII as the grid is), trailing blanks removed,
 * NUL-terminated and cut to fit LEN.  Returns the length. */
size_t grid_row_text(const struct grid *g, int y, char *buf, size_t len);
/* The whole grid as text, one line per row, to FP. */
void grid_write(const struct grid *g, FILE *fp);

#endif
