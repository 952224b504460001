/* SPDX-License-Identifier: MIT */
/* kvm.h - the kernel's address space: the live page tables. */
#ifndef ATLAS_KVM_H
#define ATLAS_KVM_H

#include <stdint.h>

#include "paging.h"

/*
 * Adopt the tables efi/ built (CR3) and drop the identity-mapped hand-off
 * page: after this the lower half of the kernel's tables is empty. Flushes
 * the TLB.
 */
void kvm_init(uint64_t trampoline_phys);

/* The live kernel tables, for pt_query() and friends. */
struct pt *kvm_pt(void);

/* 1 when every page of [phys, phys+len) is reachable through the direct map. */
int kvm_direct_ok(uint64_t phys, uint64_t len);

#endif
