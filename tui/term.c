/* term.c -- the curses terminal: start-up, colour mapping, drawing a grid, keys, and restoring the terminal on every exit.
 *
 * Curses is only touched from here.  SIGINT and SIGTERM arrive as libevent
 * signal events and end the loop normally; a crash (SIGSEGV, SIGABRT, ...)
 * (or SIGQUIT) cannot run curses code, so its handler writes the terminal's saved
 * "leave alternate screen / normal attributes / show cursor" strings and
 * restores the saved termios with async-signal-safe calls only, then dies
 * of the same signal. */
#define NCURSES_WIDECHAR 1
#include "term.h"

#include <curses.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>
#include <wchar.h>

#include "strutil.h"
#include "xmalloc.h"

static bool		term_on;
static bool		term_colors;
static struct termios	term_saved;
static bool		term_saved_ok;
static char		term_reset_seq[256];
static size_t		term_reset_len;
static short		term_pair[GC_COUNT];
static attr_t		term_mono[GC_COUNT];
static attr_t		term_extra[GC_COUNT];
/* The last frame drawn, for drawing only what changed. */
static struct grid_cell	*term_prev;
static int		term_pw, term_ph;
static bool		term_full = true;
static size_t		term_cells;

static void
term_fatal(int sig)
{
	ssize_t w;

	if (term_reset_len > 0)
		w = write(STDOUT_FILENO, term_reset_seq, term_reset_len);
	if (term_saved_ok)
		tcsetattr(STDIN_FILENO, TCSANOW, &term_saved);
	w = write(STDERR_FILENO, "agentconsole: fatal signal\n", 27);
	(void)w;
	signal(sig, SIG_DFL);
	raise(sig);
}

static void
term_add_seq(const char *cap)
{
	char *s = tigetstr((char *)cap);
	size_t n;

	if (s == NULL || s == (char *)-1)
		return;
	n = strlen(s);
	if (term_reset_len + n < sizeof(term_reset_seq)) {
		memcpy(term_reset_seq + term_reset_len, s, n);
		term_reset_len += n;
	}
}

/* Colours of each class on a dark and on a light background (-1: the
 * terminal's own), the attribute added in colour, and the attribute that
 * stands in for the colour in mono. */
struct term_color {
	short	fg, bg;
	attr_t	extra, mono;
};

static const struct term_color term_dark[GC_COUNT] = {
	[GC_NORMAL] = { -1, -1, 0, 0 },
	[GC_HEADER] = { COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE },
	[GC_TAB] = { -1, -1, 0, 0 },
	[GC_TAB_ACTIVE] = { COLOR_CYAN, -1, 0, 0 },
	[GC_TITLE] = { COLOR_GREEN, -1, 0, A_BOLD },
	[GC_SELECTED] = { COLOR_CYAN, -1, 0, 0 },
	[GC_DIM] = { -1, -1, A_DIM, A_DIM },
	[GC_GOOD] = { COLOR_GREEN, -1, 0, 0 },
	[GC_WARN] = { COLOR_YELLOW, -1, 0, A_BOLD },
	[GC_BAD] = { COLOR_RED, -1, 0, A_BOLD },
	[GC_LAND] = { COLOR_GREEN, -1, 0, 0 },
	[GC_MARK] = { COLOR_YELLOW, -1, 0, A_BOLD },
	[GC_MARK_MANY] = { COLOR_RED, -1, 0, A_BOLD },
	[GC_BAR] = { COLOR_CYAN, -1, 0, 0 },
	[GC_PROMPT] = { COLOR_BLACK, COLOR_YELLOW, 0, A_REVERSE },
	[GC_BOX] = { COLOR_BLUE, -1, A_BOLD, A_DIM },
};

/* Yellow, cyan and white text vanish on white: blue, magenta and the
 * darker classics instead. */
static const struct term_color term_light[GC_COUNT] = {
	[GC_NORMAL] = { -1, -1, 0, 0 },
	[GC_HEADER] = { COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE },
	[GC_TAB] = { -1, -1, 0, 0 },
	[GC_TAB_ACTIVE] = { COLOR_BLUE, -1, A_BOLD, 0 },
	[GC_TITLE] = { COLOR_BLUE, -1, 0, A_BOLD },
	[GC_SELECTED] = { COLOR_MAGENTA, -1, 0, 0 },
	[GC_DIM] = { -1, -1, A_DIM, A_DIM },
	[GC_GOOD] = { COLOR_GREEN, -1, 0, 0 },
	[GC_WARN] = { COLOR_MAGENTA, -1, 0, A_BOLD },
	[GC_BAD] = { COLOR_RED, -1, 0, A_BOLD },
	[GC_LAND] = { COLOR_GREEN, -1, 0, 0 },
	[GC_MARK] = { COLOR_MAGENTA, -1, A_BOLD, A_BOLD },
	[GC_MARK_MANY] = { COLOR_RED, -1, A_BOLD, A_BOLD },
	[GC_BAR] = { COLOR_BLUE, -1, 0, 0 },
	[GC_PROMPT] = { COLOR_WHITE, COLOR_BLUE, 0, A_REVERSE },
	[GC_BOX] = { -1, -1, A_DIM, A_DIM },
};

void
term_theme_color(enum config_theme theme, int gc, short *fg, short *bg)
{
	const struct term_color *map = theme == CONFIG_THEME_LIGHT ? term_light : term_dark;

	*fg = *bg = -1;
	if (theme == CONFIG_THEME_MONO || gc < 0 || gc >= GC_COUNT)
		return;
	*fg = map[gc].fg;
	*bg = map[gc].bg;
}

static void
term_setup_colors(enum config_theme theme)
{
	const struct term_color *map = theme == CONFIG_THEME_LIGHT ? term_light : term_dark;

	term_colors = theme != CONFIG_THEME_MONO && has_colors() && start_color() == OK;
	if (term_colors)
		use_default_colors();
	for (int i = 0; i < GC_COUNT; i++) {
		term_mono[i] = map[i].mono;
		term_extra[i] = map[i].extra;
		term_pair[i] = 0;
		if (term_colors && i > 0 && i < COLOR_PAIRS) {
			init_pair((short)i, map[i].fg, map[i].bg);
			term_pair[i] = (short)i;
		}
	}
}

int
term_init(enum config_theme theme, bool mouse, char *err, size_t errlen)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGQUIT };
	struct sigaction sa;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		str_errf(err, errlen, "not a terminal (use --once for text output)");
		return -1;
	}
	if (tcgetattr(STDIN_FILENO, &term_saved) == 0)
		term_saved_ok = true;
	if (newterm(NULL, stdout, stdin) == NULL) {
		str_errf(err, errlen, "cannot initialise the terminal (TERM=%s)",
		    getenv("TERM") ? getenv("TERM") : "unset");
		return -1;
	}
	term_on = true;
	atexit(term_end);
	term_reset_len = 0;
	term_add_seq("rmcup");
	term_add_seq("sgr0");
	term_add_seq("cnorm");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_fatal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
		sigaction(fatal[i], &sa, NULL);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	/* Long enough that an escape sequence (a key, a mouse report) split
	 * by a busy machine or a slow link is not taken for Esc and keys. */
	set_escdelay(50);
	curs_set(0);
	leaveok(stdscr, TRUE);
	term_setup_colors(theme);
	if (mouse) {
		/* Presses, not clicks: no waiting to tell a click from a
		 * double click. */
		mouseinterval(0);
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	}
	term_full = true;
	return 0;
}

void
term_end(void)
{
	if (!term_on)
		return;
	term_on = false;
	mousemask(0, NULL);
	curs_set(1);
	endwin();
	fflush(stdout);
	free(term_prev);
	term_prev = NULL;
}

bool
term_active(void)
{
	return term_on;
}

void
term_size(int *w, int *h)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0 && ws.ws_row > 0) {
		*w = ws.ws_col;
		*h = ws.ws_row;
	} else {
		*w = COLS;
		*h = LINES;
	}
}

void
term_resize(int w, int h)
{
	if (term_on)
		resizeterm(h, w);
	term_full = true;
}

static attr_t
term_attr(uint16_t a, short *pair)
{
	unsigned c = a & GA_COLOR_MASK;
	attr_t at = 0;

	if (c >= GC_COUNT)
		c = GC_NORMAL;
	*pair = term_pair[c];
	at = term_colors ? term_extra[c] : term_mono[c];
	if (a & GA_BOLD)
		at |= A_BOLD;
	if (a & GA_REVERSE)
		at |= A_REVERSE;
	if (a & GA_UNDERLINE)
		at |= A_UNDERLINE;
	return at;
}

static void
term_put(const struct grid *g, int x, int y)
{
	const struct grid_cell *c = grid_at(g, x, y);
	wchar_t wc[2] = { 0, 0 };
	cchar_t cc;
	short pair;
	attr_t at;

	wc[0] = (wchar_t)c->ch;
	at = term_attr(c->attr, &pair);
	if (setcchar(&cc, wc, at, pair, NULL) == OK)
		mvadd_wch(y, x, &cc);
	term_cells++;
}

void
term_draw(const struct grid *g)
{
	int w = g->w < COLS ? g->w : COLS, h = g->h < LINES ? g->h : LINES;
	bool full = term_full || term_prev == NULL || term_pw != g->w || term_ph != g->h;

	if (!term_on)
		return;
	term_cells = 0;
	if (full)
		erase();
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			const struct grid_cell *c = grid_at(g, x, y);
			const struct grid_cell *p = full ? NULL : &term_prev[y * g->w + x];

			if (p != NULL && p->ch == c->ch && p->attr == c->attr)
				continue;
			if (c->ch == GRID_CONT) {
				/* The right half changed: draw its wide character. */
				if (x > 0 && !full)
					term_put(g, x - 1, y);
				continue;
			}
			if (full && c->ch == ' ' && c->attr == GC_NORMAL)
				continue;	/* erase() already blanked it */
			term_put(g, x, y);
		}
	}
	if (term_pw != g->w || term_ph != g->h || term_prev == NULL) {
		free(term_prev);
		term_prev = xcalloc((size_t)g->w * (size_t)g->h, sizeof(*term_prev));
		term_pw = g->w;
		term_ph = g->h;
	}
	memcpy(term_prev, g->cells, (size_t)g->w * (size_t)g->h * sizeof(*term_prev));
	term_full = false;
	wnoutrefresh(stdscr);
	doupdate();
}

size_t
term_last_cells(void)
{
	return term_cells;
}

void
term_force_repaint(void)
{
	if (term_on)
		clearok(curscr, TRUE);
	term_full = true;
}

int
term_getkey(void)
{
	int k;

	if (!term_on)
		return -1;
	k = getch();
	return k == ERR ? -1 : k;
}

bool
term_hungup(void)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR | POLLNVAL)) != 0;
}

enum term_mouse_kind
term_mouse(int *x, int *y)
{
	MEVENT ev;

	if (!term_on || getmouse(&ev) != OK)
		return TM_NONE;
	*x = ev.x;
	*y = ev.y;
	if (ev.bstate & BUTTON4_PRESSED)
		return TM_WHEEL_UP;
	if (ev.bstate & BUTTON5_PRESSED)
		return TM_WHEEL_DOWN;
	if (ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED))
		return TM_CLICK;
	return TM_NONE;
}

void
term_bell(void)
{
	if (term_on)
		beep();
}
