/* identity.c -- the node's identity key file and the proofs signed with it.
 *
 * The file is one line, "agentchain-identity-v1 <seed as 64 hex digits>",
 * from which libsodium derives the key pair: text, so that an operator can
 * back it up by copying a line, and strict, so that a damaged file is
 * refused rather than read as some other key.  Its permissions are
 * checked as ssh checks a private key's. */
#include "identity.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "atomicfile.h"
#include "rnd.h"
#include "strutil.h"
#include "xmalloc.h"

/* "agentchain-identity-v1 " + 64 hex + "\n" */
#define IDENTITY_FILE_LEN	(sizeof(IDPROOF_TAG) + 2 * IDPROOF_SEED_LEN + 1)

struct identity {
	uint8_t		pubkey[IDPROOF_PUBKEY_LEN];
	uint8_t		seckey[IDPROOF_SECKEY_LEN];
	char		hex[IDPROOF_PUBKEY_HEXLEN];
	char		reward[IDPROOF_REWARD_MAX + 1];
};

static struct identity *
identity_from_seed(const uint8_t seed[IDPROOF_SEED_LEN], const char *reward)
{
	struct identity *id = xcalloc(1, sizeof(*id));

	idproof_keypair_from_seed(seed, id->pubkey, id->seckey);
	idproof_pubkey_hex(id->pubkey, id->hex);
	if (reward != NULL)
		str_copy(id->reward, reward, sizeof(id->reward));
	return id;
}

/* Parse the file's bytes into SEED.  Returns 0 or -1. */
static int
identity_parse(const char *buf, size_t len, uint8_t seed[IDPROOF_SEED_LEN])
{
	const size_t taglen = sizeof(IDPROOF_TAG) - 1;
	size_t bin_len;
	const char *end;

	if (len != IDENTITY_FILE_LEN || memcmp(buf, IDPROOF_TAG, taglen) != 0 ||
	    buf[taglen] != ' ' || buf[len - 1] != '\n')
		return -1;
	/* Lower-case hex only: one key, one spelling. */
	for (size_t i = taglen + 1; i < len - 1; i++)
		if (!((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f')))
			return -1;
	if (sodium_hex2bin(seed, IDPROOF_SEED_LEN, buf + taglen + 1, 2 * IDPROOF_SEED_LEN,
	    NULL, &bin_len, &end) != 0 || bin_len != IDPROOF_SEED_LEN)
		return -1;
	return 0;
}

static struct identity *
identity_load(const char *path, int fd, const char *reward, char *err, size_t errlen)
{
	char buf[IDENTITY_FILE_LEN + 1];
	uint8_t seed[IDPROOF_SEED_LEN];
	struct identity *id = NULL;
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st) == -1) {
		str_errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		str_errf(err, errlen, "%s: not a regular file", path);
		return NULL;
	}
	if ((st.st_mode & 077) != 0) {
		str_errf(err, errlen, "%s: permissions %04o are too open: the identity "
		    "key must be private (chmod 600 %s)", path,
		    (unsigned)(st.st_mode & 07777), path);
		return NULL;
	}
	if (st.st_uid != geteuid()) {
		str_errf(err, errlen, "%s: owned by uid %u, not by us (uid %u)", path,
		    (unsigned)st.st_uid, (unsigned)geteuid());
		return NULL;
	}
	/* One byte more than a key file has, to see a longer file. */
	n = read(fd, buf, sizeof(buf));
	if (n < 0) {
		str_errf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (identity_parse(buf, (size_t)n, seed) == -1)
		str_errf(err, errlen, "%s: not an identity key (corrupt?); restore it "
		    "from a backup, or move it away to start with a new identity", path);
	else
		id = identity_from_seed(seed, reward);
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(seed, sizeof(seed));
	return id;
}

static struct identity *
identity_create(const char *path, const char *reward, char *err, size_t errlen)
{
	char line[IDENTITY_FILE_LEN + 1];
	uint8_t seed[IDPROOF_SEED_LEN];
	struct identity *id = NULL;
	int len;

	rnd_bytes(seed, sizeof(seed));
	len = snprintf(line, sizeof(line), "%s ", IDPROOF_TAG);
	sodium_bin2hex(line + len, sizeof(line) - (size_t)len, seed, sizeof(seed));
	strcat(line, "\n");
	if (atomicfile_write(path, line, strlen(line), 0600, err, errlen) == 0)
		id = identity_from_seed(seed, reward);
	sodium_memzero(line, sizeof(line));
	sodium_memzero(seed, sizeof(seed));
	return id;
}

struct identity *
identity_open(const char *datadir, const char *reward, bool *created, char *err,
    size_t errlen)
{
	char *path = xasprintf("%s/%s", datadir, IDENTITY_FILE);
	struct identity *id;
	int fd;

	*created = false;
	if (reward != NULL && !idproof_reward_valid(reward, strlen(reward))) {
		str_errf(err, errlen, "reward address is not 0 to %d printable ASCII "
		    "characters", IDPROOF_REWARD_MAX);
		free(path);
		return NULL;
	}
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd >= 0) {
		id = identity_load(path, fd, reward, err, errlen);
		close(fd);
	} else if (errno == ENOENT) {
		/* Only a missing file is created: never replace one. */
		id = identity_create(path, reward, err, errlen);
		*created = id != NULL;
	} else {
		str_errf(err, errlen, "%s: %s", path, errno == ELOOP ?
		    "a symbolic link (refused)" : strerror(errno));
		id = NULL;
	}
	free(path);
	return id;
}

void
identity_free(struct identity *id)
{
	if (id == NULL)
		return;
	sodium_memzero(id, sizeof(*id));
	free(id);
}

const uint8_t *
identity_pubkey(const struct identity *id)
{
	return id->pubkey;
}

const char *
identity_pubkey_hex(const struct identity *id)
{
	return id->hex;
}

const char *
identity_reward(const struct identity *id)
{
	return id->reward;
}

void
identity_answer(const struct identity *id, const uint8_t magic[4],
    const struct idproof_challenge *c, struct idproof_answer *a)
{
	memset(a, 0, sizeof(*a));
	memcpy(a->pubkey, id->pubkey, sizeof(a->pubkey));
	a->reward_len = strlen(id->reward);
	memcpy(a->reward, id->reward, a->reward_len);
	idproof_sign(magic, c, a, id->seckey);
}
