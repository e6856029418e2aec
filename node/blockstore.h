/* blockstore.h -- blocks on disk: append-only files and an SQLite index, safe against kill -9.
 *
 * Block bytes go to DIR/blkNNNNN.dat files (each record: "ACBK", u32le
 * length, the block), never rewritten; the index (DIR/index.sqlite) holds
 * one row per known header: hash, height, the 80 header bytes, status
 * bits the chain defines, and where the block's bytes are, if we have
 * them.  A row is written only after its bytes are in the file, so a
 * crash at any moment leaves at worst some unreferenced bytes at a file's
 * end (skipped: the next append starts after them).  Rows are committed
 * without waiting for the disk (a killed process loses nothing committed);
 * blockstore_sync makes the block file and the index durable against a
 * power loss, and is meant for a periodic task and shutdown.  A row whose
 * bytes were lost anyway comes back without them (see blockstore_load,
 * and the chain checks a block's hash when it reads it back). */
#ifndef AGENTCHAIN_BLOCKSTORE_H
#define AGENTCHAIN_BLOCKSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A block file is closed and the next one begun past this size. */
#define BLOCKSTORE_FILE_MAX	(128u * 1024u * 1024u)
/* The largest block record we write or read back. */
#define BLOCKSTORE_BLOCK_MAX	(8u * 1024u * 1024u)

struct blockstore;

struct blockstore_entry {
	uint8_t		hash[32];
	uint8_t		header[80];
	int32_t		height;
	uint32_t	status;		/* the chain's flags; stored as given */
	int32_t		file;		/* -1: bytes not stored */
	uint32_t	offset;		/* of the block's bytes in the file */
	uint32_t	len;
	int64_t		first_seen_ms;	/* wall clock, when the header arrived */
};

/* Open or create the store in DIR (created if missing).  Returns NULL
 * with a reason in ERR. */
struct blockstore *blockstore_open(const char *dir, char *err, size_t errlen);
/* Commits what is pending, then closes. */
void blockstore_close(struct blockstore *bs);

/* Append LEN bytes of a block; where they went is filled into E (file,
 * offset, len).  Returns 0, or -1 with a reason in ERR. */
int blockstore_append(struct blockstore *bs, const uint8_t *data, size_t len,
    struct blockstore_entry *e, char *err, size_t errlen);
/* Read E's block bytes back.  Returns a new buffer (caller frees) of
 * E->len bytes, or NULL with a reason in ERR (missing, short file, or the
 * record's framing does not match). */
uint8_t *blockstore_read(struct blockstore *bs, const struct blockstore_entry *e,
    char *err, size_t errlen);

/* Insert or replace E's row (inside the open batch, started on demand). */
int blockstore_put(struct blockstore *bs, const struct blockstore_entry *e, char *err,
    size_t errlen);
/* Commit the batch (rows visible to the next open, even after kill -9). */
int blockstore_commit(struct blockstore *bs, char *err, size_t errlen);
/* Commit, then fdatasync the block file and checkpoint the index, so both
 * survive a power loss. */
int blockstore_sync(struct blockstore *bs, char *err, size_t errlen);

/* Every row, lowest height first; a row whose bytes lie past the end of
 * their file (lost in a crash of another kind) comes back with file -1.
 * FN returns non-zero to stop (that value is returned). */
int blockstore_load(struct blockstore *bs, int (*fn)(void *arg, const struct blockstore_entry *e),
    void *arg, char *err, size_t errlen);

#endif
