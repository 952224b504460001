/* SPDX-License-Identifier: MIT */
/*
 * paging.c - the page-walk primitive and what is built on it: map, unmap,
 * protect and query. Generic VM_* flags become PTE bits in pt_flags() and
 * nowhere else.
 *
 * This file is compiled three times: into efi/ (tables reached through the
 * firmware's identity map), into the kernel (through the direct map) and into
 * the host tests (through a simulated physical memory). struct pt carries the
 * difference; nothing here touches CR3 or issues invlpg by itself unless the
 * table is live and the build provides pt_invalidate().
 */
#include "paging.h"

#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"

#if defined(ATLAS_KERNEL)
#include "x86.h"
static void pt_invalidate(const struct pt *pt, uint64_t va)
{
	if (pt->live)
		invlpg(va);
}
#else
static void pt_invalidate(const struct pt *pt, uint64_t va)
{
	(void)pt;
	(void)va;
}
#endif

/* Bits of a leaf at level lvl that are the frame address. */
static uint64_t leaf_addr(pte_t e, int lvl)
{
	return e & PTE_ADDR_MASK & ~(PT_LEVEL_SIZE(lvl) - 1);
}

pte_t pt_flags(const struct pt *pt, unsigned vm, int lvl)
{
	pte_t f = PTE_P;

	if (vm & VM_WRITE)
		f |= PTE_W;
	if (vm & VM_USER)
		f |= PTE_U;
	if (!(vm & VM_EXEC))
		f |= PTE_NX;
	if ((vm & VM_GLOBAL) && !(vm & VM_USER))
		f |= PTE_G;
	if (vm & VM_UC) {
		f |= PTE_PCD | PTE_PWT;
	} else if (vm & VM_WC) {
		/* Without a programmed WC PAT entry, uncached is the safe fallback. */
		pte_t wc = pt->pat_wc ? pt->pat_wc : (PTE_PCD | PTE_PWT);
		if (lvl > 1 && (wc & PTE_PAT))
			wc = (wc & ~PTE_PAT) | PTE_PAT_LARGE;
		f |= wc;
	}
	if (lvl > 1)
		f |= PTE_PS;
	return f;
}

/* Flags of a table entry (non-leaf): the leaf decides the permissions. */
static pte_t table_flags(uint64_t va)
{
	return PTE_P | PTE_W | (va < USER_END ? PTE_U : 0);
}

static pte_t *table_at(const struct pt *pt, uint64_t phys)
{
	return (pte_t *)(uintptr_t)(phys + pt->phys_off);
}

/*
 * Replace the huge leaf *e (level lvl) by a table of lvl-1 entries with the
 * same translation and attributes. Returns 0 or -ENOMEM.
 */
static int split_huge(struct pt *pt, pte_t *e, int lvl, uint64_t va)
{
	uint64_t np = pt->alloc_table(pt->ctx);
	pte_t old = *e, attrs;
	uint64_t base = leaf_addr(old, lvl), step = PT_LEVEL_SIZE(lvl - 1);
	pte_t *t;

	if (!np)
		return -ENOMEM;
	attrs = old & ~PTE_ADDR_MASK; /* also drops PAT_LARGE (bit 12) */
	if (lvl - 1 == 1) {
		/* 4 KiB entries: PS is gone, the PAT bit moves to bit 7. */
		attrs &= ~PTE_PS;
		if (old & PTE_PAT_LARGE)
			attrs |= PTE_PAT;
	} else if (old & PTE_PAT_LARGE) {
		attrs |= PTE_PAT_LARGE;
	}
	t = table_at(pt, np);
	for (int i = 0; i < PT_ENTRIES; i++)
		t[i] = (base + (uint64_t)i * step) | attrs;
	/* Same frames and attributes: the old TLB entries stay correct (SDM 4.10.2.3). */
	*e = np | table_flags(va);
	return 0;
}

pte_t *pt_walk(struct pt *pt, uint64_t va, int stop_level, int create, struct pt_walk *w)
{
	uint64_t table = pt->root;

	memset(w, 0, sizeof(*w));
	w->va = va;
	for (int lvl = PT_LEVELS;; lvl--) {
		pte_t *e = &table_at(pt, table)[PT_INDEX(va, lvl)];

		w->table[lvl] = table;
		w->entry[lvl] = *e;
		w->level = lvl;
		if (!(*e & PTE_P)) {
			if (lvl == stop_level || !create)
				return e;
			uint64_t np = pt->alloc_table(pt->ctx);
			if (!np)
				return NULL;
			*e = np | table_flags(va);
			w->entry[lvl] = *e;
		} else if (lvl == 1 || (*e & PTE_PS)) {
			w->present = 1;
			w->page_size = PT_LEVEL_SIZE(lvl);
			w->phys = leaf_addr(*e, lvl) + (va & (w->page_size - 1));
			if (lvl == stop_level || !create)
				return e;
			if (split_huge(pt, e, lvl, va))
				return NULL;
			w->present = 0;
			w->entry[lvl] = *e;
		} else if (lvl == stop_level) {
			return e;
		}
		table = *e & PTE_ADDR_MASK;
	}
}

int pt_query(struct pt *pt, uint64_t va, struct pt_walk *w)
{
	if (!va_canonical(va)) {
		memset(w, 0, sizeof(*w));
		w->va = va;
		return 0;
	}
	pt_walk(pt, va, 1, 0, w);
	return w->present;
}

/* Largest level whose page fits at va/pa with len bytes left. */
static int best_level(const struct pt *pt, uint64_t va, uint64_t pa, uint64_t len, unsigned vm)
{
	if (vm & VM_NOHUGE)
		return 1;
	if (pt->allow_1g && !((va | pa) & (HUGE_1G - 1)) && len >= HUGE_1G)
		return 3;
	if (!((va | pa) & (HUGE_2M - 1)) && len >= HUGE_2M)
		return 2;
	return 1;
}

static int range_ok(uint64_t va, uint64_t size)
{
	uint64_t last = va + size - 1;

	if (!size || (va & (PAGE_SIZE - 1)) || (size & (PAGE_SIZE - 1)) || last < va)
		return 0;
	if (!va_canonical(va) || !va_canonical(last))
		return 0;
	/* The range may not straddle the non-canonical hole. */
	return (va < USER_END) == (last < USER_END);
}

int pt_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, unsigned vm)
{
	struct pt_walk w;

	/* pa too: 4 KiB aligned, and the whole range inside the 52-bit physical space. */
	if (!range_ok(va, size) || (pa & ~PTE_ADDR_MASK) || size - 1 > (PTE_ADDR_MASK | (PAGE_SIZE - 1)) - pa)
		return -EINVAL;
	while (size) {
		int lvl = best_level(pt, va, pa, size, vm);
		pte_t *e;

		/* Refuse before the walk below could split an existing huge page. */
		if (pt_query(pt, va, &w))
			return -EEXIST;
		for (;;) {
			e = pt_walk(pt, va, lvl, 1, &w);
			if (!e)
				return -ENOMEM;
			if (w.present)
				return -EEXIST;
			/* A table already hangs here: map at the next level down. */
			if ((*e & PTE_P) && lvl > 1) {
				lvl--;
				continue;
			}
			break;
		}
		*e = pa | pt_flags(pt, vm, lvl);
		va += PT_LEVEL_SIZE(lvl);
		pa += PT_LEVEL_SIZE(lvl);
		size -= PT_LEVEL_SIZE(lvl);
	}
	return 0;
}

int pt_map_page(struct pt *pt, uint64_t va, uint64_t pa, unsigned vm)
{
	struct pt_walk w;
	pte_t *e;

	if (!range_ok(va, PAGE_SIZE) || (pa & ~PTE_ADDR_MASK))
		return -EINVAL;
	e = pt_walk(pt, va, 1, 1, &w);
	if (!e)
		return -ENOMEM;
	if (w.level != 1 || (*e & PTE_P))
		return -EEXIST; /* a huge page was split to get here, or the page is there */
	*e = pa | pt_flags(pt, vm, 1);
	return 0;
}

/*
 * Visit the leaves of [va, va+size): clear them (vm == ~0U) or rewrite their
 * flags, splitting huge pages that stick out of the range.
 */
static int pt_apply(struct pt *pt, uint64_t va, uint64_t size, unsigned vm)
{
	struct pt_walk w;

	if (!range_ok(va, size))
		return -EINVAL;
	while (size) {
		pte_t *e = pt_walk(pt, va, 1, 0, &w);
		uint64_t psz = PT_LEVEL_SIZE(w.level);
		uint64_t off = va & (psz - 1);
		uint64_t step = psz - off;

		if (!w.present) {
			/* Nothing mapped up to the end of this entry's span. */
			if (step >= size)
				break;
			va += step;
			size -= step;
			continue;
		}
		if (off || size < psz) {
			/* Partly inside: split and look again at the smaller level. */
			if (!pt_walk(pt, va, w.level - 1, 1, &w))
				return -ENOMEM;
			continue;
		}
		if (vm == ~0U)
			*e = 0;
		else
			*e = leaf_addr(*e, w.level) | (*e & (PTE_A | PTE_D)) | pt_flags(pt, vm, w.level);
		pt_invalidate(pt, va);
		va += psz;
		size -= psz;
	}
	return 0;
}

int pt_unmap(struct pt *pt, uint64_t va, uint64_t size)
{
	return pt_apply(pt, va, size, ~0U);
}

int pt_protect(struct pt *pt, uint64_t va, uint64_t size, unsigned vm)
{
	if (vm == ~0U)
		return -EINVAL;
	return pt_apply(pt, va, size, vm);
}

/* Sign-extend a 48-bit address built from table indices. */
static uint64_t canonical(uint64_t va)
{
	return (va & (1ULL << 47)) ? (va | 0xFFFF000000000000ULL) : va;
}

static int leaves(struct pt *pt, uint64_t table, int lvl, uint64_t base, int w, int u, int x, pt_leaf_fn fn, void *ctx)
{
	const pte_t *t = table_at(pt, table);

	for (int i = 0; i < PT_ENTRIES; i++) {
		pte_t e = t[i];
		uint64_t va = base + (uint64_t)i * PT_LEVEL_SIZE(lvl);
		int ew = w && (e & PTE_W), eu = u && (e & PTE_U), ex = x && !(e & PTE_NX), r;

		if (!(e & PTE_P))
			continue;
		if (lvl == PT_LEVELS && (e & PTE_ADDR_MASK) == pt->root)
			continue;
		if (lvl == 1 || (e & PTE_PS)) {
			struct pt_leaf l = { canonical(va), leaf_addr(e, lvl), PT_LEVEL_SIZE(lvl), lvl, e, ew, eu, ex };
			r = fn(&l, ctx);
		} else {
			r = leaves(pt, e & PTE_ADDR_MASK, lvl - 1, va, ew, eu, ex, fn, ctx);
		}
		if (r)
			return r;
	}
	return 0;
}

int pt_for_each_leaf(struct pt *pt, pt_leaf_fn fn, void *ctx)
{
	return leaves(pt, pt->root, PT_LEVELS, 0, 1, 1, 1, fn, ctx);
}

struct wx_count {
	uint64_t pages, first;
};

static int wx_leaf(const struct pt_leaf *l, void *ctx)
{
	struct wx_count *c = ctx;

	if (l->writable && l->exec) {
		if (!c->pages)
			c->first = l->va;
		c->pages += l->size >> PAGE_SHIFT_PT;
	}
	return 0;
}

uint64_t pt_count_wx(struct pt *pt, uint64_t *first)
{
	struct wx_count c = { 0, 0 };

	pt_for_each_leaf(pt, wx_leaf, &c);
	*first = c.first;
	return c.pages;
}
