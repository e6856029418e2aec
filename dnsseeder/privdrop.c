/* privdrop.c -- give up root for an unprivileged user after the sockets are bound. */
#include "privdrop.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "strutil.h"

int
privdrop_user(const char *user, char *err, size_t errlen)
{
	struct passwd *pw;

	errno = 0;
	if ((pw = getpwnam(user)) == NULL) {
		str_errf(err, errlen, "--user: no user '%s'%s%s", user,
		    errno ? ": " : "", errno ? strerror(errno) : "");
		return -1;
	}
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		return 0;
	if (pw->pw_uid == 0) {
		str_errf(err, errlen, "--user: '%s' is root", user);
		return -1;
	}
	/* Groups first: once the uid is gone they cannot be changed. */
	if (setgroups(1, &pw->pw_gid) == -1 ||
	    setresgid(pw->pw_gid, pw->pw_gid, pw->pw_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		str_errf(err, errlen, "--user %s: %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) != -1 || geteuid() == 0) {
		str_errf(err, errlen, "--user %s: root could be regained", user);
		return -1;
	}
	return 0;
}
