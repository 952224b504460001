/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * uname - every field of struct utsname is NUL-terminated within its 65
 * bytes, and sysname, nodename, release, version and machine are not empty.
 */
#include "utest.h"

static void field(const char *name, const char *f, size_t size)
{
	CHECK(memchr(f, '\0', size) != NULL, "%s is not NUL-terminated", name);
	CHECK(f[0] != '\0', "%s is empty", name);
}

int main(void)
{
	struct utsname u;
	long r;

	memset(&u, 0x7f, sizeof(u));
	r = sys1(SYS_uname, &u);
	CHECK(r == 0, "uname returned %ld", r);
	field("sysname", u.sysname, sizeof(u.sysname));
	field("nodename", u.nodename, sizeof(u.nodename));
	field("release", u.release, sizeof(u.release));
	field("version", u.version, sizeof(u.version));
	field("machine", u.machine, sizeof(u.machine));
	CHECK(memchr(u.__domainname, '\0', sizeof(u.__domainname)) != NULL, "domainname is not NUL-terminated");
	say("sysname \"%s\", nodename \"%s\", release \"%s\", machine \"%s\": all NUL-terminated and non-empty",
	    u.sysname, u.nodename, u.release, u.machine);
	return 0;
}
