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

	/* Not present: no access for anyone; the walks see the frame through PTE_PROTNONE. */
	if (vm & VM_PROTNONE)
		return PTE_PROTNONE | PTE_NX;

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

/* Whether e, at level lvl, holds something: a table, a leaf, or a PROT_NONE leaf. */
static inline int present(pte_t e, int lvl)
{
	return (e & PTE_P) || (lvl == 1 && (e & PTE_PROTNONE));
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
		if (!present(*e, lvl)) {
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
	if (vm & (VM_NOHUGE | VM_PROTNONE))
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
	uint64_t table = pt->root;
	pte_t *e;

	if (!range_ok(va, PAGE_SIZE) || (pa & ~PTE_ADDR_MASK))
		return -EINVAL;
	for (int lvl = PT_LEVELS; lvl > 1; lvl--) {
		e = &table_at(pt, table)[PT_INDEX(va, lvl)];
		if (!(*e & PTE_P)) {
			uint64_t np = pt->alloc_table(pt->ctx);

			if (!np)
				return -ENOMEM;
			*e = np | table_flags(va);
		} else if (*e & PTE_PS) {
			return -EEXIST; /* inside a huge page */
		}
		table = *e & PTE_ADDR_MASK;
	}
	e = &table_at(pt, table)[PT_INDEX(va, 1)];
	if (present(*e, 1))
		return -EEXIST;
	*e = pa | pt_flags(pt, vm, 1);
	return 0;
}

/* Sign-extend a 48-bit address built from table indices. */
static uint64_t canonical(uint64_t va)
{
	return (va & (1ULL << 47)) ? (va | 0xFFFF000000000000ULL) : va;
}

#define VA48_MASK ((1ULL << 48) - 1)

/* One pt_range call: the range in 48-bit form, [first, last], and what to do. */
struct range {
	struct pt *pt;
	uint64_t first, last;
	enum pt_range_op op;
	unsigned vm; /* PT_SET: the new flags; PT_COPY: non-zero write-protects (copy-on-write) */
	pt_leaf_fn fn;
	void *ctx;
	struct pt *dst; /* PT_COPY: the tables that receive the leaves */
};

/*
 * PT_COPY's table in dst at the place of entry i of the table dt (level lvl
 * > 1): the one there, or a new one. Returns its physical address, 0 when
 * none could be allocated.
 */
static uint64_t dst_table(struct range *r, pte_t *dt, unsigned i, uint64_t va)
{
	uint64_t np;

	if (dt[i] & PTE_P)
		return dt[i] & PTE_ADDR_MASK;
	np = r->dst->alloc_table(r->dst->ctx);
	if (np)
		dt[i] = np | table_flags(va);
	return np;
}

/*
 * range_table's loop over a leaf table (level 1, 4 KiB entries [i0, i1] of
 * t, mapping from base): the same work with what does not change from entry
 * to entry worked out once, since this loop is where fork, exit, munmap and
 * mprotect of a large area spend their time. dt: PT_COPY's table.
 */
static int range_leaves(struct range *r, pte_t *t, pte_t *dt, unsigned i0, unsigned i1, uint64_t base, int w, int u,
			int x)
{
	struct pt_leaf l = { .size = PAGE_SIZE, .level = 1 };
	uint64_t cbase = canonical(base); /* one leaf table never straddles bit 47 */
	pte_t setf = r->op == PT_SET ? pt_flags(r->pt, r->vm, 1) : 0;

	for (unsigned i = i0; i <= i1; i++) {
		pte_t e = t[i];
		uint64_t va = cbase + ((uint64_t)i << PAGE_SHIFT_PT);

		if (!(e & (PTE_P | PTE_PROTNONE)))
			continue;
		if (r->fn) {
			int rc;

			l.va = va;
			l.phys = e & PTE_ADDR_MASK;
			l.entry = e;
			l.writable = w && (e & PTE_W);
			l.user = u && (e & PTE_U);
			l.exec = x && !(e & PTE_NX);
			l.protnone = !(e & PTE_P);
			rc = r->fn(&l, r->ctx);
			if (rc)
				return rc;
		}
		switch (r->op) {
		case PT_COPY:
			/* No flush: the caller reloads CR3 once for the whole copy. */
			if (r->vm && (e & PTE_W))
				t[i] = e &= ~PTE_W;
			dt[i] = e;
			continue;
		case PT_CLEAR:
			t[i] = 0;
			break;
		case PT_SET:
			t[i] = (e & PTE_ADDR_MASK) | (e & (PTE_A | PTE_D)) | setf;
			break;
		default:
			continue;
		}
		pt_invalidate(r->pt, va);
	}
	return 0;
}

/*
 * The entries [i0, i1] of the table at level lvl that maps from base (48-bit
 * form); w, u, x are the rights the levels above allow; dtable is PT_COPY's
 * table in r->dst at the same place (0 otherwise). Returns 0, fn's value or
 * -ENOMEM.
 */
static int range_table(struct range *r, uint64_t table, uint64_t dtable, int lvl, uint64_t base, int w, int u, int x)
{
	pte_t *t = table_at(r->pt, table), *dt = dtable ? table_at(r->dst, dtable) : NULL;
	uint64_t span = PT_LEVEL_SIZE(lvl);
	unsigned i0 = r->first > base ? (unsigned)((r->first - base) / span) : 0;
	unsigned i1 = r->last - base >= (uint64_t)PT_ENTRIES * span - 1 ? PT_ENTRIES - 1 :
									  (unsigned)((r->last - base) / span);

	if (lvl == 1)
		return range_leaves(r, t, dt, i0, i1, base, w, u, x);
	for (unsigned i = i0; i <= i1; i++) {
		pte_t e = t[i];
		uint64_t va = base + (uint64_t)i * span;
		int inside = va >= r->first && va + span - 1 <= r->last;
		int ew = w && (e & PTE_W), eu = u && (e & PTE_U), ex = x && !(e & PTE_NX), rc;

		if (!present(e, lvl))
			continue;
		if (lvl == PT_LEVELS && (e & PTE_ADDR_MASK) == r->pt->root)
			continue; /* the recursive slot maps the tables, not memory */
		if (lvl > 1 && (e & PTE_PS) && r->op != PT_VISIT &&
		    (!inside || (r->op == PT_SET && (r->vm & VM_PROTNONE)))) {
			/* Part of a huge page, or one that must become 4 KiB PROT_NONE pages: split, go on below. */
			rc = split_huge(r->pt, &t[i], lvl, canonical(va));
			if (rc)
				return rc;
			e = t[i];
		}
		if (lvl > 1 && !(e & PTE_PS)) {
			uint64_t child = e & PTE_ADDR_MASK, dchild = 0;

			if (dt && !(dchild = dst_table(r, dt, i, canonical(va))))
				return -ENOMEM;
			rc = range_table(r, child, dchild, lvl - 1, va, ew, eu, ex);
			/*
			 * A table whose whole span the range covers is empty now: free
			 * it. One the range covers only in part stays, even if it was
			 * emptied: finding out would mean reading all 512 entries, on
			 * every munmap of a page (munmap of one page would read three
			 * tables whole). It is reused by the next mapping there, freed
			 * by a later clear that covers its span, or at exit.
			 */
			if (!rc && r->op == PT_CLEAR && r->pt->free_table && inside) {
				t[i] = 0;
				/* INVLPG also drops every paging-structure cache entry (SDM 4.10.4.1). */
				pt_invalidate(r->pt, canonical(va));
				r->pt->free_table(child, r->pt->ctx);
			}
			if (rc)
				return rc;
			continue;
		}
		if (r->fn) {
			struct pt_leaf l = { canonical(va), leaf_addr(e, lvl), span, lvl, e, ew, eu, ex, !(e & PTE_P) };

			rc = r->fn(&l, r->ctx);
			if (rc)
				return rc;
		}
		if (r->op == PT_COPY) {
			/* No flush: the caller reloads CR3 once for the whole copy. */
			if (r->vm && (e & PTE_W))
				t[i] = e &= ~PTE_W;
			dt[i] = e;
			continue;
		}
		if (r->op == PT_CLEAR)
			t[i] = 0;
		else if (r->op == PT_SET)
			t[i] = leaf_addr(e, lvl) | (e & (PTE_A | PTE_D)) | pt_flags(r->pt, r->vm, lvl);
		else
			continue;
		pt_invalidate(r->pt, canonical(va));
	}
	return 0;
}

int pt_range(struct pt *pt, uint64_t va, uint64_t size, enum pt_range_op op, unsigned vm, pt_leaf_fn fn, void *ctx)
{
	struct range r = { pt, va & VA48_MASK, (va + size - 1) & VA48_MASK, op, vm, fn, ctx, NULL };

	if (!range_ok(va, size) || (op == PT_SET && vm == ~0U))
		return -EINVAL;
	return range_table(&r, pt->root, 0, PT_LEVELS, 0, 1, 1, 1);
}

int pt_copy(struct pt *dst, struct pt *src, uint64_t va, uint64_t size, int cow, pt_leaf_fn fn, void *ctx)
{
	struct range r = { src, va & VA48_MASK, (va + size - 1) & VA48_MASK, PT_COPY, cow != 0, fn, ctx, dst };

	if (!range_ok(va, size))
		return -EINVAL;
	return range_table(&r, src->root, dst->root, PT_LEVELS, 0, 1, 1, 1);
}

int pt_unmap(struct pt *pt, uint64_t va, uint64_t size)
{
	return pt_range(pt, va, size, PT_CLEAR, 0, NULL, NULL);
}

int pt_protect(struct pt *pt, uint64_t va, uint64_t size, unsigned vm)
{
	if (vm == ~0U)
		return -EINVAL;
	return pt_range(pt, va, size, PT_SET, vm, NULL, NULL);
}

int pt_for_each_leaf(struct pt *pt, pt_leaf_fn fn, void *ctx)
{
	struct range r = { pt, 0, VA48_MASK, PT_VISIT, 0, fn, ctx, NULL };

	return range_table(&r, pt->root, 0, PT_LEVELS, 0, 1, 1, 1);
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
