/* ATLAS-EXPECT: signal=SIGTRAP cause="debug trap" */
/* SPDX-License-Identifier: MIT */
/*
 * trap_flag - single-stepping (RFLAGS.TF) set in ring 3 through a system
 * call. The kernel clears TF on entry and never single-steps itself; the
 * trap reaches the program as SIGTRAP.
 */
#include "utest.h"

int main(void)
{
	say("setting TF and calling getpid: expect SIGTRAP (#DB)");
	__asm__ volatile("pushfq\n\t"
			 "orq $0x100, (%%rsp)\n\t"
			 "popfq\n\t"
			 "syscall\n\t"
			 "nop\n\t"
			 "nop"
			 :
			 : "a"((long)SYS_getpid)
			 : "rcx", "r11", "memory", "cc");
	NO_FAULT("single step");
}
