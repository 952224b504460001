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

#include <stdint.h>

#include "paging.h"

/* EFI_RESET_TYPE (UEFI 2.10, 8.5.1). */
#define EFI_RESET_COLD 0
#define EFI_RESET_WARM 1
#define EFI_RESET_SHUTDOWN 2

/*
 * Build the runtime table from the raw firmware map, and register the trap
 * fixup that turns a fault inside a runtime call into its fallback. Returns
 * the number of runtime regions mapped, or a negative errno (then runtime
 * calls are off).
 */
int efirt_init(void);

/* 1 when ResetSystem can be called. */
int efirt_available(void);

/*
 * Call ResetSystem(type). It does not return when the firmware does its job.
 * If it returns, or faults, fallback() runs (on the kernel's tables).
 */
void efirt_reset(unsigned type, void (*fallback)(void)) __attribute__((noreturn));

/* What efirt_init did, for the report (core/report/hwreport.c). */
struct efirt_info {
	int available;	       /* ResetSystem can be called */
	int regions;	       /* runtime regions mapped 1:1 */
	int mat_entries;       /* Memory Attributes Table entries used (0: no MAT) */
	uint64_t rwx_pages;    /* runtime-code pages mapped RWX for want of a MAT */
	uint64_t reset_system; /* ResetSystem's physical address */
};
void efirt_info(struct efirt_info *info);

/*
 * W^X pages of the runtime table (pt_count_wx). 0 when the firmware gave no
 * Memory Attributes Table and runtime code had to be mapped RWX: efirt_report
 * says so instead.
 */
uint64_t efirt_count_wx(uint64_t *first);

#endif
