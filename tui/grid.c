/* grid.c -- off-screen cell grid every console view renders into.
 *
 * Widths come from wcwidth() when the locale knows the character and from
 * a small table of wide ranges otherwise, so that frames rendered in the C
 * locale (tests, --once in scripts) have the same layout as on screen. */
#include "grid.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "xmalloc.h"

static const struct grid_glyphs grid_utf8_glyphs = {
	.hline = "\xe2\x94\x80", .vline = "\xe2\x94\x82", .ellipsis = "\xe2\x80\xa6",
	.up = "\xe2\x96\xb2", .down = "\xe2\x96\xbc", .dot = "\xc2\xb7",
	.tl = "\xe2\x95\xad", .tr = "\xe2\x95\xae", .bl = "\xe2\x95\xb0", .br = "\xe2\x95\xaf",
	.warn = "!",
	.spark = { "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
	    "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88" },
	.bar_full = "\xe2\x96\x88",
	.bar_part = { "\xe2\x96\x8f", "\xe2\x96\x8e", "\xe2\x96\x8d", "\xe2\x96\x8c",
	    "\xe2\x96\x8b", "\xe2\x96\x8a", "\xe2\x96\x89", "\xe2\x96\x88" },
	.mark_one = "\xe2\x97\x8f", .mark_many = "\xe2\x97\x89",
	.state_ok = "\xe2\x97\x8f", .state_wait = "\xe2\x97\x8c",
	.state_down = "\xe2\x9c\x96", .state_pause = "\xe2\x80\x96",
};

static const struct grid_glyphs grid_ascii_glyphs = {
	.hline = "-", .vline = "|", .ellipsis = "~", .up = "^", .down = "v", .dot = ".",
	.tl = "+", .tr = "+", .bl = "+", .br = "+", .warn = "!",
	.spark = { "_", ".", "-", "~", "=", "+", "*", "#" },
	.bar_full = "#",
	.bar_part = { " ", " ", " ", ":", ":", ":", ":", "#" },
	.mark_one = "o", .mark_many = "@",
	.state_ok = "*", .state_wait = "o", .state_down = "X", .state_pause = "=",
};

static int
grid_clamp(int v)
{
	return v < 1 ? 1 : v > GRID_MAXDIM ? GRID_MAXDIM : v;
}

struct grid *
grid_new(int w, int h, bool utf8)
{
	struct grid *g = xcalloc(1, sizeof(*g));

	g->utf8 = utf8;
	g->gl = utf8 ? &grid_utf8_glyphs : &grid_ascii_glyphs;
	g->hits = xcalloc(GRID_MAXHITS, sizeof(*g->hits));
	grid_resize(g, w, h);
	return g;
}

void
grid_free(struct grid *g)
{
	if (g == NULL)
		return;
	free(g->cells);
	free(g->hits);
	free(g);
}

void
grid_resize(struct grid *g, int w, int h)
{
	w = grid_clamp(w);
	h = grid_clamp(h);
	if (g->cells == NULL || w * h != g->w * g->h) {
		free(g->cells);
		g->cells = xcalloc((size_t)w * (size_t)h, sizeof(*g->cells));
	}
	g->w = w;
	g->h = h;
	grid_clear(g);
}

void
grid_clear(struct grid *g)
{
	for (int i = 0; i < g->w * g->h; i++) {
		g->cells[i].ch = ' ';
		g->cells[i].attr = GC_NORMAL;
	}
	g->nhits = 0;
}

void
grid_hit(struct grid *g, struct rect r, int kind, long long value)
{
	if (r.x < 0) {
		r.w += r.x;
		r.x = 0;
	}
	if (r.y < 0) {
		r.h += r.y;
		r.y = 0;
	}
	if (r.x + r.w > g->w)
		r.w = g->w - r.x;
	if (r.y + r.h > g->h)
		r.h = g->h - r.y;
	if (r.w <= 0 || r.h <= 0 || g->nhits >= GRID_MAXHITS)
		return;
	g->hits[g->nhits++] = (struct grid_hit){ r, kind, value };
}

const struct grid_hit *
grid_hit_at(const struct grid *g, int x, int y)
{
	for (size_t i = g->nhits; i-- > 0;) {
		const struct grid_hit *h = &g->hits[i];

		if (x >= h->r.x && x < h->r.x + h->r.w && y >= h->r.y && y < h->r.y + h->r.h)
			return h;
	}
	return NULL;
}

const struct grid_cell *
grid_at(const struct grid *g, int x, int y)
{
	if (x < 0 || y < 0 || x >= g->w || y >= g->h)
		return NULL;
	return &g->cells[y * g->w + x];
}

/* East Asian wide and emoji ranges, for when the locale cannot tell. */
static int
grid_fallback_width(uint32_t cp)
{
	static const uint32_t wide[][2] = {
		{ 0x1100, 0x115f }, { 0x2e80, 0x303e }, { 0x3041, 0x33ff },
		{ 0x3400, 0x4dbf }, { 0x4e00, 0x9fff }, { 0xa000, 0xa4cf },
		{ 0xac00, 0xd7a3 }, { 0xf900, 0xfaff }, { 0xfe30, 0xfe4f },
		{ 0xff00, 0xff60 }, { 0xffe0, 0xffe6 }, { 0x1f300, 0x1f64f },
		{ 0x1f900, 0x1f9ff }, { 0x20000, 0x3fffd },
	};

	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) ||
	    (cp >= 0xfe00 && cp <= 0xfe0f))
		return 0;
	for (size_t i = 0; i < sizeof(wide) / sizeof(wide[0]); i++)
		if (cp >= wide[i][0] && cp <= wide[i][1])
			return 2;
	return 1;
}

int
grid_cpwidth(const struct grid *g, uint32_t cp)
{
	int w;

	if (cp < 0x7f)
		return 1;	/* controls are drawn as '?' */
	if (!g->utf8)
		return 1;
	if (cp < 0xa0)
		return 1;
	w = wcwidth((wchar_t)cp);
	return w >= 0 ? w : grid_fallback_width(cp);
}

int
grid_put(struct grid *g, int x, int y, uint32_t ch, uint16_t attr)
{
	struct grid_cell *c;
	int w;

	if (ch < 0x20 || ch == 0x7f || (ch >= 0x80 && ch < 0xa0) ||
	    (!g->utf8 && ch > 0x7e) || ch > 0x10ffff || (ch >= 0xd800 && ch <= 0xdfff))
		ch = '?';
	w = grid_cpwidth(g, ch);
	if (w == 0 || x < 0 || y < 0 || y >= g->h || x + w > g->w)
		return 0;
	c = &g->cells[y * g->w + x];
	/* Overwriting half of a wide character blanks its other half. */
	if (c->ch == GRID_CONT && x > 0)
		c[-1].ch = ' ';
	if (x + w < g->w && c[w].ch == GRID_CONT)
		c[w].ch = ' ';
	c->ch = ch;
	c->attr = attr;
	if (w == 2) {
		c[1].ch = GRID_CONT;
		c[1].attr = attr;
	}
	return w;
}

size_t
grid_utf8_decode(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t c, min;
	size_t n;

	if (len == 0) {
		*cp = 0xfffd;
		return 0;
	}
	c = p[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2; c &= 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3; c &= 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4; c &= 0x07; min = 0x10000;
	} else {
		*cp = 0xfffd;
		return 1;
	}
	if (len < n) {
		*cp = 0xfffd;
		return 1;
	}
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*cp = 0xfffd;
			return 1;
		}
		c = (c << 6) | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff)) {
		*cp = 0xfffd;
		return 1;
	}
	*cp = c;
	return n;
}

int
grid_text(struct grid *g, int x, int y, int maxw, uint16_t attr, const char *s)
{
	size_t len = strlen(s), i = 0;
	int used = 0;

	while (i < len && used < maxw) {
		uint32_t cp;
		int w;

		i += grid_utf8_decode(s + i, len - i, &cp);
		if (cp < 0x20 || cp == 0x7f)
			cp = '?';
		if (!g->utf8 && cp > 0x7e)
			cp = '?';
		w = grid_cpwidth(g, cp);
		if (w == 0)
			continue;
		if (used + w > maxw)
			break;
		grid_put(g, x + used, y, cp, attr);
		used += w;
	}
	return used;
}

int
grid_printf(struct grid *g, int x, int y, int maxw, uint16_t attr, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return grid_text(g, x, y, maxw, attr, buf);
}

int
grid_strwidth(const struct grid *g, const char *s)
{
	size_t len = strlen(s), i = 0;
	int w = 0;

	while (i < len) {
		uint32_t cp;

		i += grid_utf8_decode(s + i, len - i, &cp);
		if (cp < 0x20 || cp == 0x7f || (!g->utf8 && cp > 0x7e))
			cp = '?';
		w += grid_cpwidth(g, cp);
	}
	return w;
}

void
grid_field(struct grid *g, int x, int y, int w, uint16_t attr, enum grid_align align,
    const char *s)
{
	int sw, pad;

	if (w <= 0)
		return;
	sw = grid_strwidth(g, s);
	for (int i = 0; i < w; i++)
		grid_put(g, x + i, y, ' ', attr);
	if (sw > w) {
		int used = grid_text(g, x, y, w - 1, attr, s);
		grid_text(g, x + used, y, 1, attr, g->gl->ellipsis);
		return;
	}
	pad = align == GRID_RIGHT ? w - sw : align == GRID_CENTER ? (w - sw) / 2 : 0;
	grid_text(g, x + pad, y, w - pad, attr, s);
}

void
grid_fill(struct grid *g, struct rect r, uint32_t ch, uint16_t attr)
{
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			grid_put(g, x, y, ch, attr);
}

void
grid_paint(struct grid *g, struct rect r, uint16_t attr)
{
	for (int y = r.y; y < r.y + r.h; y++)
		for (int x = r.x; x < r.x + r.w; x++)
			if (x >= 0 && y >= 0 && x < g->w && y < g->h)
				g->cells[y * g->w + x].attr = attr;
}

void
grid_hline(struct grid *g, int x, int y, int w, uint16_t attr)
{
	for (int i = 0; i < w; i++)
		grid_text(g, x + i, y, 1, attr, g->gl->hline);
}

static size_t
grid_utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

size_t
grid_row_text(const struct grid *g, int y, char *buf, size_t len)
{
	size_t o = 0, keep = 0;

	if (len == 0)
		return 0;
	if (y < 0 || y >= g->h) {
		buf[0] = '\0';
		return 0;
	}
	for (int x = 0; x < g->w; x++) {
		const struct grid_cell *c = &g->cells[y * g->w + x];
		char enc[4];
		size_t n;

		if (c->ch == GRID_CONT)
			continue;
		n = grid_utf8_encode(c->ch, enc);
		if (o + n >= len)
			break;
		memcpy(buf + o, enc, n);
		o += n;
		if (c->ch != ' ')
			keep = o;
	}
	buf[keep] = '\0';
	return keep;
}

void
grid_write(const struct grid *g, FILE *fp)
{
	size_t len = (size_t)g->w * 4 + 1;
	char *buf = xmalloc(len);

	for (int y = 0; y < g->h; y++) {
		grid_row_text(g, y, buf, len);
		fprintf(fp, "%s\n", buf);
	}
	free(buf);
}
