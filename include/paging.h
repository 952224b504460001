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

#define PTE_P (1ULL << 0)   /* present */
#define PTE_W (1ULL << 1)   /* R/W */
#define PTE_U (1ULL << 2)   /* U/S */
#define PTE_PWT (1ULL << 3) /* page-level write-through */
#define PTE_PCD (1ULL << 4) /* page-level cache disable */
#define PTE_A (1ULL << 5)   /* accessed */
#define PTE_D (1ULL << 6)   /* dirty (leaf entries) */
#define PTE_PS (1ULL << 7)  /* page size: 1 GiB in a PDPTE, 2 MiB in a PDE */
#define PTE_PAT (1ULL << 7) /* PAT index bit 2, in a 4 KiB PTE */
#define PTE_G (1ULL << 8)   /* global */
/*
 * Software bit (ignored by the CPU, SDM 4.5 "Ign."): a not-present 4 KiB
 * entry that still owns its frame, for user pages of a PROT_NONE area. The
 * CPU sees no mapping, so neither ring 3 nor the kernel's user copies can
 * reach the page (Linux's _PAGE_PROTNONE idea); the walks below treat it as
 * a leaf, so unmap, protect, RSS and teardown still find the frame.
 */
#define PTE_PROTNONE (1ULL << 9)
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
#define VM_WC (1U << 4)	      /* write-combining, through PAT */
#define VM_UC (1U << 5)	      /* uncached (MMIO) */
#define VM_GLOBAL (1U << 6)   /* survives CR3 reloads; kernel half only */
#define VM_NOHUGE (1U << 7)   /* pt_map: use 4 KiB pages only */
#define VM_PROTNONE (1U << 8) /* a kept frame no one may access: PTE_PROTNONE, 4 KiB only */

struct pt {
	uint64_t root;	    /* physical address of the PML4 */
	uintptr_t phys_off; /* table page at phys P is at (P + phys_off) */
	int allow_1g;	    /* CPU has 1 GiB pages (CPUID pdpe1gb) */
	int live;	    /* root is in CR3: invalidate TLB entries on change */
	uint64_t pat_wc;    /* PTE bits selecting the WC PAT entry (4 KiB form) */
	/* Returns the physical address of a zeroed page, or 0 when out of memory. */
	uint64_t (*alloc_table)(void *ctx);
	/*
	 * Takes back a table page pt_range(PT_CLEAR) emptied. NULL: emptied
	 * tables stay (the kernel's tables, which are never torn down).
	 */
	void (*free_table)(uint64_t phys, void *ctx);
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
 * Map one 4 KiB page at va: the demand-fault path, a single descent that
 * creates missing tables on the way and nothing else (no struct pt_walk, no
 * pre-query). Returns 0, -EEXIST (already mapped, also by a huge page, which
 * is left alone), -EINVAL or -ENOMEM (tables made on the way are kept). No
 * flush needed: the entry was not present.
 */
int pt_map_page(struct pt *pt, uint64_t va, uint64_t pa, unsigned vm_flags);

/*
 * Unmap [va, va+size); huge pages partly inside are split first. Table pages
 * whose whole span lies in the range go back through pt->free_table when it
 * is set. Returns
 * 0, -EINVAL or -ENOMEM (split). Flushes the TLB when live. The frames are
 * the caller's: use pt_range(PT_CLEAR) with a callback to collect them.
 */
int pt_unmap(struct pt *pt, uint64_t va, uint64_t size);

/*
 * Change the flags of every present page in [va, va+size) to vm_flags,
 * splitting huge pages at the edges. Returns 0, -EINVAL or -ENOMEM. Flushes
 * the TLB when live.
 */
int pt_protect(struct pt *pt, uint64_t va, uint64_t size, unsigned vm_flags);

/*
 * Translate va: fills w, returns 1 when mapped, 0 when not. A PTE_PROTNONE
 * entry counts as mapped (it holds a frame) although the CPU cannot use it.
 * Never allocates.
 */
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
	int protnone; /* a PTE_PROTNONE entry: a frame the CPU cannot reach */
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

/* What pt_range does to each leaf of its range, after fn has seen it. */
enum pt_range_op {
	PT_VISIT, /* nothing: a report (RSS, dirty, W^X) */
	PT_CLEAR, /* clear it (the frame is fn's to free), and free the tables the range covers */
	PT_SET,	  /* rewrite its flags to pt_flags(vm), keeping frame, A and D */
	PT_COPY,  /* pt_copy's: give it to another table tree too */
};

/*
 * The range walk every bulk operation is built on: visit the leaves (present
 * or PTE_PROTNONE) of [va, va+size) in address order, descending only into
 * present table entries, so the cost is proportional to the tables that
 * exist under the range, never to its size: an untouched 2^46-byte range
 * costs a few hundred entry reads. fn (may be NULL) sees each leaf before op
 * changes it; a non-zero return stops the walk and is returned. For PT_CLEAR
 * and PT_SET a huge leaf that sticks out of the range is split first (as is
 * one PT_SET would make PROT_NONE); PT_VISIT reports such leaves whole.
 * PT_CLEAR frees each table page whose whole span lies in the range through
 * pt->free_table (when set); one covered only in part stays, even emptied
 * (knowing would cost a read of all its entries): a later mapping reuses it,
 * a clear over its span or the address space's end frees it. Returns 0, fn's value, -EINVAL (unaligned, empty,
 * wrapping, non-canonical, straddling the hole) or -ENOMEM (a split; the range is then done up to that leaf). Flushes
 * every changed entry when live.
 */
int pt_range(struct pt *pt, uint64_t va, uint64_t size, enum pt_range_op op, unsigned vm, pt_leaf_fn fn, void *ctx);

/*
 * Fork's copy, on pt_range's walk: every leaf of src in [va, va+size) that
 * fn (may be NULL) accepts (returns 0) is written into dst at the same
 * address, the entry as it is (frame, flags, A, D, PTE_PROTNONE), creating
 * dst's tables on the way; with cow, a writable leaf becomes read-only in
 * both. Each leaf table is copied in one loop over its entries, and a table
 * of src that holds nothing in the range costs nothing. dst must map nothing
 * in the range. A huge leaf src has partly inside the range is split in src
 * first. Does NOT flush: src's changed entries stay in the TLB until the
 * caller reloads CR3 (once for the whole copy). Returns 0, fn's value,
 * -EINVAL or -ENOMEM (a table; the copy is then done up to that point: the
 * leaves fn accepted are in dst).
 */
int pt_copy(struct pt *dst, struct pt *src, uint64_t va, uint64_t size, int cow, pt_leaf_fn fn, void *ctx);

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
