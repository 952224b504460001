/* SPDX-License-Identifier: MIT */
/*
 * sysguard.h - what every system call passes on its way in and out of the
 * kernel (core/proc/sysguard.c): the watchdog and the deferred out-of-memory
 * kill. core/proc/syscall.c calls both around each call.
 */
#ifndef ATLAS_SYSGUARD_H
#define ATLAS_SYSGUARD_H

#include <stdint.h>

#include "sched.h"
#include "trap.h"

/* On entry: stamp the call (number, TSC) in the process. */
void sysguard_enter(struct thread *t, uint64_t nr);

/*
 * On the way out (tf->rax holds the result): report the call if it kept the
 * CPU longer than watchdog= allows, and kill the process if a user copy ran
 * out of memory during it. Returns only when the process goes on.
 */
void sysguard_exit(struct thread *t, struct trap_frame *tf);

/* The process ran again after blocking inside a call (sched_yield, nanosleep): restart the stamp. */
void sysguard_resume(struct thread *t);

/* Calls the watchdog reported since boot (for tests and reports). */
uint64_t sysguard_reports(void);

#endif
