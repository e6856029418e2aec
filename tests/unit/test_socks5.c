/* test_socks5.c -- the SOCKS5 state machine: golden bytes, every reply code, truncated, oversized and garbage replies, any split; the server parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "netaddr.h"
#include "socks5.h"

/* --- helpers ------------------------------------------------------------ */

static size_t
unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;

	for (const char *p = hex; *p != '\0';) {
		unsigned v;

		if (*p == ' ') {
			p++;
			continue;
		}
		assert_int_equal(sscanf(p, "%2x", &v), 1);
		assert_true(n < cap);
		out[n++] = (uint8_t)v;
		p += 2;
	}
	return n;
}

static void
assert_out(struct wbuf *w, const char *hex)
{
	uint8_t want[600];
	size_t n = unhex(hex, want, sizeof(want));

	assert_int_equal(w->len, n);
	if (n > 0)
		assert_memory_equal(w->data, want, n);
	wbuf_reset(w);
}

/* Feed HEX in one piece; returns the status, *USED the bytes taken. */
static enum socks5_status
feed(struct socks5 *s, const char *hex, size_t *used, struct wbuf *out)
{
	uint8_t b[600];
	size_t n = unhex(hex, b, sizeof(b));

	return socks5_input(s, b, n, used, out);
}

static struct netaddr
v4(const char *s)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse(s, 1, &a), 0);
	return a;
}

/* A client to 10.1.2.3:29001 (or by NAME), greeting already sent. */
static void
client(struct socks5 *s, const char *name, const char *user, const char *pass, struct wbuf *out)
{
	struct netaddr a = v4("10.1.2.3:29001");
	char err[128];

	assert_int_equal(socks5_init(s, name, name != NULL ? NULL : &a, 29001, user, pass, err,
	    sizeof(err)), 0);
	socks5_start(s, out);
}

/* --- golden handshakes --------------------------------------------------- */

static void
test_golden_noauth_ipv4(void **state)
{
	struct socks5 s;
	struct wbuf out;
	size_t used;

	(void)state;
	wbuf_init(&out);
	client(&s, NULL, NULL, NULL, &out);
	assert_out(&out, "05 01 00");
	assert_int_equal(feed(&s, "05 00", &used, &out), SOCKS5_MORE);
	assert_int_equal(used, 2);
	assert_true(s.greeted);
	assert_out(&out, "05 01 00 01 0a010203 7149");
	assert_true(s.requested);
	/* Reply with a bound IPv4 address, then two bytes of the peer's. */
	assert_int_equal(feed(&s, "05 00 00 01 7f000001 1f90 f9 be", &used, &out), SOCKS5_DONE);
	assert_int_equal(used, 10);
	assert_int_equal(out.len, 0);
	/* Done is sticky and takes nothing more. */
	assert_int_equal(feed(&s, "f9", &used, &out), SOCKS5_DONE);
	assert_int_equal(used, 0);
	wbuf_free(&out);
}

static void
test_golden_ipv6_target(void **state)
{
	struct socks5 s;
	struct netaddr a;
	struct wbuf out;
	char err[64];
	size_t used;

	(void)state;
	wbuf_init(&out);
	assert_int_equal(netaddr_parse("[2001:db8::1]:8333", 1, &a), 0);
	assert_int_equal(socks5_init(&s, NULL, &a, a.port, NULL, NULL, err, sizeof(err)), 0);
	socks5_start(&s, &out);
	wbuf_reset(&out);
	assert_int_equal(feed(&s, "05 00", &used, &out), SOCKS5_MORE);
	assert_out(&out, "05 01 00 04 20010db8000000000000000000000001 208d");
	/* An IPv6 bound address: 22 bytes. */
	assert_int_equal(feed(&s, "05 00 00 04 00000000000000000000000000000001 0050", &used, &out),
	    SOCKS5_DONE);
	assert_int_equal(used, 22);
	wbuf_free(&out);
}

static void
test_golden_domain_userpass(void **state)
{
	struct socks5 s;
	struct wbuf out;
	size_t used;

	(void)state;
	wbuf_init(&out);
	client(&s, "seed.example", "alice", "pw", &out);
	assert_out(&out, "05 02 00 02");
	assert_int_equal(feed(&s, "05 02", &used, &out), SOCKS5_MORE);
	assert_out(&out, "01 05 616c696365 02 7077");
	assert_int_equal(feed(&s, "01 00", &used, &out), SOCKS5_MORE);
	assert_out(&out, "05 01 00 03 0c 736565642e6578616d706c65 7149");
	/* A bound domain name: VER REP RSV ATYP LEN NAME PORT. */
	assert_int_equal(feed(&s, "05 00 00 03 03 616263 0050 aa", &used, &out), SOCKS5_DONE);
	assert_int_equal(used, 10);
	wbuf_free(&out);
}

/* Offered user/password, the proxy takes no authentication: fine. */
static void
test_userpass_offered_none_chosen(void **state)
{
	struct socks5 s;
	struct wbuf out;
	size_t used;

	(void)state;
	wbuf_init(&out);
	client(&s, NULL, "u", "p", &out);
	wbuf_reset(&out);
	assert_int_equal(feed(&s, "05 00", &used, &out), SOCKS5_MORE);
	assert_out(&out, "05 01 00 01 0a010203 7149");
	wbuf_free(&out);
}

/* --- failures ------------------------------------------------------------- */

static void
test_every_reply_code(void **state)
{
	(void)state;
	for (unsigned rep = 1; rep <= 0xff; rep++) {
		struct socks5 s;
		struct wbuf out;
		uint8_t b[2] = { 5, 0 }, r[4] = { 5, (uint8_t)rep, 0, 1 };
		char why[128], want[64];
		size_t used;

		wbuf_init(&out);
		client(&s, NULL, NULL, NULL, &out);
		assert_int_equal(socks5_input(&s, b, 2, &used, &out), SOCKS5_MORE);
		/* Refused at the header: the address is not waited for. */
		assert_int_equal(socks5_input(&s, r, 4, &used, &out), SOCKS5_FAILED);
		assert_int_equal(used, 4);
		assert_int_equal(s.error, SOCKS5_ERR_REPLY);
		assert_int_equal(s.reply, rep);
		socks5_strerror(&s, why, sizeof(why));
		snprintf(want, sizeof(want), "(SOCKS5 reply %u)", rep);
		assert_non_null(strstr(why, want));
		assert_non_null(strstr(why, socks5_rep_str((uint8_t)rep)));
		wbuf_free(&out);
	}
	assert_string_equal(socks5_rep_str(1), "general SOCKS server failure");
	assert_string_equal(socks5_rep_str(2), "connection not allowed by ruleset");
	assert_string_equal(socks5_rep_str(3), "network unreachable");
	assert_string_equal(socks5_rep_str(4), "host unreachable");
	assert_string_equal(socks5_rep_str(5), "connection refused");
	assert_string_equal(socks5_rep_str(6), "TTL expired");
	assert_string_equal(socks5_rep_str(7), "command not supported");
	assert_string_equal(socks5_rep_str(8), "address type not supported");
	assert_string_equal(socks5_rep_str(9), "unassigned reply code");
	assert_string_equal(socks5_rep_str(0xf0), "onion service descriptor not found");
	assert_string_equal(socks5_rep_str(0xf7), "onion service introduction timed out");
	assert_string_equal(socks5_rep_str(0xf8), "unassigned reply code");
	assert_string_equal(socks5_rep_str(0xff), "unassigned reply code");
}

static void
test_no_acceptable_method(void **state)
{
	struct socks5 s;
	struct wbuf out;
	size_t used;
	char why[128];

	(void)state;
	wbuf_init(&out);
	client(&s, NULL, NULL, NULL, &out);
	wbuf_reset(&out);
	assert_int_equal(feed(&s, "05 ff", &used, &out), SOCKS5_FAILED);
	assert_int_equal(s.error, SOCKS5_ERR_NO_METHOD);
	assert_true(s.greeted);
	assert_false(s.requested);
	assert_int_equal(out.len, 0);
	assert_non_null(strstr(socks5_strerror(&s, why, sizeof(why)), "none of our methods"));
	/* Failed is sticky. */
	assert_int_equal(feed(&s, "05 00", &used, &out), SOCKS5_FAILED);
	assert_int_equal(used, 0);
	wbuf_free(&out);
}

static void
test_auth_refused(void **state)
{
	struct socks5 s;
	struct wbuf out;
	size_t used;
	char why[128];

	(void)state;
	wbuf_init(&out);
	client(&s, NULL, "u", "wrong", &out);
	assert_int_equal(feed(&s, "05 02", &used, &out), SOCKS5_MORE);
	wbuf_reset(&out);
	assert_int_equal(feed(&s, "01 01", &used, &out), SOCKS5_FAILED);
	assert_int_equal(s.error, SOCKS5_ERR_AUTH);
	assert_int_equal(out.len, 0);
	assert_string_equal(socks5_strerror(&s, why, sizeof(why)),
	    "the proxy refused our user name and password");
	/* A bad sub-negotiation version is garbage, not a refusal. */
	client(&s, NULL, "u", "p", &out);
	assert_int_equal(feed(&s, "05 02", &used, &out), SOCKS5_MORE);
	assert_int_equal(feed(&s, "05 00", &used, &out), SOCKS5_FAILED);
	assert_int_equal(s.error, SOCKS5_ERR_PROTOCOL);
	wbuf_free(&out);
}

/* Garbage at every step is a protocol error with a reason. */
static void
test_garbage(void **state)
{
	static const struct {
		const char *method, *reply, *detail;
		bool greeted;
	} cases[] = {
		{ "48 54", NULL, "not a SOCKS5 proxy (version byte 0x48)", false },	/* "HT"TP */
		{ "04 5a", NULL, "not a SOCKS5 proxy (version byte 0x04)", false },	/* SOCKS4 */
		{ "05 02", NULL, "chose method 0x02, which we did not offer", true },
		{ "05 01", NULL, "chose method 0x01, which we did not offer", true },
		{ "05 00", "04 00 00 01", "bad reply version 0x04", true },
		{ "05 00", "05 00 01 01", "reserved byte not zero", true },
		{ "05 00", "05 00 00 02", "bad address type 2 in the reply", true },
		{ "05 00", "05 00 00 00", "bad address type 0 in the reply", true },
		{ "05 00", "05 00 00 ff", "bad address type 255 in the reply", true },
		{ "05 00", "05 00 00 03 00", "empty bound name in the reply", true },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct socks5 s;
		struct wbuf out;
		size_t used;
		enum socks5_status st;

		wbuf_init(&out);
		client(&s, NULL, NULL, NULL, &out);
		st = feed(&s, cases[i].method, &used, &out);
		if (cases[i].reply != NULL) {
			assert_int_equal(st, SOCKS5_MORE);
			st = feed(&s, cases[i].reply, &used, &out);
		}
		assert_int_equal(st, SOCKS5_FAILED);
		assert_int_equal(s.error, SOCKS5_ERR_PROTOCOL);
		assert_string_equal(s.detail, cases[i].detail);
		assert_int_equal(s.greeted, cases[i].greeted);
		wbuf_free(&out);
	}
}

/* Truncated replies ask for more and consume exactly what came. */
static void
test_truncated(void **state)
{
	struct socks5 s;
	struct wbuf out;
	size_t used;

	(void)state;
	wbuf_init(&out);
	client(&s, NULL, NULL, NULL, &out);
	assert_int_equal(feed(&s, "05", &used, &out), SOCKS5_MORE);
	assert_int_equal(used, 1);
	assert_false(s.greeted);
	assert_int_equal(feed(&s, "00", &used, &out), SOCKS5_MORE);
	assert_true(s.requested);
	assert_int_equal(feed(&s, "05 00 00", &used, &out), SOCKS5_MORE);
	assert_int_equal(feed(&s, "01 7f00", &used, &out), SOCKS5_MORE);
	assert_int_equal(feed(&s, "0001 1f", &used, &out), SOCKS5_MORE);
	assert_int_equal(used, 3);
	assert_int_equal(feed(&s, "90", &used, &out), SOCKS5_DONE);
	assert_int_equal(used, 1);
	/* Empty input is fine in any state. */
	assert_int_equal(socks5_input(&s, NULL, 0, &used, &out), SOCKS5_DONE);
	wbuf_free(&out);
}

/* The longest reply (a 255-byte bound name) fits; the peer's bytes that
 * follow it are not taken. */
static void
test_oversized_reply(void **state)
{
	struct socks5 s;
	struct wbuf out;
	uint8_t r[600];
	size_t used;

	(void)state;
	wbuf_init(&out);
	client(&s, NULL, NULL, NULL, &out);
	assert_int_equal(feed(&s, "05 00", &used, &out), SOCKS5_MORE);
	memset(r, 'a', sizeof(r));
	r[0] = 5;
	r[1] = 0;
	r[2] = 0;
	r[3] = SOCKS5_ATYP_DOMAIN;
	r[4] = 255;
	assert_int_equal(socks5_input(&s, r, sizeof(r), &used, &out), SOCKS5_DONE);
	assert_int_equal(used, SOCKS5_MAX_MSG);
	wbuf_free(&out);
}

/* The proxy talking before our greeting is garbage. */
static void
test_spoke_first(void **state)
{
	struct socks5 s;
	struct netaddr a = v4("10.1.2.3:29001");
	struct wbuf out;
	char err[64];
	size_t used;

	(void)state;
	wbuf_init(&out);
	assert_int_equal(socks5_init(&s, NULL, &a, a.port, NULL, NULL, err, sizeof(err)), 0);
	assert_int_equal(socks5_input(&s, NULL, 0, &used, &out), SOCKS5_MORE);
	assert_int_equal(feed(&s, "05 00", &used, &out), SOCKS5_FAILED);
	assert_int_equal(s.error, SOCKS5_ERR_PROTOCOL);
	wbuf_free(&out);
}

/* Every split of a whole conversation gives the same bytes and result. */
static void
test_any_split(void **state)
{
	uint8_t all[64];
	size_t n = unhex("05 02 01 00 05 00 00 03 04 686f7374 1f90 de ad", all, sizeof(all));
	size_t whole_used;
	struct wbuf whole;
	struct socks5 s;

	(void)state;
	wbuf_init(&whole);
	client(&s, "x.test", "user", "pass", &whole);
	assert_int_equal(socks5_input(&s, all, n, &whole_used, &whole), SOCKS5_DONE);
	assert_int_equal(whole_used, n - 2);
	for (size_t cut1 = 0; cut1 <= n; cut1++) {
		for (size_t cut2 = cut1; cut2 <= n; cut2++) {
			struct wbuf out;
			size_t u1, u2, u3;
			enum socks5_status st;

			wbuf_init(&out);
			client(&s, "x.test", "user", "pass", &out);
			st = socks5_input(&s, all, cut1, &u1, &out);
			if (st == SOCKS5_MORE)
				st = socks5_input(&s, all + cut1, cut2 - cut1, &u2, &out);
			else
				u2 = 0;
			if (st == SOCKS5_MORE)
				st = socks5_input(&s, all + cut2, n - cut2, &u3, &out);
			else
				u3 = 0;
			assert_int_equal(st, SOCKS5_DONE);
			assert_int_equal(u1 + u2 + u3, whole_used);
			assert_int_equal(out.len, whole.len);
			assert_memory_equal(out.data, whole.data, out.len);
			wbuf_free(&out);
		}
	}
	wbuf_free(&whole);
}

static void
test_init_rejects(void **state)
{
	struct socks5 s;
	struct netaddr a = v4("10.1.2.3:29001"), noport = v4("10.1.2.3:1");
	char err[128], big[300];

	(void)state;
	memset(big, 'a', sizeof(big));
	big[256] = '\0';
	noport.port = 0;
	assert_int_equal(socks5_init(&s, NULL, &a, a.port, "u", NULL, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a password"));
	assert_int_equal(socks5_init(&s, NULL, &a, a.port, NULL, "p", err, sizeof(err)), -1);
	assert_int_equal(socks5_init(&s, NULL, &a, a.port, "", "p", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "1 to 255 bytes"));
	assert_int_equal(socks5_init(&s, NULL, &a, a.port, "u", "", err, sizeof(err)), -1);
	assert_int_equal(socks5_init(&s, NULL, &a, a.port, big, "p", err, sizeof(err)), -1);
	assert_int_equal(socks5_init(&s, NULL, &a, a.port, "u", big, err, sizeof(err)), -1);
	assert_int_equal(socks5_init(&s, big, NULL, 1, NULL, NULL, err, sizeof(err)), -1);
	assert_int_equal(socks5_init(&s, "", NULL, 1, NULL, NULL, err, sizeof(err)), -1);
	assert_int_equal(socks5_init(&s, "a.test", NULL, 0, NULL, NULL, err, sizeof(err)), -1);
	assert_int_equal(socks5_init(&s, NULL, NULL, 1, NULL, NULL, err, sizeof(err)), -1);
	assert_int_equal(socks5_init(&s, NULL, &noport, 0, NULL, NULL, err, sizeof(err)), -1);
	/* 255 bytes is the most. */
	big[255] = '\0';
	assert_int_equal(socks5_init(&s, big, NULL, 1, big, big, err, sizeof(err)), 0);
}

static void
test_parse_proxy(void **state)
{
	struct netaddr a;
	char buf[NETADDR_STRLEN];

	(void)state;
	assert_int_equal(socks5_parse_proxy("127.0.0.1", &a), 0);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "127.0.0.1:9050");
	assert_int_equal(socks5_parse_proxy("10.0.0.1:1080", &a), 0);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "10.0.0.1:1080");
	assert_int_equal(socks5_parse_proxy("localhost:9150", &a), 0);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "127.0.0.1:9150");
	assert_int_equal(socks5_parse_proxy("localhost", &a), 0);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "127.0.0.1:9050");
	assert_int_equal(socks5_parse_proxy("[::1]:9050", &a), 0);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "[::1]:9050");
	assert_int_equal(socks5_parse_proxy("::1", &a), 0);
	assert_string_equal(netaddr_format(&a, buf, sizeof(buf)), "[::1]:9050");
	assert_int_equal(socks5_parse_proxy("proxy.example:9050", &a), -1);
	assert_int_equal(socks5_parse_proxy("1.2.3.4:0", &a), -1);
	assert_int_equal(socks5_parse_proxy("1.2.3.4:70000", &a), -1);
	assert_int_equal(socks5_parse_proxy("", &a), -1);
	assert_int_equal(socks5_parse_proxy("1.2.3.4:x", &a), -1);
}

/* --- the server side -------------------------------------------------------- */

static void
test_server_greeting(void **state)
{
	uint8_t b[300];
	size_t n, used;
	bool none, up;

	(void)state;
	n = unhex("05 02 00 02 aa", b, sizeof(b));
	assert_int_equal(socks5_parse_greeting(b, n, &used, &none, &up), SOCKS5_DONE);
	assert_int_equal(used, 4);
	assert_true(none);
	assert_true(up);
	n = unhex("05 01 02", b, sizeof(b));
	assert_int_equal(socks5_parse_greeting(b, n, &used, &none, &up), SOCKS5_DONE);
	assert_false(none);
	assert_true(up);
	n = unhex("05 03 80 81 fe", b, sizeof(b));
	assert_int_equal(socks5_parse_greeting(b, n, &used, &none, &up), SOCKS5_DONE);
	assert_false(none);
	assert_false(up);
	/* Truncated, garbage, no methods. */
	assert_int_equal(socks5_parse_greeting(b, 0, &used, &none, &up), SOCKS5_MORE);
	n = unhex("05 03 00", b, sizeof(b));
	assert_int_equal(socks5_parse_greeting(b, n, &used, &none, &up), SOCKS5_MORE);
	assert_int_equal(used, 0);
	n = unhex("04 01 00", b, sizeof(b));
	assert_int_equal(socks5_parse_greeting(b, n, &used, &none, &up), SOCKS5_FAILED);
	n = unhex("47", b, sizeof(b));
	assert_int_equal(socks5_parse_greeting(b, n, &used, &none, &up), SOCKS5_FAILED);
	n = unhex("05 00", b, sizeof(b));
	assert_int_equal(socks5_parse_greeting(b, n, &used, &none, &up), SOCKS5_FAILED);
	/* 255 methods. */
	memset(b, 0x01, sizeof(b));
	b[0] = 5;
	b[1] = 255;
	assert_int_equal(socks5_parse_greeting(b, 256, &used, &none, &up), SOCKS5_MORE);
	assert_int_equal(socks5_parse_greeting(b, 257, &used, &none, &up), SOCKS5_DONE);
	assert_int_equal(used, 257);
}

static void
test_server_auth(void **state)
{
	char user[SOCKS5_MAX_FIELD + 1], pass[SOCKS5_MAX_FIELD + 1];
	uint8_t b[600];
	size_t n, used;

	(void)state;
	n = unhex("01 05 616c696365 02 7077 ff", b, sizeof(b));
	assert_int_equal(socks5_parse_auth(b, n, &used, user, pass), SOCKS5_DONE);
	assert_int_equal(used, n - 1);
	assert_string_equal(user, "alice");
	assert_string_equal(pass, "pw");
	/* An empty password is allowed by RFC 1929. */
	n = unhex("01 01 61 00", b, sizeof(b));
	assert_int_equal(socks5_parse_auth(b, n, &used, user, pass), SOCKS5_DONE);
	assert_string_equal(pass, "");
	/* Every truncation asks for more. */
	n = unhex("01 05 616c696365 02 7077", b, sizeof(b));
	for (size_t k = 0; k < n; k++)
		assert_int_equal(socks5_parse_auth(b, k, &used, user, pass), SOCKS5_MORE);
	/* Garbage. */
	n = unhex("05 01 61 01 62", b, sizeof(b));
	assert_int_equal(socks5_parse_auth(b, n, &used, user, pass), SOCKS5_FAILED);
	n = unhex("01 00 01 62", b, sizeof(b));
	assert_int_equal(socks5_parse_auth(b, n, &used, user, pass), SOCKS5_FAILED);
	n = unhex("01 02 6100 01 62", b, sizeof(b));
	assert_int_equal(socks5_parse_auth(b, n, &used, user, pass), SOCKS5_FAILED);
	n = unhex("01 01 61 02 6200", b, sizeof(b));
	assert_int_equal(socks5_parse_auth(b, n, &used, user, pass), SOCKS5_FAILED);
	/* 255-byte fields. */
	memset(b, 'x', sizeof(b));
	b[0] = 1;
	b[1] = 255;
	b[257] = 255;
	assert_int_equal(socks5_parse_auth(b, 513, &used, user, pass), SOCKS5_DONE);
	assert_int_equal(used, 513);
	assert_int_equal(strlen(user), 255);
	assert_int_equal(strlen(pass), 255);
}

static void
test_server_request(void **state)
{
	struct socks5_request r;
	struct wbuf w;
	uint8_t b[600];
	size_t n, used;
	uint8_t rep;
	char s[NETADDR_STRLEN];

	(void)state;
	wbuf_init(&w);
	n = unhex("05 01 00 01 0a010203 7149 ee", b, sizeof(b));
	assert_int_equal(socks5_parse_request(b, n, &used, &r, &rep), SOCKS5_DONE);
	assert_int_equal(used, 10);
	assert_int_equal(r.cmd, 1);
	assert_int_equal(r.atyp, SOCKS5_ATYP_IPV4);
	assert_string_equal(netaddr_format(&r.addr, s, sizeof(s)), "10.1.2.3:29001");
	socks5_encode_request(&w, &r);
	assert_int_equal(w.len, used);
	assert_memory_equal(w.data, b, used);
	wbuf_reset(&w);

	n = unhex("05 01 00 03 0c 736565642e6578616d706c65 7149", b, sizeof(b));
	assert_int_equal(socks5_parse_request(b, n, &used, &r, &rep), SOCKS5_DONE);
	assert_string_equal(r.host, "seed.example");
	assert_int_equal(r.addr.port, 29001);
	socks5_encode_request(&w, &r);
	assert_int_equal(w.len, n);
	assert_memory_equal(w.data, b, n);
	wbuf_reset(&w);
	for (size_t k = 0; k < n; k++)
		assert_int_equal(socks5_parse_request(b, k, &used, &r, &rep), SOCKS5_MORE);

	n = unhex("05 02 00 04 20010db8000000000000000000000001 208d", b, sizeof(b));
	assert_int_equal(socks5_parse_request(b, n, &used, &r, &rep), SOCKS5_DONE);
	assert_int_equal(r.cmd, 2);	/* BIND: the caller answers 7 */
	assert_string_equal(netaddr_format(&r.addr, s, sizeof(s)), "[2001:db8::1]:8333");

	/* Garbage, with the reply code to send. */
	n = unhex("04 01 00 01 0a010203 7149", b, sizeof(b));
	assert_int_equal(socks5_parse_request(b, n, &used, &r, &rep), SOCKS5_FAILED);
	assert_int_equal(rep, SOCKS5_REP_FAILURE);
	n = unhex("05 01 01 01 0a010203 7149", b, sizeof(b));
	assert_int_equal(socks5_parse_request(b, n, &used, &r, &rep), SOCKS5_FAILED);
	n = unhex("05 01 00 02 0a010203 7149", b, sizeof(b));
	assert_int_equal(socks5_parse_request(b, n, &used, &r, &rep), SOCKS5_FAILED);
	assert_int_equal(rep, SOCKS5_REP_ATYP_UNSUPPORTED);
	n = unhex("05 01 00 03 00 7149", b, sizeof(b));
	assert_int_equal(socks5_parse_request(b, n, &used, &r, &rep), SOCKS5_FAILED);
	n = unhex("05 01 00 03 02 6100 7149", b, sizeof(b));
	assert_int_equal(socks5_parse_request(b, n, &used, &r, &rep), SOCKS5_FAILED);
	wbuf_free(&w);
}

static void
test_server_reply(void **state)
{
	struct netaddr a;
	struct wbuf w;

	(void)state;
	wbuf_init(&w);
	socks5_encode_reply(&w, 0, NULL);
	assert_out(&w, "05 00 00 01 00000000 0000");
	a = v4("127.0.0.1:8080");
	socks5_encode_reply(&w, 5, &a);
	assert_out(&w, "05 05 00 01 7f000001 1f90");
	assert_int_equal(netaddr_parse("[::1]:80", 1, &a), 0);
	socks5_encode_reply(&w, 0, &a);
	assert_out(&w, "05 00 00 04 00000000000000000000000000000001 0050");
	wbuf_free(&w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_golden_noauth_ipv4),
		cmocka_unit_test(test_golden_ipv6_target),
		cmocka_unit_test(test_golden_domain_userpass),
		cmocka_unit_test(test_userpass_offered_none_chosen),
		cmocka_unit_test(test_every_reply_code),
		cmocka_unit_test(test_no_acceptable_method),
		cmocka_unit_test(test_auth_refused),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_oversized_reply),
		cmocka_unit_test(test_spoke_first),
		cmocka_unit_test(test_any_split),
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_parse_proxy),
		cmocka_unit_test(test_server_greeting),
		cmocka_unit_test(test_server_auth),
		cmocka_unit_test(test_server_request),
		cmocka_unit_test(test_server_reply),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
