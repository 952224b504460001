/* SPDX-License-Identifier: MIT */
/*
 * unit_panic.c - panic() for host tests of code that may panic (mm/heap*.c,
 * mm/pmm*.c): record the message and longjmp back into UNIT_EXPECT_PANIC, or
 * fail the test when no panic was expected.
 */
#include "unit.h"

#include "kprintf.h"
#include "panic.h"

jmp_buf unit_panic_jmp;
int unit_panic_armed;
char unit_panic_msg[UNIT_PANIC_MSG];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(unit_panic_msg, sizeof(unit_panic_msg), fmt, ap);
	va_end(ap);
	if (!unit_panic_armed)
		fail_msg("unexpected panic: %s", unit_panic_msg);
	unit_panic_armed = 0;
	longjmp(unit_panic_jmp, 1);
}
