/* SPDX-License-Identifier: MIT */
/*
 * panic.h - stopping on a broken invariant (core/x86/panic.c), and the exit
 * codes a run ends with.
 *
 * panic() reports on every console and then hands the end of the run to the
 * stop function kmain installs (core/finish.c's finish(): on_finish=exit
 * leaves QEMU with status 37, anything else halts). Until one is installed,
 * and if it ever returns, the CPU halts with interrupts off.
 */
#ifndef ATLAS_PANIC_H
#define ATLAS_PANIC_H

/* isa-debug-exit codes (QEMU exits with (code << 1) | 1: 33, 35, 37). */
#define EXIT_PASSED 0x10
#define EXIT_FAILED 0x11
#define EXIT_PANIC 0x12

/*
 * Report a broken invariant and stop: prints "panic: <msg>" with the caller,
 * emits {"rec":"panic"}, then calls the stop function with EXIT_PANIC. msg
 * starts with the subsystem: "mm: ...". Any context; interrupts go off first.
 */
void panic(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* What ends the run after a panic (kmain installs finish()). */
typedef void (*panic_stop_fn)(unsigned exit_code);
void panic_set_stop(panic_stop_fn stop);

#endif
