/* fuzz_socks5.c -- libFuzzer target: the SOCKS5 client state machine on hostile proxy replies, and the server parsers.
 *
 * The first byte picks the client's set-up (credentials, target by name,
 * IPv6 target); the rest is what the proxy says.  Invariants: the machine
 * never takes more than it was given, reaches the same result and sends
 * the same bytes whether the reply comes whole or byte by byte, and never
 * takes anything after it is done or failed.  The server parsers must
 * take no more than they were given, and a parsed request must encode to
 * something that parses back to the same request. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "netaddr.h"
#include "socks5.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
client_setup(struct socks5 *s, uint8_t how, struct wbuf *out)
{
	struct netaddr a;
	char err[128];

	if (how & 4)
		netaddr_parse("[2001:db8::7]:29001", 1, &a);
	else
		netaddr_parse("10.1.2.3:29001", 1, &a);
	if (socks5_init(s, (how & 2) ? "seed.example" : NULL, (how & 2) ? NULL : &a, 29001,
	    (how & 1) ? "user" : NULL, (how & 1) ? "secret" : NULL, err, sizeof(err)) != 0)
		abort();
	socks5_start(s, out);
}

static void
client(const uint8_t *data, size_t size)
{
	struct socks5 whole, bytewise;
	struct wbuf o1, o2;
	enum socks5_status st1, st2 = SOCKS5_MORE;
	size_t used1, used2 = 0, u;

	if (size < 1)
		return;
	wbuf_init(&o1);
	wbuf_init(&o2);
	client_setup(&whole, data[0], &o1);
	client_setup(&bytewise, data[0], &o2);
	data++;
	size--;

	st1 = socks5_input(&whole, data, size, &used1, &o1);
	if (used1 > size || (st1 == SOCKS5_MORE && used1 != size))
		abort();
	for (size_t i = 0; i < size && st2 == SOCKS5_MORE; i++) {
		st2 = socks5_input(&bytewise, data + i, 1, &u, &o2);
		if (u > 1)
			abort();
		used2 += u;
	}
	if (st1 != st2 || used1 != used2 || whole.error != bytewise.error ||
	    whole.reply != bytewise.reply || o1.len != o2.len ||
	    (o1.len > 0 && memcmp(o1.data, o2.data, o1.len) != 0))
		abort();
	if (st1 == SOCKS5_FAILED && whole.error == SOCKS5_ERR_NONE)
		abort();
	if (whole.error == SOCKS5_ERR_PROTOCOL && whole.detail[0] == '\0')
		abort();
	/* Finished machines take nothing more. */
	if (st1 != SOCKS5_MORE && size > 0) {
		if (socks5_input(&whole, data, size, &u, &o1) != st1 || u != 0)
			abort();
	}
	if (st1 == SOCKS5_FAILED) {
		char why[160];

		socks5_strerror(&whole, why, sizeof(why));
		if (strlen(why) == 0)
			abort();
	}
	wbuf_free(&o1);
	wbuf_free(&o2);
}

static void
server(const uint8_t *data, size_t size)
{
	char user[SOCKS5_MAX_FIELD + 1], pass[SOCKS5_MAX_FIELD + 1];
	struct socks5_request r, back;
	struct wbuf w;
	size_t used;
	uint8_t rep;
	bool none, up;

	if (socks5_parse_greeting(data, size, &used, &none, &up) == SOCKS5_DONE && used > size)
		abort();
	if (socks5_parse_auth(data, size, &used, user, pass) == SOCKS5_DONE &&
	    (used > size || strlen(user) == 0))
		abort();
	if (socks5_parse_request(data, size, &used, &r, &rep) != SOCKS5_DONE)
		return;
	if (used > size)
		abort();
	wbuf_init(&w);
	socks5_encode_request(&w, &r);
	if (socks5_parse_request(w.data, w.len, &used, &back, &rep) != SOCKS5_DONE ||
	    used != w.len || back.cmd != r.cmd || !netaddr_equal(&back.addr, &r.addr) ||
	    strcmp(back.host, r.host) != 0)
		abort();
	wbuf_free(&w);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	client(data, size);
	server(data, size);
	return 0;
}
