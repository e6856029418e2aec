/* test_identity.c -- the node's identity key file (create, load, permissions, corruption) and idserve's answers on a fake transport. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_io.h"
#include "../../node/identity.h"
#include "../../node/idserve.h"
#include "idproof.h"
#include "log.h"
#include "rnd.h"

#define T0_MS	1700000000000LL

static char dir[64];
static char keypath[128];

static int
setup(void **state)
{
	(void)state;
	log_set_level(LOGL_ERROR);
	strcpy(dir, "/tmp/test_identity.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(keypath, sizeof(keypath), "%s/%s", dir, IDENTITY_FILE);
	clock_fake_start(T0_MS);
	return hash_init();
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	clock_fake_stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void
write_file(const char *text, mode_t mode)
{
	int fd;

	unlink(keypath);
	fd = open(keypath, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *
read_file(void)
{
	static char buf[256];
	FILE *f = fopen(keypath, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The first start creates a private key file; the next loads the same key. */
static void
test_create_then_load(void **state)
{
	struct identity *id, *again;
	char err[256], pk[IDPROOF_PUBKEY_HEXLEN], before[256];
	bool created;
	struct stat st;

	(void)state;
	unlink(keypath);
	id = identity_open(dir, "agc1reward", &created, err, sizeof(err));
	assert_non_null(id);
	assert_true(created);
	assert_int_equal(stat(keypath, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(strlen(identity_pubkey_hex(id)), 64);
	assert_string_equal(identity_pubkey_hex(id), idproof_pubkey_hex(identity_pubkey(id), pk));
	assert_string_equal(identity_reward(id), "agc1reward");
	assert_int_equal(strncmp(read_file(), "agentchain-identity-v1 ", 23), 0);
	strcpy(before, read_file());

	again = identity_open(dir, NULL, &created, err, sizeof(err));
	assert_non_null(again);
	assert_false(created);
	assert_string_equal(identity_pubkey_hex(again), identity_pubkey_hex(id));
	assert_string_equal(identity_reward(again), "");
	assert_string_equal(read_file(), before);
	identity_free(id);
	identity_free(again);
}

/* A key file that exists but cannot be used stops the start and is left
 * exactly as it was: never silently replaced. */
static void
test_unusable_files_are_refused_not_replaced(void **state)
{
	static const char good[] = "agentchain-identity-v1 "
	    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\n";
	static const char *const corrupt[] = {
		"",
		"agentchain-identity-v1 a0a1\n",
		"agentchain-identity-v2 "
		    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\n",
		"agentchain-identity-v1 "
		    "A0A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4B5B6B7B8B9BABBBCBDBEBF\n",
		"agentchain-identity-v1 "
		    "a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\nx",
		"agentchain-identity-v1 "
		    "g0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\n",
	};
	struct identity *id;
	char err[256], link[160];
	bool created;

	(void)state;
	/* The good file loads, with the golden vector's public key. */
	write_file(good, 0600);
	id = identity_open(dir, NULL, &created, err, sizeof(err));
	assert_non_null(id);
	assert_string_equal(identity_pubkey_hex(id),
	    "4fd099ccd47d7893dfe9ec24414ecb0d9b5420232aad30d91c465be33cbe65c4");
	identity_free(id);
	/* Readable by group or others: refused, with the fix in the message. */
	write_file(good, 0640);
	assert_null(identity_open(dir, NULL, &created, err, sizeof(err)));
	assert_non_null(strstr(err, "too open"));
	assert_non_null(strstr(err, "chmod 600"));
	write_file(good, 0604);
	assert_null(identity_open(dir, NULL, &created, err, sizeof(err)));
	assert_string_equal(read_file(), good);
	for (size_t i = 0; i < sizeof(corrupt) / sizeof(corrupt[0]); i++) {
		write_file(corrupt[i], 0600);
		assert_null(identity_open(dir, NULL, &created, err, sizeof(err)));
		assert_false(created);
		assert_non_null(strstr(err, "not an identity key"));
		assert_string_equal(read_file(), corrupt[i]);
	}
	/* Unreadable (a directory in its place) and a symbolic link. */
	unlink(keypath);
	assert_int_equal(mkdir(keypath, 0700), 0);
	assert_null(identity_open(dir, NULL, &created, err, sizeof(err)));
	assert_non_null(strstr(err, IDENTITY_FILE));
	assert_int_equal(rmdir(keypath), 0);
	snprintf(link, sizeof(link), "%s/elsewhere", dir);
	write_file(good, 0600);
	assert_int_equal(rename(keypath, link), 0);
	assert_int_equal(symlink(link, keypath), 0);
	assert_null(identity_open(dir, NULL, &created, err, sizeof(err)));
	assert_non_null(strstr(err, "symbolic link"));
	unlink(keypath);
	unlink(link);
	/* A bad reward address is refused before any file is touched. */
	assert_null(identity_open(dir, "bad\naddress", &created, err, sizeof(err)));
	assert_int_equal(access(keypath, F_OK), -1);
}

/* --- idserve on the fake transport ---------------------------------------- */

struct idstack {
	struct stack		 s;
	struct identity		*id;
	struct idserve		*is;
};

static void
idstack_init(struct idstack *t)
{
	char err[256];
	bool created;

	unlink(keypath);
	stack_init(&t->s, NULL, false);
	t->id = identity_open(dir, "agc1reward", &created, err, sizeof(err));
	assert_non_null(t->id);
	t->is = idserve_new(&(struct idserve_opts){ .cfg = &t->s.cfg, .identity = t->id,
	    .connman = t->s.cm, .peerman = t->s.pm });
	assert_non_null(t->is);
}

static void
idstack_free(struct idstack *t)
{
	stack_free(&t->s);
	idserve_free(t->is);
	identity_free(t->id);
}

static void
send_challenge(struct conn *c, const char *addr, struct idproof_challenge *ch)
{
	struct msg m;

	rnd_bytes(ch->nonce, sizeof(ch->nonce));
	ch->addr = addr_of(addr);
	msg_getidentity_init(&m, ch);
	fake_deliver(c, &m);
}

/* The identity answers C sent since the last call; the last one in *A. */
static int
answers(struct conn *c, struct idproof_answer *a)
{
	struct msg m;
	int n = 0;

	while (fake_next_sent(c, &m)) {
		if (m.type == MSG_IDENTITY) {
			n++;
			*a = m.u.identity;
		}
		msg_free(&m);
	}
	return n;
}

/* A challenge for the address the asker reached us at is answered with a
 * proof that verifies and carries our key and reward address. */
static void
test_answers_for_own_address(void **state)
{
	struct idstack t;
	struct idproof_challenge ch;
	struct idproof_answer a;
	struct idserve_stats st;
	struct netaddr ext;
	struct conn *c;

	(void)state;
	idstack_init(&t);
	c = stack_inbound_active(&t.s, "10.1.0.1:5000", NULL);
	c->local = addr_of("10.9.0.1:29001");
	send_challenge(c, "10.9.0.1:29001", &ch);
	assert_int_equal(answers(c, &a), 1);
	assert_true(idproof_verify(t.s.cfg.params->magic, &ch, &a));
	assert_memory_equal(a.pubkey, identity_pubkey(t.id), IDPROOF_PUBKEY_LEN);
	assert_string_equal(a.reward, "agc1reward");
	/* The advertised address (UPnP, NAT-PMP, a listen address) is ours too. */
	ext = addr_of("23.5.6.7:29001");
	connman_set_local_addr(t.s.cm, &ext);
	send_challenge(c, "23.5.6.7:29001", &ch);
	assert_int_equal(answers(c, &a), 1);
	assert_true(idproof_verify(t.s.cfg.params->magic, &ch, &a));
	idserve_stats(t.is, &st);
	assert_int_equal(st.answered, 2);
	idstack_free(&t);
}

/* A relayed challenge -- for an address that is not ours, here the
 * relaying host's own -- gets no answer; nor does another port of our IP. */
static void
test_refuses_challenge_for_another_address(void **state)
{
	struct idstack t;
	struct idproof_challenge ch;
	struct idproof_answer a;
	struct idserve_stats st;
	struct conn *c;

	(void)state;
	idstack_init(&t);
	c = stack_inbound_active(&t.s, "10.1.0.1:5000", NULL);
	c->local = addr_of("10.9.0.1:29001");
	send_challenge(c, "10.1.0.1:29001", &ch);
	send_challenge(c, "10.9.0.1:29002", &ch);
	send_challenge(c, "23.5.6.7:29001", &ch);
	assert_int_equal(answers(c, &a), 0);
	idserve_stats(t.is, &st);
	assert_int_equal(st.not_ours, 3);
	assert_int_equal(st.answered, 0);
	/* Without the socket's address nothing is ours but what we know. */
	c->local = (struct netaddr){ 0 };
	send_challenge(c, "10.9.0.1:29001", &ch);
	assert_int_equal(answers(c, &a), 0);
	idstack_free(&t);
}

/* A peer cannot keep us signing: IDSERVE_BURST answers, then about
 * IDSERVE_PER_MINUTE a minute; the rest is ignored. */
static void
test_rate_limited_per_peer(void **state)
{
	struct idstack t;
	struct idproof_challenge ch;
	struct idproof_answer a;
	struct idserve_stats st;
	struct conn *c, *other;
	int got;

	(void)state;
	idstack_init(&t);
	c = stack_inbound_active(&t.s, "10.1.0.1:5000", NULL);
	c->local = addr_of("10.9.0.1:29001");
	for (int i = 0; i < 50; i++)
		send_challenge(c, "10.9.0.1:29001", &ch);
	got = answers(c, &a);
	assert_int_equal(got, IDSERVE_BURST);
	idserve_stats(t.is, &st);
	assert_int_equal(st.rate_limited, 50 - IDSERVE_BURST);
	/* A minute later the allowance is back, no more. */
	clock_fake_advance(60 * 1000);
	for (int i = 0; i < 10; i++)
		send_challenge(c, "10.9.0.1:29001", &ch);
	assert_int_equal(answers(c, &a), IDSERVE_PER_MINUTE);
	/* Another peer has its own allowance. */
	other = stack_inbound_active(&t.s, "10.1.0.2:5000", NULL);
	other->local = addr_of("10.9.0.1:29001");
	send_challenge(other, "10.9.0.1:29001", &ch);
	assert_int_equal(answers(other, &a), 1);
	idstack_free(&t);
}

/* A peer below PROTO_DATA_VERSION is not answered. */
static void
test_old_peer_not_answered(void **state)
{
	struct idstack t;
	struct idproof_challenge ch;
	struct idproof_answer a;
	struct idserve_stats st;
	struct netaddr from = addr_of("10.1.0.3:5000");
	const char *why;
	struct peer *p;
	struct conn *c;
	struct msg m;

	(void)state;
	idstack_init(&t);
	p = connman_accept(t.s.cm, -1, &from, &why);
	assert_non_null(p);
	c = fake_last(&t.s.io);
	fake_version(&m, 0x7777, 5, NODE_NETWORK);
	m.u.version.version = PROTO_DATA_VERSION - 100;
	fake_deliver(c, &m);
	msg_init(&m, MSG_VERACK);
	fake_deliver(c, &m);
	fake_drain(c, -1);
	c->local = addr_of("10.9.0.1:29001");
	send_challenge(c, "10.9.0.1:29001", &ch);
	assert_int_equal(answers(c, &a), 0);
	idserve_stats(t.is, &st);
	assert_int_equal(st.old_version, 1);
	idstack_free(&t);
}

/* node.identity false: node.c registers no idserve, so a challenge --
 * even for the socket's own address -- goes unanswered and nothing is
 * counted against the peer beyond the message itself. */
static void
test_identity_off_ignores_getidentity(void **state)
{
	struct stack s;
	struct idproof_challenge ch;
	struct idproof_answer a;
	struct peerman_view v;
	struct peer *p;
	struct conn *c;

	(void)state;
	stack_init(&s, (const char *const[]){ "node.identity=false", NULL }, false);
	assert_false(s.cfg.node.identity);
	c = stack_inbound_active(&s, "10.1.0.1:5000", &p);
	c->local = addr_of("10.9.0.1:29001");
	send_challenge(c, "10.9.0.1:29001", &ch);
	assert_int_equal(answers(c, &a), 0);
	assert_false(p->gone);
	assert_true(peerman_view(s.pm, p, &v));
	assert_int_equal(peerman_stats(s.pm)->msgs_recv[MSG_GETIDENTITY], 1);
	assert_int_equal(peerman_stats(s.pm)->msgs_sent[MSG_IDENTITY], 0);
	stack_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_then_load),
		cmocka_unit_test(test_unusable_files_are_refused_not_replaced),
		cmocka_unit_test(test_answers_for_own_address),
		cmocka_unit_test(test_refuses_challenge_for_another_address),
		cmocka_unit_test(test_rate_limited_per_peer),
		cmocka_unit_test(test_old_peer_not_answered),
		cmocka_unit_test(test_identity_off_ignores_getidentity),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
