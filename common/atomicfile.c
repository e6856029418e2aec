/* atomicfile.c -- crash-safe whole-file writes.
 *
 * State files (address book, ban list, cookie) must survive kill -9 and
 * power loss: write a sibling temp file, fsync it, rename it over the old
 * one and fsync the directory so the rename itself is durable. */
#include "atomicfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xmalloc.h"

static int
atomicfile_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void
atomicfile_sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

int
atomicfile_write(const char *path, const void *data, size_t len, mode_t mode,
    char *err, size_t errlen)
{
	char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
	int fd, saved;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1) {
		snprintf(err, errlen, "cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	if (atomicfile_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		unlink(tmp);
		snprintf(err, errlen, "cannot write %s: %s", tmp, strerror(saved));
		free(tmp);
		return -1;
	}
	close(fd);
	if (rename(tmp, path) == -1) {
		saved = errno;
		unlink(tmp);
		snprintf(err, errlen, "cannot rename %s to %s: %s", tmp, path, strerror(saved));
		free(tmp);
		return -1;
	}
	free(tmp);
	atomicfile_sync_dir(path);
	return 0;
}

void *
atomicfile_read(const char *path, size_t maxlen, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t off = 0;
	int fd, saved;

	/* O_NONBLOCK: opening a FIFO for reading would otherwise wait for a
	 * writer for ever (and a start-up with it). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		saved = errno;
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(saved));
		errno = saved;
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s is %s, not a regular file", path,
		    S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory" :
		    S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" :
		    S_ISSOCK(st.st_mode) ? "a socket" : "not readable as a file");
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if ((size_t)st.st_size > maxlen) {
		snprintf(err, errlen, "%s: %lld bytes, over the %zu-byte limit", path,
		    (long long)st.st_size, maxlen);
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "cannot read %s: %s", path,
			    n == 0 ? "file shrank while reading" : strerror(errno));
			free(buf);
			close(fd);
			errno = EIO;
			return NULL;
		}
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	*len = off;
	return buf;
}

/* Is NAME "<BASE>.tmp.<digits>", what atomicfile_write leaves behind? */
static bool
atomicfile_is_tmp_of(const char *name, const char *base)
{
	size_t n = strlen(base);
	const char *p;

	if (strncmp(name, base, n) != 0 || strncmp(name + n, ".tmp.", 5) != 0)
		return false;
	p = name + n + 5;
	return *p != '\0' && strspn(p, "0123456789") == strlen(p);
}

int
atomicfile_remove_stale(const char *path, char *err, size_t errlen)
{
	char *dcopy = xstrdup(path), *bcopy = xstrdup(path);
	const char *dir = dirname(dcopy), *base = basename(bcopy);
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "cannot read %s: %s", dir, strerror(errno));
		n = -1;
		goto out;
	}
	while ((de = readdir(d)) != NULL) {
		if (!atomicfile_is_tmp_of(de->d_name, base))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == -1) {
			snprintf(err, errlen, "cannot remove %s/%s: %s", dir, de->d_name,
			    strerror(errno));
			n = -1;
			break;
		}
		n++;
	}
	closedir(d);
out:
	free(dcopy);
	free(bcopy);
	return n;
}
