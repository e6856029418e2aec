/* prompt.h -- the one-line prompt of the status bar: text input and yes/no confirmations. */
#ifndef AGENTCHAIN_PROMPT_H
#define AGENTCHAIN_PROMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grid.h"

enum prompt_kind {
	PROMPT_OFF = 0,
	PROMPT_TEXT,
	PROMPT_CONFIRM,
};

enum prompt_result {
	PROMPT_CONTINUE = 0,	/* key consumed, still open */
	PROMPT_CHANGED,		/* text changed (live filters) */
	PROMPT_ACCEPT,		/* Enter, or y to a question */
	PROMPT_CANCEL,		/* Esc, ^G, or n to a question */
};

#define PROMPT_TEXTMAX	128

/* The target of a pending action is copied in when the prompt opens, so
 * the action hits what the question named even if rows move meanwhile. */
struct prompt {
	enum prompt_kind kind;
	int		 purpose;		/* the caller's tag */
	char		 label[200];
	char		 text[PROMPT_TEXTMAX];
	size_t		 len;
	uint64_t	 peer_id;
	char		 target[96];
	int64_t		 value;
};

/* Open a text prompt with LABEL and INITIAL text (may be NULL). */
void prompt_open_text(struct prompt *p, int purpose, const char *label, const char *initial);
/* Open a yes/no question; QUESTION should name the target. */
void prompt_open_confirm(struct prompt *p, int purpose, const char *question);
/* Close the prompt (its text and target stay readable until the next
 * open). */
void prompt_close(struct prompt *p);
/* Is a prompt open (and owning the keyboard)? */
bool prompt_active(const struct prompt *p);
/* Feed one key (a character or curses KEY_* code). */
enum prompt_result prompt_key(struct prompt *p, int key);
/* Draw on row Y of G. */
void prompt_draw(const struct prompt *p, struct grid *g, int y);

#endif
