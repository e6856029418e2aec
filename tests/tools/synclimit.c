/* synclimit.c -- the physical limit of an initial sync on this machine, for bench/sync.sh.
 *
 *   synclimit BLOCKSDIR OUTFILE
 *
 * Reads every block record of BLOCKSDIR's blk*.dat files (as a node wrote
 * them), then, timed: double-SHA256 of each block's bytes and a write of
 * them to OUTFILE, fdatasync at the end -- the least any node must do per
 * block it syncs.  Prints "limit_blocks_per_s X limit_mb_per_s Y". */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "xmalloc.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	uint8_t **blocks = NULL, hash[32];
	size_t *lens = NULL, n = 0, cap = 0, total = 0;
	double t0, dt;
	int out;

	if (argc != 3 || hash_init() == -1) {
		fprintf(stderr, "usage: synclimit BLOCKSDIR OUTFILE\n");
		return 2;
	}
	for (int f = 0; ; f++) {
		char path[4096];
		FILE *fp;
		uint8_t hdr[8];

		snprintf(path, sizeof(path), "%s/blk%05d.dat", argv[1], f);
		if ((fp = fopen(path, "rb")) == NULL)
			break;
		while (fread(hdr, 1, 8, fp) == 8 && memcmp(hdr, "ACBK", 4) == 0) {
			size_t len = (size_t)hdr[4] | (size_t)hdr[5] << 8 | (size_t)hdr[6] << 16 |
			    (size_t)hdr[7] << 24;
			if (len == 0 || len > 8u << 20)
				break;
			if (n == cap) {
				cap = cap ? cap * 2 : 1024;
				blocks = xreallocarray(blocks, cap, sizeof(*blocks));
				lens = xreallocarray(lens, cap, sizeof(*lens));
			}
			blocks[n] = xmalloc(len);
			if (fread(blocks[n], 1, len, fp) != len) {
				free(blocks[n]);
				break;
			}
			lens[n++] = len;
			total += len;
		}
		fclose(fp);
	}
	if ((out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1) {
		fprintf(stderr, "synclimit: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	t0 = now_s();
	for (size_t i = 0; i < n; i++) {
		hash_sha256d(blocks[i], lens[i], hash);
		if (write(out, blocks[i], lens[i]) != (ssize_t)lens[i]) {
			fprintf(stderr, "synclimit: write: %s\n", strerror(errno));
			return 2;
		}
	}
	fdatasync(out);
	dt = now_s() - t0;
	close(out);
	unlink(argv[2]);
	printf("limit_blocks %zu\nlimit_bytes %zu\nlimit_seconds %.3f\n"
	    "limit_blocks_per_s %.0f\nlimit_mb_per_s %.1f\n", n, total, dt, (double)n / dt,
	    (double)total / dt / 1e6);
	for (size_t i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
	free(lens);
	return 0;
}
