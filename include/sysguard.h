/* SPDX-License-Identifier: MIT */
/*
 * sysguard.h - what every system call passes on its way in and out of the
 * kernel (core/proc/sysguard.c): the watchdog and the deferred out-of-memory
 * kill. core/proc/syscall.c calls both around each call. The checks every
 * call makes are inline here; what happens when one fires is in sysguard.c,
 * so that a call with nothing to report costs no function call (under QEMU
 * TCG each call and return is a translation-block lookup).
 */
#ifndef ATLAS_SYSGUARD_H
#define ATLAS_SYSGUARD_H

#include <stdint.h>

#include "proc.h"
#include "sched.h"
#include "trap.h"
#include "uvm.h"
#include "x86.h"

/*
 * Calls whose work does not grow with anything a program controls (close,
 * lseek, ioctl, sched_yield, nanosleep, getpid, uname, arch_prctl, gettid,
 * set_tid_address, clock_gettime: Linux numbers): not worth two TSC reads
 * each, which under TCG are a good part of a getpid round trip.
 */
#define SYSGUARD_BIT(nr) (1ULL << ((nr) % 64))
static inline int sysguard_untimed(uint64_t nr)
{
	/* A bitmap, one word per 64 numbers: one load and a bit test, not a chain of compares. */
	static const uint64_t untimed[4] = {
		SYSGUARD_BIT(3) | SYSGUARD_BIT(8) | SYSGUARD_BIT(16) | SYSGUARD_BIT(24) | SYSGUARD_BIT(35) |
			SYSGUARD_BIT(39) | SYSGUARD_BIT(63),
		0,
		SYSGUARD_BIT(158) | SYSGUARD_BIT(186),
		SYSGUARD_BIT(218) | SYSGUARD_BIT(228),
	};

	return nr < 64 * 4 && ((untimed[nr / 64] >> (nr % 64)) & 1);
}

/* On entry: stamp the call (number, TSC) in the process. */
static inline void sysguard_enter(struct thread *t, uint64_t nr)
{
	t->sys_nr = nr;
	t->sys_tsc = sysguard_untimed(nr) ? 0 : rdtsc();
}

/* Nonzero when sysguard_exit has something to do: a timed call to check, or an out-of-memory kill. */
static inline uint64_t sysguard_work(const struct thread *t)
{
	const struct uvm *vm = t->proc->uvm;

	return t->sys_tsc | (uint64_t)(vm && vm->oom);
}

/*
 * On the way out (tf->rax holds the result): report the call if it kept the
 * CPU longer than watchdog= allows, and kill the process if a user copy ran
 * out of memory during it. Returns only when the process goes on.
 * syscall_dispatch calls it only when sysguard_work says so.
 */
void sysguard_exit(struct thread *t, struct trap_frame *tf);

/* The process ran again after blocking inside a call (sched_yield, nanosleep): restart the stamp. */
void sysguard_resume(struct thread *t);

/* t is about to block inside a call: its time in the kernel so far becomes system time (stime). */
void sysguard_block(struct thread *t);

/* Calls the watchdog reported since boot (for tests and reports). */
uint64_t sysguard_reports(void);

#endif
