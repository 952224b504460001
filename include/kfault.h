/* SPDX-License-Identifier: MIT */
/* kfault.h - the report of a CPU exception in the kernel (core/report/kfault.c). */
#ifndef ATLAS_KFAULT_H
#define ATLAS_KFAULT_H

#include "trap.h"

/*
 * The fatal handler of trap_dispatch: print the exception (vector, decoded
 * error code, the address and the region it lies in, a kernel-stack overflow
 * named as such, registers, a symbolized backtrace), emit {"rec":"kfault"},
 * and panic. Never returns.
 */
void kfault_report(struct trap_frame *tf) __attribute__((noreturn));

#endif
