/* ATLAS-EXPECT: signal=SIGSEGV cause="execute in non-executable [heap]" */
/* SPDX-License-Identifier: MIT */
/*
 * heap_exec - a ret instruction written to the brk heap cannot be executed:
 * the heap is NX. Raw brk rather than malloc, whose small blocks may come
 * from mmap ([anon]) under musl 1.2.
 */
#include "utest.h"

int main(void)
{
	uintptr_t cur = (uintptr_t)sys1(SYS_brk, 0);
	uintptr_t end = (uintptr_t)sys1(SYS_brk, cur + PAGE);
	unsigned char *code = (unsigned char *)cur;
	void (*fn)(void);

	CHECK(end == cur + PAGE, "brk(+4 KiB) returned %#lx", (unsigned long)end);
	memset(code, 0xc3, 64); /* ret */
	fn = (void (*)(void))hide(code);
	say("calling a ret copied to the brk heap at %p: expect SIGSEGV, execute in non-executable [heap]",
	    (void *)code);
	fn();
	NO_FAULT("executing the heap");
}
