/* SPDX-License-Identifier: MIT */
/*
 * panic.c - stop on a broken invariant, loudly. The report goes out on every
 * console; then the stop function kmain installed ends the run (finish():
 * on_finish=exit leaves QEMU with status 37 (0x12), every other setting
 * halts, so the message stays on a real machine's screen instead of
 * vanishing in a reboot).
 */
#include "panic.h"

#include "kernel.h"
#include "record.h"
#include "x86.h"

static panic_stop_fn stop_fn;

void panic_set_stop(panic_stop_fn stop)
{
	stop_fn = stop;
}

static __attribute__((noreturn)) void halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

void panic(const char *fmt, ...)
{
	static int in_panic;
	char msg[256];
	struct jrec r;
	va_list ap;

	cli();
	if (in_panic++) {
		kprintf("\npanic while panicking; halting\n");
		halt_forever();
	}
	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	kprintf("\npanic: %s\n    called from 0x%llx\n", msg, (unsigned long long)__builtin_return_address(0));
	jrec_begin(&r, "panic");
	jrec_str(&r, "msg", msg);
	jrec_hex(&r, "caller", (uint64_t)__builtin_return_address(0));
	report_emit(&r);
	if (stop_fn)
		stop_fn(EXIT_PANIC);
	halt_forever();
}
