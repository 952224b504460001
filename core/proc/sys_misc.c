/* SPDX-License-Identifier: MIT */
/* sys_misc.c - what the system says about itself (uname) and random bytes (getrandom). */
#include "kerrno.h"
#include "kstring.h"
#include "proc.h"
#include "random.h"
#include "syscall.h"
#include "uaccess.h"

#define GETRANDOM_MAX (32U << 20)

struct lx_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

long sys_uname(struct proc *p, const uint64_t *a)
{
	struct lx_utsname u;

	(void)p;
	memset(&u, 0, sizeof(u));
	kstrlcpy(u.sysname, "Atlas", sizeof(u.sysname));
	kstrlcpy(u.nodename, "atlas", sizeof(u.nodename));
	kstrlcpy(u.release, "0.1", sizeof(u.release));
	kstrlcpy(u.version, "Atlas bare-metal UEFI kernel", sizeof(u.version));
	kstrlcpy(u.machine, "x86_64", sizeof(u.machine));
	kstrlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(a[0], &u, sizeof(u));
}

long sys_getrandom(struct proc *p, const uint64_t *a)
{
	uint64_t ubuf = a[0], len = a[1], done = 0;
	uint8_t chunk[64];

	(void)p;
	if (len > GETRANDOM_MAX)
		len = GETRANDOM_MAX;
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		random_fill(chunk, n);
		if (copy_to_user(ubuf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}
