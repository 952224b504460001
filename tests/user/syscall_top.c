/* ATLAS-EXPECT: signal=SIGSEGV cause="return to a non-canonical address" */
/* SPDX-License-Identifier: MIT */
/*
 * syscall_top - a SYSCALL instruction in the last two bytes of the user half.
 * Its return address, 0x800000000000, is not canonical: SYSRET cannot take it
 * and IRETQ raises #GP in ring 0 for it on real CPUs. The kernel must answer
 * with SIGSEGV for the process, never a kernel fault. Linux keeps that page
 * unmapped (TASK_SIZE_MAX), so on Linux the mmap fails and the program ends
 * itself with the same signal.
 */
#include <signal.h>
#include <sys/mman.h>

#include "utest.h"

#define TOP_PAGE 0x7ffffffff000UL

int main(void)
{
	long r = sys6(SYS_mmap, (long)TOP_PAGE, (long)PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	unsigned char *p = (unsigned char *)TOP_PAGE;

	if (r != (long)TOP_PAGE) {
		CHECK(!on_atlas(), "mmap of the top user page returned %ld", r);
		say("Linux refuses the top page (mmap %ld): ending with SIGSEGV as Atlas does", r);
		kill(getpid(), SIGSEGV);
		fail("still alive after SIGSEGV");
	}
	p[PAGE - 2] = 0x0f; /* syscall */
	p[PAGE - 1] = 0x05;
	r = sys3(SYS_mprotect, (long)TOP_PAGE, (long)PAGE, PROT_READ | PROT_EXEC);
	CHECK(r == 0, "mprotect returned %ld", r);
	say("calling getpid from the last two bytes below 0x800000000000: expect SIGSEGV");
	__asm__ volatile("jmp *%0" : : "r"(TOP_PAGE + PAGE - 2), "a"((long)SYS_getpid) : "memory");
	NO_FAULT("syscall at the top");
}
