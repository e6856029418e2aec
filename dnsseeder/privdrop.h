/* privdrop.h -- give up root for an unprivileged user after the sockets are bound. */
#ifndef AGENTCHAIN_PRIVDROP_H
#define AGENTCHAIN_PRIVDROP_H

#include <stddef.h>

/* Switch the process to USER's uid, primary gid and no supplementary
 * groups, then check that root cannot be regained.  Must run as root (or
 * as USER already, which is a no-op).  Returns 0, or -1 with a reason in
 * ERR; on -1 the caller must exit, as the credentials may be half
 * changed. */
int privdrop_user(const char *user, char *err, size_t errlen);

#endif
