/* SPDX-License-Identifier: MIT */
/*
 * klayout.h - the kernel half as include/memlayout.h draws it, described
 * once (mm/klayout.c) for the two code paths that build it: efi/vm.c (the
 * first page tables, in the firmware stage) and mm/kvm.c (the kernel's own).
 * The builder decides what is mapped, where and with which permissions; the
 * caller decides how (pt_map from a pool, or kvm_map with its region table).
 * Compiled into efi/ and the kernel, as paging.c is.
 */
#ifndef ATLAS_KLAYOUT_H
#define ATLAS_KLAYOUT_H

#include <stddef.h>
#include <stdint.h>

#include "memmap.h"

/* A part of the kernel image with one set of permissions (VM_READ, VM_WRITE, VM_EXEC). */
struct klayout_section {
	uint64_t va, size; /* page aligned, inside [KERNEL_BASE, KERNEL_BASE + KERNEL_IMAGE_MAX) */
	unsigned vm;
	const char *name; /* as reports show it: "[ktext]"; may be NULL */
};

/* What the layout is built from. */
struct klayout {
	const struct mm_region *ram; /* the normalized firmware map */
	size_t nram;
	uint64_t image_phys; /* where KERNEL_BASE maps */
	const struct klayout_section *image;
	size_t nimage;
	uint64_t boot_stack_phys; /* KSTACK_SIZE bytes */
};

/* One piece of the layout, as klayout_build hands it out. */
struct klayout_piece {
	uint64_t va, pa, size; /* page aligned */
	unsigned vm;	       /* VM_* flags (include/paging.h); 0 for a guard */
	const char *name;      /* the region's name in reports ("[direct map]"), NULL where the section had none */
	int guard;	       /* a range kept unmapped on purpose: record it, map nothing */
};

/* Map (or record) one piece. Returns 0, or a negative errno that stops the build. */
typedef int (*klayout_fn)(const struct klayout_piece *p, void *ctx);

/*
 * Hand out the kernel half, in order: the direct map of RAM (each run of RAM
 * in the map, merged across type changes, at DIRECT_MAP_BASE + phys,
 * read-write, NX, global, huge pages allowed), the image sections (their own
 * permissions, global, 4 KiB pages: W^X is per page), the guard page below
 * the boot stack and the boot stack (KSTACK_BOOT_SLOT, read-write, NX,
 * global). Returns 0 or the first error fn returned. *ram_unmapped (may be
 * NULL) gets the bytes of RAM above DIRECT_MAP_MAX_PHYS, which no direct
 * mapping reaches.
 */
int klayout_build(const struct klayout *l, klayout_fn fn, void *ctx, uint64_t *ram_unmapped);

#endif
