/* jsonval.c -- checked reads of the node's RPC answers: typed values with defaults, strings bounded and made safe to draw. */
#include "jsonval.h"

#include <math.h>

#include "fmt.h"

int64_t
jv_int(json_t *o, const char *key, int64_t def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_integer(v))
		return (int64_t)json_integer_value(v);
	if (json_is_real(v) && isfinite(json_real_value(v)) &&
	    fabs(json_real_value(v)) < 9e18)
		return (int64_t)json_real_value(v);
	return def;
}

double
jv_num(json_t *o, const char *key, double def)
{
	json_t *v = json_object_get(o, key);

	if (json_is_number(v) && isfinite(json_number_value(v)))
		return json_number_value(v);
	return def;
}

bool
jv_bool(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* The node sanitises what peers say before it answers, so this must not
 * escape that again (fmt_untrusted keeps its backslashes). */
void
jv_str(json_t *o, const char *key, char *out, size_t outlen)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v)) {
		out[0] = '\0';
		return;
	}
	fmt_untrusted(json_string_value(v), json_string_length(v), out, outlen);
}
