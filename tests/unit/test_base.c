/* test_base.c -- small shared modules: hash, rnd, strutil, log, chainparams, atomicfile. */
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

#include "atomicfile.h"
#include "chainparams.h"
#include "clock.h"
#include "hash.h"
#include "log.h"
#include "rnd.h"
#include "strutil.h"

static int
setup(void **state)
{
	(void)state;
	return hash_init();
}

static void
test_sha256d_vector(void **state)
{
	/* SHA-256d("") = 5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456 */
	static const uint8_t want[4] = { 0x5d, 0xf6, 0xe0, 0xe2 };
	uint8_t h[32], c[4];

	(void)state;
	hash_sha256d("", 0, h);
	assert_memory_equal(h, want, 4);
	assert_int_equal(h[31], 0x56);
	hash_checksum("", 0, c);
	assert_memory_equal(c, want, 4);
}

static void
test_siphash_keyed(void **state)
{
	uint8_t k1[16] = { 0 }, k2[16] = { 1 };

	(void)state;
	assert_true(hash_siphash(k1, "abc", 3) == hash_siphash(k1, "abc", 3));
	assert_true(hash_siphash(k1, "abc", 3) != hash_siphash(k2, "abc", 3));
	assert_true(hash_siphash(k1, "abc", 3) != hash_siphash(k1, "abd", 3));
}

static void
test_rnd_uniform_bounds(void **state)
{
	int seen[7] = { 0 };
	int arr[10];

	(void)state;
	for (int i = 0; i < 7000; i++) {
		uint32_t v = rnd_uniform(7);
		assert_true(v < 7);
		seen[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(seen[i] > 700);	/* 1000 expected; 700 is > 9 sigma off */
	assert_int_equal(rnd_uniform(0), 0);
	assert_int_equal(rnd_uniform(1), 0);
	for (int i = 0; i < 100; i++) {
		double d = rnd_double();
		assert_true(d >= 0.0 && d < 1.0);
	}
	for (int i = 0; i < 10; i++)
		arr[i] = i;
	rnd_shuffle(arr, 10, sizeof(arr[0]));
	int sum = 0;
	for (int i = 0; i < 10; i++)
		sum += arr[i];
	assert_int_equal(sum, 45);
}

static void
test_str_sanitize(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(str_sanitize("/agentnode:0.1/", 15, out, sizeof(out)), "/agentnode:0.1/");
	assert_string_equal(str_sanitize("a\nb\x1b[2J\\", 8, out, sizeof(out)),
	    "a\\x0ab\\x1b[2J\\x5c");
	assert_string_equal(str_sanitize("a\0b", 3, out, sizeof(out)), "a\\x00b");
	/* never splits an escape, always terminates */
	assert_string_equal(str_sanitize("abc\x01", 4, out, 6), "abc");
	assert_string_equal(str_sanitize("abcdef", 6, out, 4), "abc");
}

static void
test_str_copy_and_ll(void **state)
{
	char small[4];
	long long v;

	(void)state;
	assert_true(str_copy(small, "abc", sizeof(small)));
	assert_false(str_copy(small, "abcd", sizeof(small)));
	assert_string_equal(small, "abc");
	assert_int_equal(str_to_ll("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(str_to_ll("-1", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("101", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("4x", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("", 0, 100, &v), -1);
	assert_int_equal(str_to_ll("99999999999999999999", 0, 100, &v), -1);
}

static void
test_log_levels(void **state)
{
	enum log_level l;
	char err[256], path[] = "/tmp/agentchain-logtest-XXXXXX", buf[512];
	int fd;
	FILE *fp;

	(void)state;
	assert_int_equal(log_level_parse("DEBUG", &l), 0);
	assert_int_equal(l, LOGL_DEBUG);
	assert_int_equal(log_level_parse("warning", &l), 0);
	assert_int_equal(l, LOGL_WARN);
	assert_int_equal(log_level_parse("loud", &l), -1);
	assert_string_equal(log_level_name(LOGL_TRACE), "trace");

	fd = mkstemp(path);
	assert_true(fd != -1);
	close(fd);
	assert_int_equal(log_open(path, err, sizeof(err)), 0);
	log_set_level(LOGL_INFO);
	log_info("test", "hello %d", 7);
	log_debug("test", "hidden");
	log_close();
	fp = fopen(path, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	assert_non_null(strstr(buf, "info  [test] hello 7\n"));
	assert_true(buf[4] == '-' && buf[10] == 'T' && buf[23] == 'Z');
	assert_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	unlink(path);
	assert_int_equal(log_open("/nonexistent-dir/x.log", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent-dir/x.log"));
}

static void
test_chainparams(void **state)
{
	const struct chainparams *m = chainparams_by_name("mainnet");
	const struct chainparams *t = chainparams_by_name("testnet");
	const struct chainparams *r = chainparams_by_name("regtest");

	(void)state;
	assert_non_null(m);
	assert_non_null(t);
	assert_non_null(r);
	assert_null(chainparams_by_name("moon"));
	assert_int_equal(m->p2p_port, 9001);
	assert_int_equal(m->rpc_port, 8545);
	assert_int_equal(t->p2p_port, 19001);
	assert_int_equal(t->rpc_port, 18545);
	assert_int_equal(r->p2p_port, 29001);
	assert_int_equal(r->rpc_port, 28545);
	assert_false(m->allow_private);
	assert_true(r->allow_private);
	assert_true(memcmp(m->magic, t->magic, 4) != 0);
	assert_true(memcmp(t->magic, r->magic, 4) != 0);
	assert_ptr_equal(chainparams_by_magic(r->magic), r);
	assert_ptr_equal(chainparams_get(NET_TESTNET), t);
	assert_null(chainparams_get(NET_COUNT));
}

static void
test_atomicfile(void **state)
{
	char dir[] = "/tmp/agentchain-atomic-XXXXXX", path[128], err[256];
	size_t len;
	struct stat st;
	char *data;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.dat", dir);
	assert_int_equal(atomicfile_write(path, "first", 5, 0600, err, sizeof(err)), 0);
	assert_int_equal(atomicfile_write(path, "second!", 7, 0600, err, sizeof(err)), 0);
	data = atomicfile_read(path, 1024, &len, err, sizeof(err));
	assert_non_null(data);
	assert_int_equal(len, 7);
	assert_string_equal(data, "second!");
	free(data);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* over the limit: refused before reading */
	assert_null(atomicfile_read(path, 3, &len, err, sizeof(err)));
	assert_non_null(strstr(err, "limit"));
	unlink(path);
	assert_null(atomicfile_read(path, 1024, &len, err, sizeof(err)));
	assert_int_equal(errno, ENOENT);
	/* a directory that does not exist: clear error, nothing created */
	snprintf(path, sizeof(path), "%s/missing/state.dat", dir);
	assert_int_equal(atomicfile_write(path, "x", 1, 0600, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot create"));
	rmdir(dir);
}

/* Issue 15 item 21: a FIFO at peers.dat hung start-up in open().  It is
 * refused at once, with what it is, and so is a directory. */
static void
test_fifo_state_file_refused(void **state)
{
	char dir[] = "/tmp/agentchain-atomic-XXXXXX", path[128], err[256];
	int64_t t0;
	size_t len;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/peers.dat", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	t0 = clock_mono_ms();
	assert_null(atomicfile_read(path, 1024, &len, err, sizeof(err)));
	assert_int_equal(errno, EINVAL);
	assert_true(clock_mono_ms() - t0 < 1000);
	assert_non_null(strstr(err, "a FIFO, not a regular file"));
	unlink(path);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(atomicfile_read(path, 1024, &len, err, sizeof(err)));
	assert_non_null(strstr(err, "a directory"));
	rmdir(path);
	rmdir(dir);
}

/* Issue 15 item 10: interrupted saves left peers.dat.tmp.<pid> for ever.
 * Only what atomicfile_write leaves behind for that name is removed. */
static void
test_stale_tmp_files_removed(void **state)
{
	char dir[] = "/tmp/agentchain-atomic-XXXXXX", path[128], f[192], err[256];
	static const char *const keep[] = {
		"peers.dat", "peers.dat.tmp.", "peers.dat.tmp.12x", "peers.dat.bad",
		"banlist.json.tmp.77", "xpeers.dat.tmp.1",
	};
	struct stat st;
	int fd;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/peers.dat", dir);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		snprintf(f, sizeof(f), "%s/%s", dir, keep[i]);
		assert_true((fd = open(f, O_CREAT | O_WRONLY, 0600)) >= 0);
		close(fd);
	}
	snprintf(f, sizeof(f), "%s/peers.dat.tmp.4242", dir);
	assert_true((fd = open(f, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	snprintf(f, sizeof(f), "%s/peers.dat.tmp.1", dir);
	assert_true((fd = open(f, O_CREAT | O_WRONLY, 0600)) >= 0);
	close(fd);
	assert_int_equal(atomicfile_remove_stale(path, err, sizeof(err)), 2);
	assert_int_equal(stat(f, &st), -1);
	assert_int_equal(atomicfile_remove_stale(path, err, sizeof(err)), 0);
	for (size_t i = 0; i < sizeof(keep) / sizeof(keep[0]); i++) {
		snprintf(f, sizeof(f), "%s/%s", dir, keep[i]);
		assert_int_equal(stat(f, &st), 0);
		unlink(f);
	}
	rmdir(dir);
	snprintf(path, sizeof(path), "%s/peers.dat", dir);
	assert_int_equal(atomicfile_remove_stale(path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, dir));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha256d_vector),
		cmocka_unit_test(test_siphash_keyed),
		cmocka_unit_test(test_rnd_uniform_bounds),
		cmocka_unit_test(test_str_sanitize),
		cmocka_unit_test(test_str_copy_and_ll),
		cmocka_unit_test(test_log_levels),
		cmocka_unit_test(test_chainparams),
		cmocka_unit_test(test_atomicfile),
		cmocka_unit_test(test_fifo_state_file_refused),
		cmocka_unit_test(test_stale_tmp_files_removed),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
