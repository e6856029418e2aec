/* atomicfile.h -- crash-safe whole-file writes (temp file, fsync, rename, fsync dir). */
#ifndef AGENTCHAIN_ATOMICFILE_H
#define AGENTCHAIN_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

/* Replace PATH with exactly LEN bytes of DATA so that a crash or kill -9 at
 * any moment leaves either the old file or the new one, never a mix.
 * MODE is used for the new file (e.g. 0600).  Returns 0, or -1 with a
 * reason in ERR; on failure the old file is untouched. */
int atomicfile_write(const char *path, const void *data, size_t len, mode_t mode,
    char *err, size_t errlen);

/* Read a whole regular file of at most MAXLEN bytes.  Returns a newly
 * allocated buffer (caller frees) with its length in *LEN, or NULL with a
 * reason in ERR (missing file: errno ENOENT is left in errno for the
 * caller; anything but a regular file -- a FIFO, a directory, a device --
 * is refused at once with EINVAL, without blocking). */
void *atomicfile_read(const char *path, size_t maxlen, size_t *len, char *err, size_t errlen);

/* Remove the temporary files ("PATH.tmp.<pid>") that writes of PATH
 * interrupted by a crash left behind.  Only when no other process can be
 * writing PATH (its owner holds a lock on the directory).  Returns how
 * many were removed, or -1 with a reason in ERR. */
int atomicfile_remove_stale(const char *path, char *err, size_t errlen);

#endif
