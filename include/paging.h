/* SPDX-License-Identifier: MIT */
/*
 * paging.h - x86-64 4-level page tables: PTE bits (Intel SDM Vol. 3A 4.5),
 * Atlas's generic mapping flags, and the one walk primitive that map,
 * unmap, protect and the page-walk report are built on.
 *
 * The code in mm/paging.c runs in three places: in efi/ (physical memory
 * identity-mapped by the firmware), in the kernel (physical memory reached
 * through the direct map) and in host tests (physical memory simulated in a
 * buffer). struct pt says how to reach and allocate table pages.
 */
#ifndef ATLAS_PAGING_H
#define ATLAS_PAGING_H

#include <stddef.h>
#include <stdint.h>

typedef uint64_t pte_t;

#define PTE_P (1ULL << 0)	   /* present */
#define PTE_W (1ULL << 1)	   /* R/W */
#define PTE_U (1ULL << 2)	   /* U/S */
#define PTE_PWT (1ULL << 3)	   /* page-level write-through */
#define PTE_PCD (1ULL << 4)	   /* page-level cache disable */
#define PTE_A (1ULL << 5)	   /* accessed */
#define PTE_D (1ULL << 6)	   /* dirty (leaf entries) */
#define PTE_PS (1ULL << 7)	   /* page size: 1 GiB in a PDPTE, 2 MiB in a PDE */
#define PTE_PAT (1ULL << 7)	   /* PAT index bit 2, in a 4 KiB PTE */
#define PTE_G (1ULL << 8)	   /* global */
#define PTE_PAT_LARGE (1ULL << 12) /* PAT index bit 2, in a 1 GiB / 2 MiB entry */
#define PTE_NX (1ULL << 63)	   /* XD: execute-disable, needs EFER.NXE */
#define PTE_ADDR_MASK 0x000FFFFFFFFFF000ULL

#define PT_ENTRIES 512
#define PT_LEVELS 4 /* level 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT */

/* Index of va in the table at level lvl (seed 004's 9/9/9/9/12 split). */
#define PT_INDEX(va, lvl) (((va) >> (PAGE_SHIFT_PT + 9 * ((lvl)-1))) & 511)
#define PAGE_SHIFT_PT 12
/* Bytes one entry at level lvl maps. */
#define PT_LEVEL_SIZE(lvl) (1ULL << (PAGE_SHIFT_PT + 9 * ((lvl)-1)))

/* Generic mapping flags; translated to PTE bits only by pt_flags(). */
#define VM_READ (1U << 0)
#define VM_WRITE (1U << 1)
#define VM_EXEC (1U << 2)
#define VM_USER (1U << 3)
#define VM_WC (1U << 4)	    /* write-combining, through PAT */
#define VM_UC (1U << 5)	    /* uncached (MMIO) */
#define VM_GLOBAL (1U << 6) /* survives CR3 reloads; kernel half only */
#define VM_NOHUGE (1U << 7) /* pt_map: use 4 KiB pages only */

struct pt {
	uint64_t root;	    /* physical address of the PML4 */
	uintptr_t phys_off; /* table page at phys P is at (P + phys_off) */
	int allow_1g;	    /* CPU has 1 GiB pages (CPUID pdpe1gb) */
	int live;	    /* root is in CR3: invalidate TLB entries on change */
	uint64_t pat_wc;    /* PTE bits selecting the WC PAT entry (4 KiB form) */
	/* Returns the physical address of a zeroed page, or 0 when out of memory. */
	uint64_t (*alloc_table)(void *ctx);
	void *ctx;
};

/* Result of a walk: what each level held on the way to va. */
struct pt_walk {
	uint64_t va;
	pte_t entry[PT_LEVELS + 1];    /* entry[lvl] for lvl in 1..4, as read */
	uint64_t table[PT_LEVELS + 1]; /* physical address of the table at lvl */
	int level;		       /* level of the leaf, or where the walk stopped */
	int present;		       /* 1: va maps to phys */
	uint64_t phys;		       /* translation of va when present */
	uint64_t page_size;
};

/* PTE bits for vm_flags at a leaf of level lvl (1 = 4 KiB, 2, 3 = huge). */
pte_t pt_flags(const struct pt *pt, unsigned vm_flags, int lvl);

/*
 * The walk primitive. Descends from the root towards va and stops at the
 * leaf that maps it, at a non-present entry, or at level stop_level. With
 * create, missing tables down to stop_level are allocated, and a huge page
 * in the way is split into the next level (keeping its translation and
 * flags). Returns a pointer to the entry at the level it stopped at (in
 * w->level), or NULL when a table could not be allocated. Does not flush.
 */
pte_t *pt_walk(struct pt *pt, uint64_t va, int stop_level, int create, struct pt_walk *w);

/*
 * Map [va, va+size) to [pa, pa+size) with vm_flags. All three must be
 * 4 KiB aligned. Uses 1 GiB and 2 MiB pages where alignment and length allow
 * (unless VM_NOHUGE). Returns 0, -EINVAL (alignment, non-canonical),
 * -EEXIST (something already mapped there; the range is left as it was
 * before the call up to that point) or -ENOMEM. Flushes the TLB when live.
 */
int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned vm_flags);

/*
 * Map one 4 KiB page at va (no huge pages in the way): the demand-fault path,
 * one walk instead of pt_map's query and walk. Returns 0, -EEXIST (already
 * mapped), -EINVAL or -ENOMEM. No flush needed: the entry was not present.
 */
int pt_map_page(struct pt *pt, uint64_t va, uint64_t pa, unsigned vm_flags);

/*
 * Unmap [va, va+size); huge pages partly inside are split first. Table pages
 * that become empty are not freed. Returns 0, -EINVAL or -ENOMEM (split).
 * Flushes the TLB when live.
 */
int pt_unmap(struct pt *pt, uint64_t va, uint64_t size);

/*
 * Change the flags of every present page in [va, va+size) to vm_flags,
 * splitting huge pages at the edges. Returns 0, -EINVAL or -ENOMEM. Flushes
 * the TLB when live.
 */
int pt_protect(struct pt *pt, uint64_t va, uint64_t size, unsigned vm_flags);

/* Translate va: fills w, returns 1 when mapped, 0 when not. Never allocates. */
int pt_query(struct pt *pt, uint64_t va, struct pt_walk *w);

/* One present leaf as pt_for_each_leaf() reports it. */
struct pt_leaf {
	uint64_t va; /* canonical (sign-extended) virtual address */
	uint64_t phys;
	uint64_t size; /* 4 KiB, 2 MiB or 1 GiB */
	int level;
	pte_t entry;  /* the leaf entry itself */
	int writable; /* effective: R/W set at every level */
	int user;     /* effective: U/S set at every level */
	int exec;     /* effective: XD clear at every level */
};

/*
 * Visit every present leaf of the tables, in address order, with the
 * permissions that are in force after combining all levels. A PML4 entry
 * that points back at the PML4 (the recursive slot) is skipped: it maps the
 * tables themselves, not memory. Stops early and returns fn's value when fn
 * returns non-zero; returns 0 after the last leaf. Never allocates or flushes.
 */
typedef int (*pt_leaf_fn)(const struct pt_leaf *leaf, void *ctx);
int pt_for_each_leaf(struct pt *pt, pt_leaf_fn fn, void *ctx);

/*
 * The W^X check: count the 4 KiB pages of pt that are effectively both
 * writable and executable (a 2 MiB leaf counts 512). *first gets the lowest
 * such address. Returns the count; 0 means W^X holds. Never allocates.
 */
uint64_t pt_count_wx(struct pt *pt, uint64_t *first);

/* True when va is canonical for 48-bit virtual addresses. */
static inline int va_canonical(uint64_t va)
{
	uint64_t top = va >> 47;
	return top == 0 || top == 0x1FFFF;
}

#endif
