/* jsonval.h -- checked reads of the node's RPC answers: typed values with defaults, strings bounded and made safe to draw. */
#ifndef AGENTCHAIN_JSONVAL_H
#define AGENTCHAIN_JSONVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/*
 * Everything an RPC answer holds is input: a value of the wrong type is
 * as good as absent, so each read names the default it falls back to.
 * O may be NULL or not an object (then every read gives the default).
 */

/* Integer KEY of O (a finite real within +/-9e18 is truncated), else DEF. */
int64_t jv_int(json_t *o, const char *key, int64_t def);
/* Finite number KEY of O, else DEF. */
double jv_num(json_t *o, const char *key, double def);
/* Is KEY of O true? */
bool jv_bool(json_t *o, const char *key);
/* String KEY of O made safe to draw (fmt_untrusted) into OUT (OUTLEN
 * bytes, cut between whole escapes); "" when absent or not a string. */
void jv_str(json_t *o, const char *key, char *out, size_t outlen);

#endif
