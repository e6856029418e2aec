/* test_idprobe.c -- the crawler's side of identity proofs: the challenge, the check, nodes.identity and the visits rows. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../../crawler/idprobe.h"
#include "chainparams.h"
#include "crawldb.h"
#include "hash.h"
#include "idproof.h"
#include "msg.h"

static char dir[64];
static char path[128];
static uint8_t seckey[IDPROOF_SECKEY_LEN], pubkey[IDPROOF_PUBKEY_LEN];

static int
setup(void **state)
{
	uint8_t seed[IDPROOF_SEED_LEN] = { 7 };

	(void)state;
	strcpy(dir, "/tmp/test_idprobe.XXXXXX");
	if (mkdtemp(dir) == NULL || hash_init() == -1)
		return -1;
	snprintf(path, sizeof(path), "%s/crawl.db", dir);
	idproof_keypair_from_seed(seed, pubkey, seckey);
	return 0;
}

static int
teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static const uint8_t *
magic(void)
{
	return chainparams_by_name("regtest")->magic;
}

/* What an honest node at the challenged address answers. */
static void
answer(const struct idproof_challenge *c, const char *reward, struct idproof_answer *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->pubkey, pubkey, sizeof(pubkey));
	strcpy(a->reward, reward);
	a->reward_len = strlen(reward);
	idproof_sign(magic(), c, a, seckey);
}

static struct netaddr
addr_of(const char *s)
{
	struct netaddr a;

	assert_int_equal(netaddr_parse(s, 29001, &a), 0);
	return a;
}

static void
test_challenge_and_answer(void **state)
{
	struct netaddr dialled = addr_of("127.0.0.9:29001");
	struct msg_version v = { .version = PROTO_DATA_VERSION, .services = NODE_IDENTITY };
	struct idprobe ip, ip2;
	struct idproof_answer a;
	struct idproof_challenge other;
	char hex[IDPROOF_PUBKEY_HEXLEN];
	struct msg m;

	(void)state;
	/* Only a node of the data version that announces the bit is asked. */
	assert_true(idprobe_wanted(&v));
	v.services = NODE_NETWORK;
	assert_false(idprobe_wanted(&v));
	v.services = NODE_IDENTITY;
	v.version = PROTO_DATA_VERSION - 1;
	assert_false(idprobe_wanted(&v));

	idprobe_challenge(&ip, &dialled, &m);
	assert_int_equal(m.type, MSG_GETIDENTITY);
	assert_true(netaddr_equal(&m.u.getidentity.addr, &dialled));
	idprobe_challenge(&ip2, &dialled, &m);
	/* Fresh nonces. */
	assert_memory_not_equal(ip.challenge.nonce, ip2.challenge.nonce, IDPROOF_NONCE_LEN);

	answer(&ip.challenge, "agc1r", &a);
	assert_true(idprobe_answer(&ip, magic(), &a));
	assert_string_equal(ip.pubkey, idproof_pubkey_hex(pubkey, hex));
	assert_string_equal(ip.reward, "agc1r");

	/* An answer signed for another address (a relayed proof) fails, and
	 * only the first answer counts. */
	other = ip2.challenge;
	other.addr = addr_of("127.0.0.2:29001");
	answer(&other, "", &a);
	assert_false(idprobe_answer(&ip2, magic(), &a));
	answer(&ip2.challenge, "", &a);
	assert_false(idprobe_answer(&ip2, magic(), &a));
	assert_string_equal(ip2.pubkey, "");
}

static long long
count(const char *sql)
{
	sqlite3 *s;
	sqlite3_stmt *st;
	long long n;

	assert_int_equal(sqlite3_open(path, &s), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(s, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(s);
	return n;
}

/* An address gets visits rows from its first proof on: ok 1 with the key
 * when it proves it, ok 0 when the visit fails; others get none. */
static void
test_record_identity_and_visits(void **state)
{
	struct crawldb *db;
	struct crawldb_node rec, other, back;
	struct idprobe ip;
	struct idproof_answer a;
	struct msg m;
	char err[256], hex[IDPROOF_PUBKEY_HEXLEN], sql[512];
	int fields;

	(void)state;
	unlink(path);
	db = crawldb_open(path, 0, err, sizeof(err));
	assert_non_null(db);
	assert_int_equal(crawldb_schema_version(db), CRAWLDB_SCHEMA_VERSION);
	memset(&rec, 0, sizeof(rec));
	strcpy(rec.network, "regtest");
	rec.addr = addr_of("127.0.0.9:29001");
	other = rec;
	other.addr = addr_of("127.0.0.8:29001");

	/* Never proven, failed: no row. */
	assert_int_equal(idprobe_record(db, &other, NULL, 100, err, sizeof(err)), 0);
	/* Asked, no answer: still nothing. */
	idprobe_challenge(&ip, &rec.addr, &m);
	assert_int_equal(idprobe_record(db, &rec, &ip, 100, err, sizeof(err)), 0);
	assert_int_equal(count("SELECT count(*) FROM visits"), 0);

	/* Proven: the record changes, one ok row with the key. */
	answer(&ip.challenge, "agc1r", &a);
	assert_true(idprobe_answer(&ip, magic(), &a));
	fields = idprobe_record(db, &rec, &ip, 200, err, sizeof(err));
	assert_int_equal(fields, CRAWLDB_PUT_IDENTITY);
	assert_string_equal(rec.identity, idproof_pubkey_hex(pubkey, hex));
	assert_string_equal(rec.reward_address, "agc1r");
	assert_int_equal(crawldb_put(db, &rec, CRAWLDB_PUT_ALL, err, sizeof(err)), 0);
	/* The same proof again changes nothing in the record. */
	assert_int_equal(idprobe_record(db, &rec, &ip, 300, err, sizeof(err)), 0);
	/* A failed visit of a proven address: ok 0. */
	assert_int_equal(idprobe_record(db, &rec, NULL, 400, err, sizeof(err)), 0);

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM visits v JOIN nodes n ON "
	    "v.network = n.network AND v.ip = n.ip AND v.port = n.port WHERE v.ok = 1 AND "
	    "v.identity = '%s' AND n.identity = '%s' AND v.ts IN (200, 300)", hex, hex);
	assert_int_equal(count(sql), 2);
	assert_int_equal(count("SELECT count(*) FROM visits WHERE ok = 0 AND ts = 400 AND "
	    "identity = ''"), 1);
	assert_int_equal(count("SELECT count(*) FROM visits"), 3);
	assert_int_equal(crawldb_get(db, "regtest", &rec.addr, 500, &back, err, sizeof(err)), 1);
	assert_string_equal(back.identity, hex);
	assert_string_equal(back.reward_address, "agc1r");
	crawldb_close(db);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_challenge_and_answer),
		cmocka_unit_test(test_record_identity_and_visits),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
