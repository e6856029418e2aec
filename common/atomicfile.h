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

/* Read a whole file of at most MAXLEN bytes.  Returns a newly allocated
 * buffer (caller frees) with its length in *LEN, or NULL with a reason in
 * ERR (missing file: errno ENOENT is left in errno for the caller). */
void *atomicfile_read(const char *path, size_t maxlen, size_t *len, char *err, size_t errlen);

#endif
