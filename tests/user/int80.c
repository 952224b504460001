/* ATLAS-EXPECT: signal=SIGSEGV cause="general protection" */
/* SPDX-License-Identifier: MIT */
/*
 * int80 - `int $0x80`, the 32-bit system-call gate. Atlas has no IA-32
 * system calls: the IDT has no gate for ring 3 at 0x80, so the CPU raises
 * #GP and the program gets SIGSEGV (as on a Linux built without
 * IA32_EMULATION). Linux with it runs a 32-bit call instead; there the
 * program ends itself with the same signal.
 */
#include <signal.h>

#include "utest.h"

int main(void)
{
	if (!on_atlas()) {
		say("Linux answers int 0x80 with an IA-32 system call: ending with SIGSEGV as Atlas does");
		kill(getpid(), SIGSEGV);
		fail("still alive after SIGSEGV");
	}
	say("executing int $0x80 with eax=20 (getpid in the IA-32 table): expect SIGSEGV (#GP)");
	__asm__ volatile("int $0x80" : : "a"(20) : "memory");
	NO_FAULT("int $0x80");
}
