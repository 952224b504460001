/* SPDX-License-Identifier: MIT */
/*
 * efirt.h - UEFI runtime services after ExitBootServices.
 *
 * Atlas never calls SetVirtualAddressMap, so the firmware's runtime code
 * still expects its physical addresses. As Linux does, Atlas keeps a
 * separate page table for runtime calls: the kernel half of the kernel's
 * tables plus a 1:1 map of every region the memory map marks
 * EFI_MEMORY_RUNTIME. It is loaded only around a call, with interrupts off;
 * the kernel's own tables keep no trace of the firmware.
 */
#ifndef ATLAS_EFIRT_H
#define ATLAS_EFIRT_H

#include "paging.h"

/* EFI_RESET_TYPE (UEFI 2.10, 8.5.1). */
#define EFI_RESET_COLD 0
#define EFI_RESET_WARM 1
#define EFI_RESET_SHUTDOWN 2

/*
 * Build the runtime table from the raw firmware map. Returns the number of
 * runtime regions mapped, or a negative errno (then runtime calls are off).
 */
int efirt_init(void);

/* 1 when ResetSystem can be called. */
int efirt_available(void);

/*
 * Call ResetSystem(type). It does not return when the firmware does its job.
 * If it returns, or faults, fallback() runs (on the kernel's tables).
 */
void efirt_reset(unsigned type, void (*fallback)(void)) __attribute__((noreturn));

/*
 * For the trap handler: a fault while a runtime call is in progress is the
 * firmware's. efirt_fault() switches back to the kernel tables and runs the
 * fallback of the call; it never returns. efirt_in_call() says whether a call
 * is in progress.
 */
int efirt_in_call(void);
void efirt_fault(void) __attribute__((noreturn));

/* {"rec":"efirt"} and a human line: regions mapped, Memory Attributes Table use. */
void efirt_report(void);

/*
 * W^X pages of the runtime table (pt_count_wx). 0 when the firmware gave no
 * Memory Attributes Table and runtime code had to be mapped RWX: efirt_report
 * says so instead.
 */
uint64_t efirt_count_wx(uint64_t *first);

#endif
