/* ATLAS-EXPECT: signal=SIGSEGV cause="null selector loaded into SS" */
/* SPDX-License-Identifier: MIT */
/*
 * null_ss - loading a null selector into SS at CPL 3 raises #GP(0) (SDM:
 * MOV to SS); the cause names it (it used to be reported as a non-canonical
 * address).
 */
#include "utest.h"

int main(void)
{
	uint16_t null_sel = (uint16_t)hide_addr(0);

	say("mov %%ax, %%ss with a null selector: expect SIGSEGV, null selector loaded into SS");
	__asm__ volatile("mov %0, %%ss" : : "r"(null_sel));
	NO_FAULT("mov to SS");
}
