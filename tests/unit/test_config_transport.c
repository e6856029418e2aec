/* test_config_transport.c -- network.transport: the default, each value as conn's enum, refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "conn.h"

#define ERRLEN 512

static void
test_default_is_v2(void **state)
{
	struct config c;

	(void)state;
	config_init(&c);
	assert_int_equal(c.network.transport, CONN_TRANSPORT_V2);
	config_free(&c);
}

static void
test_values(void **state)
{
	static const struct {
		const char		*in;
		enum conn_transport	 out;
	} ok[] = {
		{ "v1", CONN_TRANSPORT_V1 },
		{ "v2", CONN_TRANSPORT_V2 },
		{ "v2-only", CONN_TRANSPORT_V2_ONLY },
	};
	static const char *const bad[] = { "v3", "", "v2only", "on", "1" };
	struct config c;
	char err[ERRLEN], text[128];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		config_init(&c);
		snprintf(text, sizeof(text), "network:\n  transport: %s\n", ok[i].in);
		assert_int_equal(config_load_string(&c, text, strlen(text), "t.yaml", err, ERRLEN), 0);
		assert_int_equal(c.network.transport, ok[i].out);
		/* The flag's path (--transport) says the same. */
		assert_int_equal(config_set(&c, "network.transport", ok[i].in, err, ERRLEN), 0);
		assert_int_equal(c.network.transport, ok[i].out);
		config_free(&c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_init(&c);
		assert_int_equal(config_set(&c, "network.transport", bad[i], err, ERRLEN), -1);
		assert_non_null(strstr(err, "v2|v1|v2-only"));
		assert_int_equal(c.network.transport, CONN_TRANSPORT_V2);
		config_free(&c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_is_v2),
		cmocka_unit_test(test_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
