/* ATLAS-EXPECT: signal=SIGSEGV cause="privileged instruction" */
/* SPDX-License-Identifier: MIT */
/*
 * sysret_ring3 - sysretq needs CPL 0: in ring 3 it raises #GP(0), which
 * must be named a privileged instruction (it used to be reported as a
 * non-canonical address).
 */
#include "utest.h"

int main(void)
{
	say("sysretq in ring 3: expect SIGSEGV, privileged instruction");
	__asm__ volatile("sysretq");
	NO_FAULT("sysretq");
}
