/* test_config_proxy.c -- network.proxy, network.proxy_user, network.proxy_password: accepted forms, normalisation, every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"

#define ERRLEN 512

/* Load TEXT and finalize; returns 0 or -1 with the reason in ERR. */
static int
try(struct config *c, const char *text, char *err)
{
	config_init(c);
	if (config_load_string(c, text, strlen(text), "t.yaml", err, ERRLEN) != 0)
		return -1;
	return config_finalize(c, err, ERRLEN);
}

static void
test_unset_by_default(void **state)
{
	struct config c;
	char err[ERRLEN];

	(void)state;
	assert_int_equal(try(&c, "network: {name: regtest}\n", err), 0);
	assert_null(c.network.proxy);
	assert_null(c.network.proxy_user);
	assert_null(c.network.proxy_password);
	config_free(&c);
}

static void
test_forms_and_normalisation(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "127.0.0.1", "127.0.0.1:9050" },
		{ "127.0.0.1:1080", "127.0.0.1:1080" },
		{ "localhost", "127.0.0.1:9050" },
		{ "localhost:9150", "127.0.0.1:9150" },
		{ "'[::1]:9050'", "[::1]:9050" },
		{ "'::1'", "[::1]:9050" },
		{ "10.0.0.7:65535", "10.0.0.7:65535" },
	};
	struct config c;
	char err[ERRLEN], text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		snprintf(text, sizeof(text), "network:\n  proxy: %s\n", ok[i].in);
		assert_int_equal(try(&c, text, err), 0);
		assert_string_equal(c.network.proxy, ok[i].out);
		config_free(&c);
	}
	/* Credentials go through untouched. */
	assert_int_equal(try(&c, "network: {proxy: 127.0.0.1, proxy_user: tor-iso-1, "
	    "proxy_password: 'p w:@'}\n", err), 0);
	assert_string_equal(c.network.proxy_user, "tor-iso-1");
	assert_string_equal(c.network.proxy_password, "p w:@");
	config_free(&c);
	/* The command line, as --proxy sets it. */
	config_init(&c);
	assert_int_equal(config_set(&c, "network.proxy", "localhost:1080", err, ERRLEN), 0);
	assert_int_equal(config_finalize(&c, err, ERRLEN), 0);
	assert_string_equal(c.network.proxy, "127.0.0.1:1080");
	config_free(&c);
}

static void
test_refusals(void **state)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "network: {proxy: proxy.example.org}\n",
		  "t.yaml:1: network.proxy: expected numeric address[:port] or localhost[:port], "
		  "got 'proxy.example.org'" },
		{ "network: {proxy: '1.2.3.4:0'}\n", "network.proxy: expected" },
		{ "network: {proxy: '1.2.3.4:99999'}\n", "network.proxy: expected" },
		{ "network: {proxy: '1.2.3.4:x'}\n", "network.proxy: expected" },
		{ "network: {proxy: ''}\n", "network.proxy: expected" },
		{ "network: {proxy: [127.0.0.1]}\n", "network.proxy: expected" },
		{ "network: {proxy: 127.0.0.1, proxy_user: u}\n",
		  "t.yaml:1: network.proxy_user: set without network.proxy_password" },
		{ "network: {proxy: 127.0.0.1, proxy_password: p}\n",
		  "t.yaml:1: network.proxy_password: set without network.proxy_user" },
		{ "network: {proxy_user: u, proxy_password: p}\n",
		  "t.yaml:1: network.proxy_user: set without network.proxy" },
		{ "network: {proxy: 127.0.0.1, proxy_user: '', proxy_password: p}\n",
		  "network.proxy_user: expected 1 to 255 bytes" },
	};
	struct config c;
	char err[ERRLEN], text[700], big[300];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(try(&c, bad[i].text, err), -1);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("'%s': got '%s', want '%s'", bad[i].text, err, bad[i].want);
		config_free(&c);
	}
	/* 256 bytes is one too many for RFC 1929. */
	memset(big, 'x', 256);
	big[256] = '\0';
	snprintf(text, sizeof(text), "network: {proxy: 127.0.0.1, proxy_user: u, "
	    "proxy_password: %s}\n", big);
	assert_int_equal(try(&c, text, err), -1);
	assert_non_null(strstr(err, "network.proxy_password: expected 1 to 255 bytes"));
	config_free(&c);
	big[255] = '\0';
	snprintf(text, sizeof(text), "network: {proxy: 127.0.0.1, proxy_user: u, "
	    "proxy_password: %s}\n", big);
	assert_int_equal(try(&c, text, err), 0);
	config_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unset_by_default),
		cmocka_unit_test(test_forms_and_normalisation),
		cmocka_unit_test(test_refusals),
	};

	setenv("HOME", "/nonexistent-home", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
