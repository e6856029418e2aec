/* prompt.c -- the one-line prompt of the status bar: text input and yes/no confirmations.
 *
 * Only printable ASCII is accepted: everything typed here is a host name,
 * an address, a duration or a filter over sanitised strings. */
#include "prompt.h"

#include <curses.h>
#include <string.h>

#include "strutil.h"

void
prompt_open_text(struct prompt *p, int purpose, const char *label, const char *initial)
{
	p->kind = PROMPT_TEXT;
	p->purpose = purpose;
	str_copy(p->label, label, sizeof(p->label));
	str_copy(p->text, initial != NULL ? initial : "", sizeof(p->text));
	p->len = strlen(p->text);
}

void
prompt_open_confirm(struct prompt *p, int purpose, const char *question)
{
	p->kind = PROMPT_CONFIRM;
	p->purpose = purpose;
	str_copy(p->label, question, sizeof(p->label));
	p->text[0] = '\0';
	p->len = 0;
}

void
prompt_close(struct prompt *p)
{
	p->kind = PROMPT_OFF;
}

bool
prompt_active(const struct prompt *p)
{
	return p->kind != PROMPT_OFF;
}

enum prompt_result
prompt_key(struct prompt *p, int key)
{
	if (p->kind == PROMPT_CONFIRM) {
		if (key == 'y' || key == 'Y')
			return PROMPT_ACCEPT;
		if (key == 'n' || key == 'N' || key == 27 || key == 0x07 || key == 'q')
			return PROMPT_CANCEL;
		return PROMPT_CONTINUE;
	}
	if (p->kind != PROMPT_TEXT)
		return PROMPT_CANCEL;
	switch (key) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		return PROMPT_ACCEPT;
	case 27:
	case 0x07:
		return PROMPT_CANCEL;
	case KEY_BACKSPACE:
	case 0x7f:
	case 0x08:
		if (p->len == 0)
			return PROMPT_CONTINUE;
		p->text[--p->len] = '\0';
		return PROMPT_CHANGED;
	case 0x15:	/* ^U */
		if (p->len == 0)
			return PROMPT_CONTINUE;
		p->len = 0;
		p->text[0] = '\0';
		return PROMPT_CHANGED;
	default:
		if (key < 0x20 || key > 0x7e || p->len + 1 >= sizeof(p->text))
			return PROMPT_CONTINUE;
		p->text[p->len++] = (char)key;
		p->text[p->len] = '\0';
		return PROMPT_CHANGED;
	}
}

void
prompt_draw(const struct prompt *p, struct grid *g, int y)
{
	int x;

	if (p->kind == PROMPT_OFF)
		return;
	grid_fill(g, (struct rect){ 0, y, g->w, 1 }, ' ', GC_PROMPT);
	x = grid_text(g, 0, y, g->w, GC_PROMPT | GA_BOLD, p->label);
	if (p->kind == PROMPT_CONFIRM) {
		grid_text(g, x, y, g->w - x, GC_PROMPT | GA_BOLD, " (y/n)");
		return;
	}
	x += grid_text(g, x, y, g->w - x, GC_PROMPT, " ");
	/* Show the end of a long input. */
	{
		int avail = g->w - x - 1, tw = (int)p->len;
		const char *t = p->text + (tw > avail && avail > 0 ? tw - avail : 0);

		if (avail > 0)
			x += grid_text(g, x, y, avail, GC_PROMPT, t);
	}
	grid_put(g, x, y, '_', GC_PROMPT | GA_BOLD);
}
