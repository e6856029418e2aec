/* fuzz_config.c -- libFuzzer target: agentchain.yaml loading never crashes or leaks. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The input is YAML, optionally followed by NUL, a key, NUL and a value
 * for one command-line override, so that config_set is fuzzed against
 * whatever state the file left.  Finalize runs even after a failed load:
 * the struct must stay consistent whatever went wrong. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *key, *value, *end;
	size_t ylen, klen;
	struct config c;
	char err[256], kbuf[256], vbuf[256];

	ylen = size;
	if ((key = memchr(text, '\0', size)) != NULL)
		ylen = (size_t)(key - text);

	config_init(&c);
	(void)config_load_string(&c, text, ylen, "fuzz", err, sizeof err);
	if (key != NULL) {
		key++;
		end = text + size;
		if ((value = memchr(key, '\0', (size_t)(end - key))) != NULL &&
		    (klen = (size_t)(value - key)) < sizeof kbuf &&
		    (size_t)(end - value - 1) < sizeof vbuf) {
			memcpy(kbuf, key, klen);
			kbuf[klen] = '\0';
			value++;
			memcpy(vbuf, value, (size_t)(end - value));
			vbuf[end - value] = '\0';
			(void)config_set(&c, kbuf, vbuf, err, sizeof err);
		}
	}
	(void)config_finalize(&c, err, sizeof err);
	config_free(&c);
	return 0;
}
