/* term.h -- the curses terminal: start-up, colour mapping, drawing a grid, keys, and restoring the terminal on every exit. */
#ifndef AGENTCHAIN_TERM_H
#define AGENTCHAIN_TERM_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "grid.h"

/* Take over the terminal (curses, cbreak, no echo, keypad, non-blocking
 * input).  THEME picks colours for a dark or light background when the
 * terminal has them, or none (mono); with MOUSE, clicks and the wheel
 * arrive as KEY_MOUSE.  Installs handlers for fatal signals that reset
 * the terminal before dying, and an atexit hook.  Returns 0, or -1 with
 * ERR (e.g. not a terminal). */
int term_init(enum config_theme theme, bool mouse, char *err, size_t errlen);
/* The foreground and background THEME gives the class GC (grid.h), -1 for
 * the terminal's own; both -1 in mono. */
void term_theme_color(enum config_theme theme, int gc, short *fg, short *bg);
/* Give the terminal back.  Idempotent; safe from atexit. */
void term_end(void);
bool term_active(void);
/* The terminal's size now (ioctl). */
void term_size(int *w, int *h);
/* Tell curses about a new size (after SIGWINCH). */
void term_resize(int w, int h);
/* Copy G to the screen with one doupdate(): only the cells that differ
 * from the last frame drawn (everything after a resize or ^L, from an
 * erase()). */
void term_draw(const struct grid *g);
/* Cells written to curses by the last term_draw (for --stats-file). */
size_t term_last_cells(void);
/* Repaint everything on the next draw (^L). */
void term_force_repaint(void);
/* The next key, or -1 when none is waiting. */
int term_getkey(void);
/* Has the terminal hung up (its window closed, the pty gone)?  Then input
 * is readable for ever with nothing in it. */
bool term_hungup(void);

enum term_mouse_kind { TM_NONE = 0, TM_CLICK, TM_WHEEL_UP, TM_WHEEL_DOWN };
/* After term_getkey gave KEY_MOUSE: what happened and where (cell X, Y). */
enum term_mouse_kind term_mouse(int *x, int *y);
/* Ring the terminal's bell. */
void term_bell(void);

#endif
