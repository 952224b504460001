/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * entry_flags - RFLAGS.NT, AC and DF set in ring 3 across system calls. The
 * kernel must clear them on entry (SFMASK): with NT set, the kernel's own
 * IRETQ raised #GP in ring 0; AC would open SMAP; DF would run the kernel's
 * string copies backwards. The program's flags come back to it unchanged.
 */
#include "utest.h"

#define NT (1UL << 14)
#define AC (1UL << 18)
#define DF (1UL << 10)

static unsigned long flags(void)
{
	unsigned long f;

	__asm__ volatile("pushfq; popq %0" : "=r"(f));
	return f;
}

/* Set the flags, make the call, read the flags back, clear them again (so C code runs with DF clear). */
static long call_with(unsigned long set, long nr, long a, long b, long c, unsigned long *after)
{
	register long r10 __asm__("r10") = 0;
	unsigned long f;
	long ret;

	__asm__ volatile("pushfq\n\t"
			 "orq %[set], (%%rsp)\n\t"
			 "popfq\n\t"
			 "syscall\n\t"
			 "pushfq\n\t"
			 "popq %[f]\n\t"
			 "pushfq\n\t"
			 "andq %[clr], (%%rsp)\n\t"
			 "popfq"
			 : "=a"(ret), [f] "=&r"(f)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), [set] "r"(set), [clr] "r"(~set)
			 : "rcx", "r11", "memory", "cc");
	*after = f;
	return ret;
}

int main(void)
{
	static const char msg[] = "entry_flags: written with NT, AC and DF set\n";
	unsigned long after;
	long r;

	r = call_with(NT, SYS_getpid, 0, 0, 0, &after);
	CHECK(r > 0, "getpid with NT set returned %ld", r);
	CHECK(after & NT, "NT was not restored after the call (flags %#lx)", after);
	r = call_with(NT, SYS_sched_yield, 0, 0, 0, &after);
	CHECK(r == 0, "sched_yield with NT set returned %ld", r);
	r = call_with(NT | AC | DF, SYS_write, 1, (long)msg, (long)sizeof(msg) - 1, &after);
	CHECK(r == (long)sizeof(msg) - 1, "write with NT|AC|DF returned %ld", r);
	CHECK((after & (NT | AC | DF)) == (NT | AC | DF), "flags not restored: %#lx", after);
	CHECK(!(flags() & (NT | AC | DF)), "flags still set after clearing: %#lx", flags());
	say("getpid, sched_yield and write with NT, AC and DF set: the kernel survived, flags came back");
	/* The last call made with NT set: exit itself (the original crash report). */
	call_with(NT, SYS_exit_group, 0, 0, 0, &after);
	fail("exit_group returned");
}
