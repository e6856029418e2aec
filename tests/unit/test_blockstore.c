/* test_blockstore.c -- block files and their SQLite index: round trips, order, damage, torn files, reopening, schema. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "../../node/blockstore.h"

struct fx {
	char			 dir[64];
	struct blockstore	*bs;
};

static struct blockstore *
open_ok(const char *dir)
{
	char err[256];
	struct blockstore *bs = blockstore_open(dir, err, sizeof(err));

	if (bs == NULL)
		fail_msg("blockstore_open: %s", err);
	return bs;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/agentchain-test-bs.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->bs = open_ok(f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char cmd[96];

	blockstore_close(f->bs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

static void
reopen(struct fx *f)
{
	blockstore_close(f->bs);
	f->bs = NULL;
	f->bs = open_ok(f->dir);
}

static const char *
path_of(const struct fx *f, const char *name)
{
	static char path[128];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	return path;
}

static off_t
size_of(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return st.st_size;
}

/* A row for a block of HEIGHT, hash and header filled with TAG. */
static struct blockstore_entry
row(int32_t height, uint8_t tag)
{
	struct blockstore_entry e;

	memset(&e, 0, sizeof(e));
	memset(e.hash, tag, sizeof(e.hash));
	memset(e.header, tag ^ 0x55, sizeof(e.header));
	e.height = height;
	e.status = 0x01u | ((uint32_t)tag << 8);
	e.file = -1;
	e.first_seen_ms = 1798000000000LL + tag;
	return e;
}

static void
put_ok(struct blockstore *bs, const struct blockstore_entry *e)
{
	char err[256];

	if (blockstore_put(bs, e, err, sizeof(err)) != 0)
		fail_msg("blockstore_put: %s", err);
}

static void
assert_same_row(const struct blockstore_entry *a, const struct blockstore_entry *b)
{
	assert_memory_equal(a->hash, b->hash, 32);
	assert_memory_equal(a->header, b->header, 80);
	assert_int_equal(a->height, b->height);
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->file, b->file);
	assert_int_equal(a->offset, b->offset);
	assert_int_equal(a->len, b->len);
	assert_int_equal(a->first_seen_ms, b->first_seen_ms);
}

struct loaded {
	struct blockstore_entry	e[16];
	int			n;
	int			stop_at;	/* return 7 at this many (0: never) */
};

static int
collect(void *arg, const struct blockstore_entry *e)
{
	struct loaded *l = arg;

	if (l->n < 16)
		l->e[l->n++] = *e;
	return l->stop_at != 0 && l->n == l->stop_at ? 7 : 0;
}

static void
load_ok(struct blockstore *bs, struct loaded *l)
{
	char err[256];

	memset(l, 0, sizeof(*l));
	if (blockstore_load(bs, collect, l, err, sizeof(err)) != 0)
		fail_msg("blockstore_load: %s", err);
}

/* --- block bytes ---------------------------------------------------------------- */

static void
test_append_read(void **state)
{
	struct fx *f = *state;
	uint8_t a[100], b[3000], *back;
	struct blockstore_entry ea, eb;
	char err[256];

	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (uint8_t)i;
	memset(b, 0xbe, sizeof(b));
	assert_int_equal(blockstore_append(f->bs, a, sizeof(a), &ea, err, sizeof(err)), 0);
	assert_int_equal(ea.file, 0);
	assert_int_equal(ea.offset, 8);	/* after "ACBK" and the length */
	assert_int_equal(ea.len, sizeof(a));
	assert_int_equal(blockstore_append(f->bs, b, sizeof(b), &eb, err, sizeof(err)), 0);
	assert_int_equal(eb.file, 0);
	assert_int_equal(eb.offset, 8 + sizeof(a) + 8);
	assert_int_equal(size_of(path_of(f, "blk00000.dat")), 16 + sizeof(a) + sizeof(b));
	back = blockstore_read(f->bs, &ea, err, sizeof(err));
	assert_non_null(back);
	assert_memory_equal(back, a, sizeof(a));
	free(back);
	back = blockstore_read(f->bs, &eb, err, sizeof(err));
	assert_non_null(back);
	assert_memory_equal(back, b, sizeof(b));
	free(back);
	/* What cannot be stored. */
	assert_int_equal(blockstore_append(f->bs, a, 0, &ea, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot be stored"));
	assert_int_equal(blockstore_append(f->bs, a, BLOCKSTORE_BLOCK_MAX + 1, &ea, err,
	    sizeof(err)), -1);
	assert_int_equal(size_of(path_of(f, "blk00000.dat")), 16 + sizeof(a) + sizeof(b));
	/* Durable on request. */
	assert_int_equal(blockstore_sync(f->bs, err, sizeof(err)), 0);
	assert_int_equal(blockstore_sync(f->bs, err, sizeof(err)), 0);	/* nothing new */
}

/* The record's framing must match the entry: magic and length. */
static void
test_read_refusals(void **state)
{
	struct fx *f = *state;
	uint8_t data[64];
	struct blockstore_entry e, bad;
	char err[256];
	int fd;

	memset(data, 0x42, sizeof(data));
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &e, err, sizeof(err)), 0);
	/* A length that is not the record's. */
	bad = e;
	bad.len = 63;
	assert_null(blockstore_read(f->bs, &bad, err, sizeof(err)));
	assert_non_null(strstr(err, "damaged or short"));
	/* Past the end of the file. */
	bad = e;
	bad.offset = 4096;
	assert_null(blockstore_read(f->bs, &bad, err, sizeof(err)));
	assert_non_null(strstr(err, "damaged or short"));
	/* Nonsense positions and lengths. */
	bad = e;
	bad.file = -1;
	assert_null(blockstore_read(f->bs, &bad, err, sizeof(err)));
	assert_string_equal(err, "block not stored");
	bad = e;
	bad.offset = 4;
	assert_null(blockstore_read(f->bs, &bad, err, sizeof(err)));
	assert_string_equal(err, "block not stored");
	bad = e;
	bad.len = 0;
	assert_null(blockstore_read(f->bs, &bad, err, sizeof(err)));
	bad.len = BLOCKSTORE_BLOCK_MAX + 1;
	assert_null(blockstore_read(f->bs, &bad, err, sizeof(err)));
	/* A file that is not there. */
	bad = e;
	bad.file = 9;
	assert_null(blockstore_read(f->bs, &bad, err, sizeof(err)));
	assert_non_null(strstr(err, "blk00009.dat"));
	/* The magic overwritten. */
	fd = open(path_of(f, "blk00000.dat"), O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "ACBX", 4, 0), 4);
	close(fd);
	assert_null(blockstore_read(f->bs, &e, err, sizeof(err)));
	assert_non_null(strstr(err, "damaged or short"));
}

/* --- the index --------------------------------------------------------------------- */

static void
test_put_load_order(void **state)
{
	struct fx *f = *state;
	struct blockstore_entry r[4];
	struct loaded l;
	char err[256];

	r[0] = row(3, 0x30);
	r[1] = row(1, 0x10);
	r[2] = row(2, 0x20);
	r[3] = row(0, 0x01);
	for (int i = 0; i < 4; i++)
		put_ok(f->bs, &r[i]);
	/* Visible inside the open batch, lowest height first. */
	load_ok(f->bs, &l);
	assert_int_equal(l.n, 4);
	for (int i = 0; i < 4; i++)
		assert_int_equal(l.e[i].height, i);
	/* Every field comes back as it went in. */
	assert_same_row(&l.e[1], &r[1]);
	assert_same_row(&l.e[3], &r[0]);
	/* Replacing a row: same hash, new status. */
	r[2].status = 0x7;
	put_ok(f->bs, &r[2]);
	assert_int_equal(blockstore_commit(f->bs, err, sizeof(err)), 0);
	assert_int_equal(blockstore_commit(f->bs, err, sizeof(err)), 0);	/* nothing open */
	reopen(f);
	load_ok(f->bs, &l);
	assert_int_equal(l.n, 4);
	assert_int_equal(l.e[2].status, 0x7);
	/* A row we did not write (a hash of 31 bytes) is passed over. */
	{
		sqlite3 *db;
		assert_int_equal(blockstore_commit(f->bs, err, sizeof(err)), 0);
		assert_int_equal(sqlite3_open(path_of(f, "index.sqlite"), &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "INSERT INTO blocks VALUES (zeroblob(31), 9, "
		    "zeroblob(80), 0, -1, 0, 0, 0)", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
		load_ok(f->bs, &l);
		assert_int_equal(l.n, 4);
	}
	/* The callback stops the walk with its value. */
	memset(&l, 0, sizeof(l));
	l.stop_at = 2;
	assert_int_equal(blockstore_load(f->bs, collect, &l, err, sizeof(err)), 7);
	assert_int_equal(l.n, 2);
}

/* Rows of one height come back in the order their headers arrived. */
static void
test_load_same_height_in_arrival_order(void **state)
{
	struct fx *f = *state;
	struct blockstore_entry r[3];
	struct loaded l;

	r[0] = row(5, 0xf0);
	r[0].first_seen_ms = 100;
	r[1] = row(5, 0x01);
	r[1].first_seen_ms = 300;
	r[2] = row(5, 0x80);
	r[2].first_seen_ms = 200;
	for (int i = 0; i < 3; i++)
		put_ok(f->bs, &r[i]);
	load_ok(f->bs, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.e[0].hash[0], 0xf0);
	assert_int_equal(l.e[1].hash[0], 0x80);
	assert_int_equal(l.e[2].hash[0], 0x01);
}

/* A committed row survives a process that never closed the store, and
 * a row whose bytes are not in the file comes back without them. */
static void
test_rows_past_the_end(void **state)
{
	struct fx *f = *state;
	uint8_t data[200];
	struct blockstore_entry a = row(1, 0xa1), b = row(2, 0xb2), c = row(3, 0xc3);
	struct loaded l;
	char err[256];

	memset(data, 0x11, sizeof(data));
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &a, err, sizeof(err)), 0);
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &b, err, sizeof(err)), 0);
	put_ok(f->bs, &a);
	put_ok(f->bs, &b);
	put_ok(f->bs, &c);	/* never had bytes */
	assert_int_equal(blockstore_commit(f->bs, err, sizeof(err)), 0);
	/* B's record loses its last byte. */
	assert_int_equal(truncate(path_of(f, "blk00000.dat"), (off_t)(b.offset + b.len - 1)), 0);
	reopen(f);
	load_ok(f->bs, &l);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.e[0].file, 0);
	assert_int_equal(l.e[0].offset, a.offset);
	assert_int_equal(l.e[1].file, -1);
	assert_int_equal(l.e[2].file, -1);
	/* The next append starts after the torn bytes. */
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &b, err, sizeof(err)), 0);
	assert_int_equal(b.offset, 8 + 200 + 8 + 200 - 1 + 8);
}

/* Reopened, appends go after what the file holds. */
static void
test_reopen_appends(void **state)
{
	struct fx *f = *state;
	uint8_t data[50], *back;
	struct blockstore_entry a, b;
	char err[256];

	memset(data, 0x77, sizeof(data));
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &a, err, sizeof(err)), 0);
	reopen(f);
	data[0] = 0x78;
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &b, err, sizeof(err)), 0);
	assert_int_equal(b.file, 0);
	assert_int_equal(b.offset, a.offset + a.len + 8);
	back = blockstore_read(f->bs, &a, err, sizeof(err));
	assert_non_null(back);
	assert_int_equal(back[0], 0x77);
	free(back);
	back = blockstore_read(f->bs, &b, err, sizeof(err));
	assert_non_null(back);
	assert_int_equal(back[0], 0x78);
	free(back);
}

/* A full file is closed and the next begun; a reopen appends to the
 * newest.  (A sparse file stands in for 128 MB of blocks.) */
static void
test_file_rollover(void **state)
{
	struct fx *f = *state;
	uint8_t data[1000], *back;
	struct blockstore_entry a, b, c;
	char err[256];
	int fd;

	memset(data, 0x5c, sizeof(data));
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &a, err, sizeof(err)), 0);
	blockstore_close(f->bs);
	f->bs = NULL;
	fd = open(path_of(f, "blk00000.dat"), O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)BLOCKSTORE_FILE_MAX - 500), 0);
	close(fd);
	f->bs = open_ok(f->dir);
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &b, err, sizeof(err)), 0);
	assert_int_equal(b.file, 1);
	assert_int_equal(b.offset, 8);
	assert_int_equal(size_of(path_of(f, "blk00001.dat")), 8 + sizeof(data));
	reopen(f);
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &c, err, sizeof(err)), 0);
	assert_int_equal(c.file, 1);
	assert_int_equal(c.offset, 8 + sizeof(data) + 8);
	assert_int_equal(blockstore_sync(f->bs, err, sizeof(err)), 0);
	/* The first file's block is still where it was. */
	back = blockstore_read(f->bs, &a, err, sizeof(err));
	assert_non_null(back);
	assert_memory_equal(back, data, sizeof(data));
	free(back);
}

/* A write that fails half-way (the disk full; here a file size limit):
 * an error, and the next record starts after the partial one. */
static void
test_write_failure(void **state)
{
	struct fx *f = *state;
	uint8_t data[2000], *back;
	struct blockstore_entry a, b;
	struct rlimit old, lim;
	void (*oldsig)(int);
	char err[256];
	off_t size;
	int rc;

	memset(data, 0x3c, sizeof(data));
	assert_int_equal(blockstore_append(f->bs, data, 100, &a, err, sizeof(err)), 0);
	/* The index's files are smaller than 1 MB: only the block file
	 * meets the limit. */
	blockstore_close(f->bs);
	f->bs = NULL;
	assert_int_equal(truncate(path_of(f, "blk00000.dat"), 1 << 20), 0);
	f->bs = open_ok(f->dir);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (1 << 20) + 1000;
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = blockstore_append(f->bs, data, sizeof(data), &b, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(err, "writing blk00000.dat"));
	size = size_of(path_of(f, "blk00000.dat"));
	assert_int_equal(size, (1 << 20) + 1000);
	/* Room again: the next record follows the torn one. */
	assert_int_equal(blockstore_append(f->bs, data, sizeof(data), &b, err, sizeof(err)), 0);
	assert_int_equal(b.offset, (uint32_t)size + 8);
	back = blockstore_read(f->bs, &b, err, sizeof(err));
	assert_non_null(back);
	assert_memory_equal(back, data, sizeof(data));
	free(back);
	back = blockstore_read(f->bs, &a, err, sizeof(err));
	assert_non_null(back);
	free(back);
}

/* A commit that fails (the index's disk full; here a file size limit)
 * loses its batch, and only that: once there is room, rows commit and the
 * store syncs again. */
static void
test_commit_failure_recovers(void **state)
{
	struct fx *f = *state;
	struct blockstore_entry e;
	struct rlimit old, lim;
	void (*oldsig)(int);
	struct loaded l;
	char err[256];
	int rc;

	for (uint8_t i = 1; i <= 3; i++) {
		e = row(i, i);
		put_ok(f->bs, &e);
	}
	assert_int_equal(blockstore_commit(f->bs, err, sizeof(err)), 0);
	/* No file may grow: the next batch cannot reach the log. */
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)size_of(path_of(f, "index.sqlite-wal"));
	oldsig = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	rc = 0;
	for (int i = 10; i < 200 && rc == 0; i++) {
		e = row(i, (uint8_t)i);
		rc = blockstore_put(f->bs, &e, err, sizeof(err));
	}
	if (rc == 0)
		rc = blockstore_commit(f->bs, err, sizeof(err));
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, oldsig);
	assert_int_equal(rc, -1);
	/* Room again: a new batch commits, and sync works. */
	e = row(250, 250);
	put_ok(f->bs, &e);
	if (blockstore_commit(f->bs, err, sizeof(err)) != 0)
		fail_msg("commit after the failure: %s", err);
	if (blockstore_sync(f->bs, err, sizeof(err)) != 0)
		fail_msg("sync after the failure: %s", err);
	reopen(f);
	load_ok(f->bs, &l);
	assert_int_equal(l.n, 4);	/* 1, 2, 3 and 250; the failed batch is gone */
	assert_int_equal(l.e[3].height, 250);
}

/* --- opening ------------------------------------------------------------------------- */

static void
test_schema_newer_refused(void **state)
{
	struct fx *f = *state;
	sqlite3 *db;
	char err[256];

	blockstore_close(f->bs);
	f->bs = NULL;
	assert_int_equal(sqlite3_open(path_of(f, "index.sqlite"), &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 2", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(blockstore_open(f->dir, err, sizeof(err)));
	assert_non_null(strstr(err, "schema 2 is newer than this agentnode's 1"));
	assert_non_null(strstr(err, "index.sqlite"));
}

static void
test_open_failures(void **state)
{
	struct fx *f = *state;
	char err[256], sub[96];
	int fd;

	/* No directory can be made under a file. */
	snprintf(sub, sizeof(sub), "%s/blk00000.dat/x", f->dir);
	assert_null(blockstore_open(sub, err, sizeof(err)));
	assert_non_null(strstr(err, "cannot create"));
	/* An index that is not a database. */
	blockstore_close(f->bs);
	f->bs = NULL;
	unlink(path_of(f, "index.sqlite-wal"));
	unlink(path_of(f, "index.sqlite-shm"));
	fd = open(path_of(f, "index.sqlite"), O_WRONLY | O_TRUNC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "this is not an SQLite database, not at all........", 50), 50);
	close(fd);
	assert_null(blockstore_open(f->dir, err, sizeof(err)));
	assert_non_null(strstr(err, "index.sqlite"));
	/* A block file that cannot be opened (a directory in its place). */
	unlink(path_of(f, "index.sqlite"));
	unlink(path_of(f, "blk00000.dat"));
	assert_int_equal(mkdir(path_of(f, "blk00000.dat"), 0700), 0);
	assert_null(blockstore_open(f->dir, err, sizeof(err)));
	assert_non_null(strstr(err, "blk00000.dat"));
	assert_int_equal(rmdir(path_of(f, "blk00000.dat")), 0);
	f->bs = open_ok(f->dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_put_load_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_same_height_in_arrival_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rows_past_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_rollover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_commit_failure_recovers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_schema_newer_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_failures, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
