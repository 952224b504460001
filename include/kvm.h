/* SPDX-License-Identifier: MIT */
/*
 * kvm.h - the kernel's address space: building it, growing it, describing it.
 *
 * Every mapping in the kernel half is made through here, and each one is
 * recorded as a named region, so that reports, fault messages and the tests
 * all speak of the same "[ktext]", "[kstack 3 (boot)]" and "guard page below
 * kernel stack 3" that include/memlayout.h draws.
 */
#ifndef ATLAS_KVM_H
#define ATLAS_KVM_H

#include <stddef.h>
#include <stdint.h>

#include "paging.h"

#define KREGION_NAME 48

enum kregion_kind {
	KR_MAPPED, /* pages present with the region's permissions */
	KR_GUARD,  /* deliberately unmapped: touching it is a bug */
};

struct kregion {
	uint64_t start, end; /* [start, end) */
	unsigned vm;	     /* VM_* flags (KR_MAPPED) */
	enum kregion_kind kind;
	char name[KREGION_NAME];
};

/*
 * Build Atlas's final kernel address space in pages from the PMM and switch
 * to it: the direct map of RAM (1 GiB pages where the CPU has them, else
 * 2 MiB; NX), the kernel image with per-section permissions, the recursive
 * slot, the boot stack with its guard page. Then hands efi/'s page-table pool
 * back to the PMM. Needs memmap_load() and pmm_init() done. Reloads CR3 (a
 * full TLB flush; global pages are flushed by toggling CR4.PGE). Returns 0 or
 * -ENOMEM.
 */
int kvm_init(void);

/* The live kernel tables, for pt_query() and friends. */
struct pt *kvm_pt(void);

/* 1 when every page of [phys, phys+len) is reachable through the direct map. */
int kvm_direct_ok(uint64_t phys, uint64_t len);

/*
 * Map [va, va+size) to [pa, ...) in the kernel half with vm flags and record
 * it as region name. Returns 0, -EINVAL, -EEXIST or -ENOMEM (nothing mapped
 * then). No flush needed: the range was not present.
 */
int kvm_map(uint64_t va, uint64_t pa, uint64_t size, unsigned vm, const char *name);

/*
 * Map a physical MMIO range into the kernel MMIO window with vm (VM_WC or
 * VM_UC added by the caller) and record it as region name. Returns the
 * virtual address of phys, or 0 when the window is full or out of memory.
 */
uint64_t kvm_map_mmio(uint64_t phys, uint64_t size, unsigned vm, const char *name);

/*
 * Kernel stacks: slot i is a guard page and KSTACK_SIZE of stack at
 * KSTACK_BOTTOM(i). kstack_alloc returns the slot (>= 0) and its top in *top,
 * or -ENOMEM / -ENOSPC; the caller frees it with kstack_free(slot), which
 * unmaps it (flushing the TLB) and frees its pages.
 */
int kstack_alloc(const char *name, uint64_t *top);
void kstack_free(int slot);
/* The stack slot whose guard page or stack contains va, or -1. */
int kstack_slot_of(uint64_t va);
/*
 * Give #DF, NMI, #MC and #DB kernel stacks of their own, on IST 1 to 4
 * (include/trap.h), so a kernel stack overflow ends in a report, not a
 * triple fault. Needs kvm_init. Returns 0 or a negative errno.
 */
int kstack_setup_ist(void);

/* Unmap [va, va+size) and forget its region; flushes the TLB. Frees nothing. */
void kvm_unmap(uint64_t va, uint64_t size);
/* Record [start, end) as a guard (kept unmapped), or forget the guard at start. */
void kvm_guard(uint64_t start, uint64_t end, const char *name);
void kvm_unguard(uint64_t start);

/* Heap backend (struct heap_backend): map / unmap pages in [KHEAP_BASE, KHEAP_END). */
void *kvm_heap_grow(size_t pages, void *ctx);
void kvm_heap_shrink(void *va, size_t pages, void *ctx);

/* The recorded regions, sorted by start. */
const struct kregion *kvm_regions(size_t *count);

/*
 * Say in words where va lies: "null guard", "non-canonical address",
 * "[ktext]", "guard page below kernel stack 2 (#DF)", "[direct map]",
 * "unmapped kernel address"... Writes into buf, returns buf.
 */
const char *kvm_describe(uint64_t va, char *buf, size_t size);

/*
 * Walk every present leaf of the kernel tables and count pages that are
 * both writable and executable; *first gets the first one. Returns the
 * count: 0 means W^X holds.
 */
uint64_t kvm_wx_violations(uint64_t *first);

/* Page tables of pt counted by level: [1] PT, [2] PD, [3] PDPT, [4] PML4. */
void kvm_count_tables(struct pt *pt, uint64_t counts[PT_LEVELS + 1]);

/* Page-table pages below the direct map's PML4 slots (PDPT, PD and PT pages; the PML4 is shared). */
uint64_t kvm_direct_map_tables(void);

/* Bytes of the direct map mapped with 4 KiB, 2 MiB and 1 GiB pages (/proc/meminfo DirectMap*). */
void kvm_direct_map_sizes(uint64_t *b4k, uint64_t *b2m, uint64_t *b1g);

#endif
