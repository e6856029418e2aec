/* blockstore.c -- blocks on disk: append-only files and an SQLite index, safe against kill -9.
 *
 * The index is SQLite in WAL mode with synchronous=NORMAL: a killed process
 * loses nothing that was committed, and a commit never waits for the disk,
 * so a block a second costs one write() to each file.  Durability against
 * power loss comes from blockstore_sync: the block file first, then a WAL
 * checkpoint, so the index never becomes durable ahead of the bytes. */
#include "blockstore.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "xmalloc.h"

#define BLOCKSTORE_MAGIC	"ACBK"
#define BLOCKSTORE_RECHDR	8	/* magic + u32le length */
#define BLOCKSTORE_SCHEMA	1

struct blockstore {
	char		*dir;
	sqlite3		*db;
	sqlite3_stmt	*put;
	bool		 in_batch;
	int		 fd;		/* the file being appended to */
	int32_t		 file;
	uint64_t	 size;		/* its size */
	bool		 dirty;		/* appended since the last fdatasync */
};

static void
blockstore_sqlerr(struct blockstore *bs, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s/index.sqlite: %s: %s", bs->dir, what, sqlite3_errmsg(bs->db));
}

static int
blockstore_exec(struct blockstore *bs, const char *sql, char *err, size_t errlen)
{
	if (sqlite3_exec(bs->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		blockstore_sqlerr(bs, sql, err, errlen);
		return -1;
	}
	return 0;
}

static char *
blockstore_path(const struct blockstore *bs, int32_t file)
{
	return xasprintf("%s/blk%05d.dat", bs->dir, (int)file);
}

/* Open FILE for appending, after whatever it already holds. */
static int
blockstore_open_file(struct blockstore *bs, int32_t file, char *err, size_t errlen)
{
	char *path = blockstore_path(bs, file);
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_APPEND, 0600);

	if (fd == -1 || fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	free(path);
	if (bs->fd != -1)
		close(bs->fd);
	bs->fd = fd;
	bs->file = file;
	bs->size = (uint64_t)st.st_size;
	return 0;
}

/* The highest numbered block file there is (0 when none). */
static int32_t
blockstore_last_file(const struct blockstore *bs)
{
	int32_t f = 0;

	for (;;) {
		char *path = blockstore_path(bs, f + 1);
		bool exists = access(path, F_OK) == 0;
		free(path);
		if (!exists)
			return f;
		f++;
	}
}

static int
blockstore_schema(struct blockstore *bs, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int ver = 0;

	if (sqlite3_prepare_v2(bs->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) {
		blockstore_sqlerr(bs, "reading the schema version", err, errlen);
		return -1;
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		ver = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (ver > BLOCKSTORE_SCHEMA) {
		snprintf(err, errlen, "%s/index.sqlite: schema %d is newer than this agentnode's %d",
		    bs->dir, ver, BLOCKSTORE_SCHEMA);
		return -1;
	}
	return blockstore_exec(bs,
	    "CREATE TABLE IF NOT EXISTS blocks ("
	    " hash BLOB PRIMARY KEY, height INTEGER NOT NULL, header BLOB NOT NULL,"
	    " status INTEGER NOT NULL, file INTEGER NOT NULL, offset INTEGER NOT NULL,"
	    " len INTEGER NOT NULL, first_seen INTEGER NOT NULL) WITHOUT ROWID;"
	    "CREATE INDEX IF NOT EXISTS blocks_height ON blocks(height);"
	    "PRAGMA user_version = 1;", err, errlen);
}

struct blockstore *
blockstore_open(const char *dir, char *err, size_t errlen)
{
	struct blockstore *bs = xcalloc(1, sizeof(*bs));
	char *path;
	int rc;

	bs->dir = xstrdup(dir);
	bs->fd = -1;
	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errlen, "cannot create %s: %s", dir, strerror(errno));
		goto fail;
	}
	path = xasprintf("%s/index.sqlite", dir);
	rc = sqlite3_open_v2(path, &bs->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	free(path);
	if (rc != SQLITE_OK) {
		blockstore_sqlerr(bs, "open", err, errlen);
		goto fail;
	}
	sqlite3_busy_timeout(bs->db, 2000);
	if (blockstore_exec(bs, "PRAGMA journal_mode = WAL", err, errlen) == -1 ||
	    blockstore_exec(bs, "PRAGMA synchronous = NORMAL", err, errlen) == -1 ||
	    blockstore_schema(bs, err, errlen) == -1)
		goto fail;
	if (sqlite3_prepare_v2(bs->db, "INSERT OR REPLACE INTO blocks (hash, height, header, "
	    "status, file, offset, len, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &bs->put,
	    NULL) != SQLITE_OK) {
		blockstore_sqlerr(bs, "preparing", err, errlen);
		goto fail;
	}
	if (blockstore_open_file(bs, blockstore_last_file(bs), err, errlen) == -1)
		goto fail;
	return bs;
fail:
	blockstore_close(bs);
	return NULL;
}

void
blockstore_close(struct blockstore *bs)
{
	char err[256];

	if (bs == NULL)
		return;
	if (bs->db != NULL)
		blockstore_sync(bs, err, sizeof(err));
	if (bs->put != NULL)
		sqlite3_finalize(bs->put);
	if (bs->db != NULL)
		sqlite3_close(bs->db);
	if (bs->fd != -1)
		close(bs->fd);
	free(bs->dir);
	free(bs);
}

static void
put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t
get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* write(2) all of BUF, or fail. */
static int
blockstore_write_all(int fd, const uint8_t *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int
blockstore_append(struct blockstore *bs, const uint8_t *data, size_t len,
    struct blockstore_entry *e, char *err, size_t errlen)
{
	uint8_t hdr[BLOCKSTORE_RECHDR];

	if (len == 0 || len > BLOCKSTORE_BLOCK_MAX) {
		snprintf(err, errlen, "block of %zu bytes cannot be stored", len);
		return -1;
	}
	if (bs->size + BLOCKSTORE_RECHDR + len > BLOCKSTORE_FILE_MAX && bs->size > 0) {
		/* The finished file's tail must be durable before the index
		 * points past it into the next one. */
		if (bs->dirty && fdatasync(bs->fd) == -1) {
			snprintf(err, errlen, "fdatasync: %s", strerror(errno));
			return -1;
		}
		bs->dirty = false;
		if (blockstore_open_file(bs, bs->file + 1, err, errlen) == -1)
			return -1;
	}
	memcpy(hdr, BLOCKSTORE_MAGIC, 4);
	put_u32le(hdr + 4, (uint32_t)len);
	if (blockstore_write_all(bs->fd, hdr, sizeof(hdr)) == -1 ||
	    blockstore_write_all(bs->fd, data, len) == -1) {
		snprintf(err, errlen, "writing blk%05d.dat: %s", (int)bs->file, strerror(errno));
		/* A partial record is left behind; start the next one after it. */
		struct stat st;
		if (fstat(bs->fd, &st) == 0)
			bs->size = (uint64_t)st.st_size;
		return -1;
	}
	e->file = bs->file;
	e->offset = (uint32_t)(bs->size + BLOCKSTORE_RECHDR);
	e->len = (uint32_t)len;
	bs->size += BLOCKSTORE_RECHDR + len;
	bs->dirty = true;
	return 0;
}

uint8_t *
blockstore_read(struct blockstore *bs, const struct blockstore_entry *e, char *err, size_t errlen)
{
	char *path;
	uint8_t hdr[BLOCKSTORE_RECHDR], *buf;
	int fd;
	ssize_t n;

	if (e->file < 0 || e->len == 0 || e->len > BLOCKSTORE_BLOCK_MAX ||
	    e->offset < BLOCKSTORE_RECHDR) {
		snprintf(err, errlen, "block not stored");
		return NULL;
	}
	path = blockstore_path(bs, e->file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		free(path);
		return NULL;
	}
	buf = xmalloc(e->len);
	n = pread(fd, hdr, sizeof(hdr), e->offset - BLOCKSTORE_RECHDR);
	if (n != (ssize_t)sizeof(hdr) || memcmp(hdr, BLOCKSTORE_MAGIC, 4) != 0 ||
	    get_u32le(hdr + 4) != e->len ||
	    pread(fd, buf, e->len, e->offset) != (ssize_t)e->len) {
		snprintf(err, errlen, "%s: record at %u is damaged or short", path, e->offset);
		free(buf);
		buf = NULL;
	}
	close(fd);
	free(path);
	return buf;
}

int
blockstore_put(struct blockstore *bs, const struct blockstore_entry *e, char *err, size_t errlen)
{
	int rc;

	if (!bs->in_batch) {
		if (blockstore_exec(bs, "BEGIN", err, errlen) == -1)
			return -1;
		bs->in_batch = true;
	}
	sqlite3_reset(bs->put);
	sqlite3_bind_blob(bs->put, 1, e->hash, 32, SQLITE_STATIC);
	sqlite3_bind_int(bs->put, 2, e->height);
	sqlite3_bind_blob(bs->put, 3, e->header, 80, SQLITE_STATIC);
	sqlite3_bind_int64(bs->put, 4, e->status);
	sqlite3_bind_int(bs->put, 5, e->file);
	sqlite3_bind_int64(bs->put, 6, e->offset);
	sqlite3_bind_int64(bs->put, 7, e->len);
	sqlite3_bind_int64(bs->put, 8, e->first_seen_ms);
	rc = sqlite3_step(bs->put);
	sqlite3_reset(bs->put);
	if (rc != SQLITE_DONE) {
		blockstore_sqlerr(bs, "writing the index", err, errlen);
		return -1;
	}
	return 0;
}

int
blockstore_commit(struct blockstore *bs, char *err, size_t errlen)
{
	if (!bs->in_batch)
		return 0;
	if (blockstore_exec(bs, "COMMIT", err, errlen) == -1)
		return -1;
	bs->in_batch = false;
	return 0;
}

int
blockstore_sync(struct blockstore *bs, char *err, size_t errlen)
{
	if (blockstore_commit(bs, err, errlen) == -1)
		return -1;
	if (bs->dirty && bs->fd != -1 && fdatasync(bs->fd) == -1) {
		snprintf(err, errlen, "fdatasync blk%05d.dat: %s", (int)bs->file, strerror(errno));
		return -1;
	}
	bs->dirty = false;
	/* FULL: the WAL is synced and copied into the database file. */
	if (sqlite3_wal_checkpoint_v2(bs->db, NULL, SQLITE_CHECKPOINT_FULL, NULL, NULL) !=
	    SQLITE_OK) {
		blockstore_sqlerr(bs, "checkpoint", err, errlen);
		return -1;
	}
	return 0;
}

/* Size of every block file, to find rows whose bytes are not there. */
static uint64_t
blockstore_file_size(const struct blockstore *bs, int32_t file)
{
	char *path = blockstore_path(bs, file);
	struct stat st;
	uint64_t size = stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;

	free(path);
	return size;
}

int
blockstore_load(struct blockstore *bs, int (*fn)(void *arg, const struct blockstore_entry *e),
    void *arg, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int rc = 0, step;
	int32_t sized_file = -1;
	uint64_t sized = 0;

	if (sqlite3_prepare_v2(bs->db, "SELECT hash, height, header, status, file, offset, len, "
	    "first_seen FROM blocks ORDER BY height", -1, &st, NULL) != SQLITE_OK) {
		blockstore_sqlerr(bs, "reading the index", err, errlen);
		return -1;
	}
	while (rc == 0 && (step = sqlite3_step(st)) == SQLITE_ROW) {
		struct blockstore_entry e;

		if (sqlite3_column_bytes(st, 0) != 32 || sqlite3_column_bytes(st, 2) != 80)
			continue;	/* not a row we wrote */
		memset(&e, 0, sizeof(e));
		memcpy(e.hash, sqlite3_column_blob(st, 0), 32);
		e.height = sqlite3_column_int(st, 1);
		memcpy(e.header, sqlite3_column_blob(st, 2), 80);
		e.status = (uint32_t)sqlite3_column_int64(st, 3);
		e.file = sqlite3_column_int(st, 4);
		e.offset = (uint32_t)sqlite3_column_int64(st, 5);
		e.len = (uint32_t)sqlite3_column_int64(st, 6);
		e.first_seen_ms = sqlite3_column_int64(st, 7);
		if (e.file >= 0) {
			if (e.file != sized_file) {
				sized = blockstore_file_size(bs, e.file);
				sized_file = e.file;
			}
			if ((uint64_t)e.offset + e.len > sized)
				e.file = -1;
		}
		rc = fn(arg, &e);
	}
	if (rc == 0 && step != SQLITE_DONE) {
		blockstore_sqlerr(bs, "reading the index", err, errlen);
		rc = -1;
	}
	sqlite3_finalize(st);
	return rc;
}
