/* SPDX-License-Identifier: MIT */
/*
 * test_paging.c - mm/paging.c on the host: pt_flags, pt_walk, pt_map,
 * pt_unmap, pt_protect and pt_query over a simulated physical memory.
 *
 * Physical memory is a 16 MiB buffer; "physical address" P lives at
 * buf + (P - SIM_BASE), so struct pt's phys_off is buf - SIM_BASE. Table
 * pages come from a bump allocator with a budget, which lets a test count
 * allocations (no split, exactly one split, ...) and run it dry for -ENOMEM.
 * The frames that leaves map are never touched, so they can be anywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "unit.h"

#include "kerrno.h"
#include "memlayout.h"
#include "paging.h"

#define SIM_BASE 0x100000ULL
#define SIM_SIZE (16ULL << 20)
#define SIM_POISON 0xA5

struct sim {
	uint8_t *mem;
	uint64_t next;	 /* next free physical page */
	unsigned allocs; /* pages handed out */
	unsigned budget; /* alloc_table fails once allocs reaches it */
	unsigned frees;	 /* pages free_table took back */
};

struct env {
	struct sim sim;
	struct pt pt;
	void *model_mem[2]; /* test_random's model, freed by the teardown */
};

static uint64_t sim_alloc(void *ctx)
{
	struct sim *s = ctx;
	uint64_t p;

	if (s->allocs >= s->budget || s->next >= SIM_BASE + SIM_SIZE)
		return 0;
	p = s->next;
	s->next += PAGE_SIZE;
	s->allocs++;
	memset(s->mem + (p - SIM_BASE), 0, PAGE_SIZE);
	return p;
}

static int env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	e->sim.mem = aligned_alloc(PAGE_SIZE, SIM_SIZE);
	assert_non_null(e->sim.mem);
	/* Pages never handed out hold garbage with P set: reading one shows. */
	memset(e->sim.mem, SIM_POISON, SIM_SIZE);
	e->sim.next = SIM_BASE;
	e->sim.budget = ~0U;
	e->pt.phys_off = (uintptr_t)e->sim.mem - SIM_BASE;
	e->pt.alloc_table = sim_alloc;
	e->pt.ctx = &e->sim;
	e->pt.allow_1g = 1;
	e->pt.root = sim_alloc(&e->sim);
	assert_int_equal(e->pt.root, SIM_BASE);
	*state = e;
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;

	free(e->model_mem[0]);
	free(e->model_mem[1]);
	free(e->sim.mem);
	free(e);
	return 0;
}

/* The table page at physical address phys, read straight from the buffer. */
static pte_t *sim_table(struct env *e, uint64_t phys)
{
	assert_true(phys >= SIM_BASE && phys < e->sim.next);
	assert_int_equal(phys & (PAGE_SIZE - 1), 0);
	return (pte_t *)(e->sim.mem + (phys - SIM_BASE));
}

#define A_D (PTE_A | PTE_D)

/*
 * Check that every page of [va, va+size) (every stride bytes) translates to
 * pa + offset through a leaf at level lvl (0: any level) whose entry is
 * exactly frame | pt_flags(vm, level), ignoring A and D.
 */
static void check_mapped(struct env *e, uint64_t va, uint64_t pa, uint64_t size, unsigned vm, int lvl, uint64_t stride)
{
	for (uint64_t off = 0; off < size; off += stride) {
		struct pt_walk w;
		/* Vary the offset inside the page, staying below the next sample. */
		uint64_t v = va + off + (off / stride % 7) * 0x111 % (stride < PAGE_SIZE ? stride : PAGE_SIZE);

		if (!pt_query(&e->pt, v, &w))
			fail_msg("va %#llx not mapped", (unsigned long long)v);
		if (w.phys != pa + (v - va))
			fail_msg("va %#llx -> %#llx, want %#llx", (unsigned long long)v, (unsigned long long)w.phys,
				 (unsigned long long)(pa + (v - va)));
		if (lvl && w.level != lvl)
			fail_msg("va %#llx at level %d, want %d", (unsigned long long)v, w.level, lvl);
		assert_int_equal(w.page_size, PT_LEVEL_SIZE(w.level));
		pte_t want = (w.phys & ~(w.page_size - 1)) | pt_flags(&e->pt, vm, w.level);
		if ((w.entry[w.level] & ~A_D) != want)
			fail_msg("va %#llx entry %#llx, want %#llx", (unsigned long long)v,
				 (unsigned long long)w.entry[w.level], (unsigned long long)want);
	}
}

static void check_unmapped(struct env *e, uint64_t va, uint64_t size, uint64_t stride)
{
	for (uint64_t off = 0; off < size; off += stride) {
		struct pt_walk w;

		if (pt_query(&e->pt, va + off, &w))
			fail_msg("va %#llx mapped to %#llx", (unsigned long long)(va + off),
				 (unsigned long long)w.phys);
		assert_int_equal(w.present, 0);
	}
}

static int leaf_level(struct env *e, uint64_t va)
{
	struct pt_walk w;

	return pt_query(&e->pt, va, &w) ? w.level : 0;
}

/*
 * Structural check of the whole tree: every table entry points at an
 * allocated table page and has exactly P|W, plus U in the user half; leaves
 * at level 2 and 3 have PS. counts[lvl] gets the number of leaves.
 */
static void validate_level(struct env *e, uint64_t table, int lvl, uint64_t va_base, unsigned long *counts)
{
	pte_t *t = sim_table(e, table);

	for (int i = 0; i < PT_ENTRIES; i++) {
		uint64_t va = va_base + (uint64_t)i * PT_LEVEL_SIZE(lvl);
		pte_t x = t[i];

		if (lvl == 4 && i >= 256)
			va |= 0xFFFF000000000000ULL;
		if (lvl == 1 && !(x & PTE_P) && (x & PTE_PROTNONE)) {
			counts[lvl]++; /* a PROT_NONE leaf keeps its frame */
			continue;
		}
		if (!(x & PTE_P)) {
			if (x != 0)
				fail_msg("non-present entry %#llx at level %d", (unsigned long long)x, lvl);
			continue;
		}
		if (lvl == 1 || (lvl < 4 && (x & PTE_PS))) {
			counts[lvl]++;
			continue;
		}
		pte_t want = PTE_P | PTE_W | (va < USER_END ? PTE_U : 0);
		if ((x & ~PTE_ADDR_MASK) != want)
			fail_msg("table entry for %#llx at level %d: %#llx", (unsigned long long)va, lvl,
				 (unsigned long long)x);
		validate_level(e, x & PTE_ADDR_MASK, lvl - 1, va, counts);
	}
}

static void validate_tree(struct env *e, unsigned long *counts)
{
	unsigned long c[PT_LEVELS + 1] = { 0 };

	validate_level(e, e->pt.root, 4, 0, counts ? counts : c);
}

/* ------------------------------------------------------------------ */
/* pt_flags                                                           */

/*
 * The oracle for pt_flags, from the Intel SDM rather than from paging.h:
 * Vol. 3A tables 4-15 (a PDPTE that maps a 1 GiB page), 4-17 (a PDE that
 * maps a 2 MiB page) and 4-19 (a PTE that maps a 4 KiB page). The bit
 * positions are written here as the tables give them, so that a wrong
 * PTE_* constant or a bit set in the wrong form of entry is caught.
 */
#define SDM_BIT(n) (1ULL << (n))
#define SDM_P 0		 /* present */
#define SDM_RW 1	 /* read/write */
#define SDM_US 2	 /* user/supervisor */
#define SDM_PWT 3	 /* page-level write-through: PAT index bit 0 */
#define SDM_PCD 4	 /* page-level cache disable: PAT index bit 1 */
#define SDM_A 5		 /* accessed */
#define SDM_D 6		 /* dirty */
#define SDM_PS 7	 /* page size, in a PDPTE or PDE that maps a page */
#define SDM_PAT_4K 7	 /* PAT index bit 2, in a PTE */
#define SDM_G 8		 /* global */
#define SDM_PAT_LARGE 12 /* PAT index bit 2, in a PDPTE or PDE that maps a page */
#define SDM_XD 63	 /* execute-disable */

/* What an entry that maps a page says, read by the tables above. */
struct sdm_leaf {
	int present, writable, user, exec, global, ps;
	unsigned pat_index; /* the PAT entry that gives the memory type */
	uint64_t other;	    /* bits none of the above: must be 0 in pt_flags' result */
};

static struct sdm_leaf sdm_decode(uint64_t e, int lvl)
{
	int pat_bit = lvl == 1 ? SDM_PAT_4K : SDM_PAT_LARGE;
	uint64_t known = SDM_BIT(SDM_P) | SDM_BIT(SDM_RW) | SDM_BIT(SDM_US) | SDM_BIT(SDM_PWT) | SDM_BIT(SDM_PCD) |
			 SDM_BIT(SDM_G) | SDM_BIT(SDM_XD) | SDM_BIT(pat_bit) | (lvl > 1 ? SDM_BIT(SDM_PS) : 0);
	struct sdm_leaf l = {
		.present = !!(e & SDM_BIT(SDM_P)),
		.writable = !!(e & SDM_BIT(SDM_RW)),
		.user = !!(e & SDM_BIT(SDM_US)),
		.exec = !(e & SDM_BIT(SDM_XD)),
		.global = !!(e & SDM_BIT(SDM_G)),
		.ps = lvl > 1 && (e & SDM_BIT(SDM_PS)),
		.pat_index = (unsigned)((e & SDM_BIT(SDM_PWT) ? 1 : 0) | (e & SDM_BIT(SDM_PCD) ? 2 : 0) |
					(e & SDM_BIT(pat_bit) ? 4 : 0)),
		.other = e & ~known,
	};

	return l;
}

/*
 * The PAT entry vm asks for, with Atlas's PAT (core/x86/cpu.c: entry 0 WB,
 * entry 3 UC) and pat_wc, the 4 KiB-form bits that select the WC entry (0:
 * none programmed, and write-combining falls back to uncached).
 */
static unsigned want_pat_index(unsigned vm, uint64_t pat_wc)
{
	if (vm & VM_UC)
		return 3;
	if (vm & VM_WC)
		return pat_wc ? sdm_decode(pat_wc, 1).pat_index : 3;
	return 0;
}

/* "" when pt_flags(vm) at level lvl is what the SDM says it must be, else what is wrong. */
static const char *flags_wrong(pte_t got, unsigned vm, int lvl, uint64_t pat_wc)
{
	struct sdm_leaf l = sdm_decode(got, lvl);

	if (!l.present)
		return "not present";
	if (l.writable != !!(vm & VM_WRITE))
		return "R/W";
	if (l.user != !!(vm & VM_USER))
		return "U/S";
	if (l.exec != !!(vm & VM_EXEC))
		return "XD";
	if (l.global != ((vm & VM_GLOBAL) && !(vm & VM_USER)))
		return "G";
	if (l.ps != (lvl > 1))
		return "PS";
	if (l.pat_index != want_pat_index(vm, pat_wc))
		return "memory type (PWT, PCD, PAT)";
	if (l.other)
		return "a bit the entry must not have (A, D, reserved or address)";
	return "";
}

static void test_flags_all_combinations(void **state)
{
	static const uint64_t pat_wcs[] = {
		0, PTE_PWT, PTE_PCD, PTE_PAT, PTE_PAT | PTE_PWT, PTE_PAT | PTE_PCD, PTE_PAT | PTE_PCD | PTE_PWT,
	};
	struct env *e = *state;

	for (size_t p = 0; p < sizeof(pat_wcs) / sizeof(pat_wcs[0]); p++) {
		e->pt.pat_wc = pat_wcs[p];
		for (unsigned vm = 0; vm < 256; vm++) {
			for (int lvl = 1; lvl <= 3; lvl++) {
				pte_t got = pt_flags(&e->pt, vm, lvl);
				const char *wrong = flags_wrong(got, vm, lvl, pat_wcs[p]);

				if (*wrong)
					fail_msg("pt_flags(vm %#x, lvl %d, pat_wc %#llx) = %#llx: %s is wrong", vm, lvl,
						 (unsigned long long)pat_wcs[p], (unsigned long long)got, wrong);
				/* Never an address bit, except PAT_LARGE at huge levels. */
				assert_int_equal(got & PTE_ADDR_MASK & ~(lvl > 1 ? PTE_PAT_LARGE : 0), 0);
				/* VM_READ and VM_NOHUGE change nothing. */
				assert_int_equal(got, pt_flags(&e->pt, vm ^ VM_READ, lvl));
				assert_int_equal(got, pt_flags(&e->pt, vm ^ VM_NOHUGE, lvl));
			}
		}
	}
	e->pt.pat_wc = 0;
}

static void test_flags_spot_values(void **state)
{
	struct env *e = *state;
	struct pt *pt = &e->pt;
	const pte_t NX = PTE_NX, P = PTE_P;

	pt->pat_wc = 0;
	assert_int_equal(pt_flags(pt, VM_READ, 1), P | NX);
	assert_int_equal(pt_flags(pt, 0, 1), P | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_EXEC, 1), P);
	assert_int_equal(pt_flags(pt, VM_READ | VM_WRITE, 1), P | PTE_W | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_WRITE | VM_EXEC | VM_USER, 1), P | PTE_W | PTE_U);
	assert_int_equal(pt_flags(pt, VM_READ | VM_GLOBAL, 1), P | PTE_G | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_GLOBAL | VM_USER, 1), P | PTE_U | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_UC, 1), P | PTE_PCD | PTE_PWT | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_UC | VM_WC, 2), P | PTE_PCD | PTE_PWT | NX | PTE_PS);
	/* PS at levels 2 and 3 only. */
	assert_int_equal(pt_flags(pt, VM_READ, 2), P | NX | PTE_PS);
	assert_int_equal(pt_flags(pt, VM_READ | VM_WRITE | VM_EXEC, 3), P | PTE_W | PTE_PS);
	/* WC without a programmed PAT entry: uncached. */
	assert_int_equal(pt_flags(pt, VM_READ | VM_WC, 1), P | PTE_PCD | PTE_PWT | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_WC, 2), P | PTE_PCD | PTE_PWT | NX | PTE_PS);
	/* WC through PAT entry 1 (PWT). */
	pt->pat_wc = PTE_PWT;
	assert_int_equal(pt_flags(pt, VM_READ | VM_WRITE | VM_WC, 1), P | PTE_W | PTE_PWT | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_WRITE | VM_WC, 3), P | PTE_W | PTE_PWT | NX | PTE_PS);
	/* WC through PAT entry 4+: bit 7 in a PTE, bit 12 in a huge entry. */
	pt->pat_wc = PTE_PAT;
	assert_int_equal(pt_flags(pt, VM_READ | VM_WC, 1), P | PTE_PAT | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_WC, 2), P | PTE_PAT_LARGE | PTE_PS | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_WC, 3), P | PTE_PAT_LARGE | PTE_PS | NX);
	pt->pat_wc = PTE_PAT | PTE_PWT;
	assert_int_equal(pt_flags(pt, VM_READ | VM_WC, 2), P | PTE_PAT_LARGE | PTE_PWT | PTE_PS | NX);
	assert_int_equal(pt_flags(pt, VM_READ | VM_UC, 2), P | PTE_PCD | PTE_PWT | PTE_PS | NX);
	pt->pat_wc = 0;
}

/* ------------------------------------------------------------------ */
/* Walk results                                                       */

static void test_walk_fields_4k(void **state)
{
	struct env *e = *state;
	const uint64_t va = 0x0000123456789000ULL, pa = 0xABCDE000ULL;
	struct pt_walk w, u;

	assert_int_equal(pt_map(&e->pt, va, pa, PAGE_SIZE, VM_READ | VM_WRITE), 0);
	assert_int_equal(e->sim.allocs, 4);

	assert_int_equal(pt_query(&e->pt, va + 0x123, &w), 1);
	assert_int_equal(w.va, va + 0x123);
	assert_int_equal(w.present, 1);
	assert_int_equal(w.level, 1);
	assert_int_equal(w.page_size, PAGE_SIZE);
	assert_int_equal(w.phys, pa + 0x123);
	assert_int_equal(w.table[4], e->pt.root);
	for (int lvl = 4; lvl >= 1; lvl--) {
		/* entry[lvl] is what the table at table[lvl] holds for va. */
		assert_int_equal(sim_table(e, w.table[lvl])[PT_INDEX(va, lvl)], w.entry[lvl]);
		if (lvl > 1) {
			assert_int_equal(w.entry[lvl] & PTE_ADDR_MASK, w.table[lvl - 1]);
			assert_int_equal(w.entry[lvl] & ~PTE_ADDR_MASK, PTE_P | PTE_W | PTE_U);
		}
	}
	assert_int_equal(w.entry[1], pa | PTE_P | PTE_W | PTE_NX);

	/* The next page: same tables, empty PTE. */
	assert_int_equal(pt_query(&e->pt, va + PAGE_SIZE + 5, &u), 0);
	assert_int_equal(u.va, va + PAGE_SIZE + 5);
	assert_int_equal(u.present, 0);
	assert_int_equal(u.level, 1);
	assert_int_equal(u.entry[1], 0);
	assert_int_equal(u.phys, 0);
	assert_int_equal(u.page_size, 0);
	for (int lvl = 4; lvl >= 1; lvl--)
		assert_int_equal(u.table[lvl], w.table[lvl]);
	for (int lvl = 4; lvl >= 2; lvl--)
		assert_int_equal(u.entry[lvl], w.entry[lvl]);

	/* Another PD entry of the same PD: stops at level 2. */
	assert_int_equal(pt_query(&e->pt, va + HUGE_2M, &u), 0);
	assert_int_equal(u.level, 2);
	assert_int_equal(u.entry[2], 0);
	assert_int_equal(u.table[2], w.table[2]);
	assert_int_equal(u.table[1], 0);
	assert_int_equal(u.entry[1], 0);

	/* Another PML4 slot: stops at level 4. */
	assert_int_equal(pt_query(&e->pt, KHEAP_BASE, &u), 0);
	assert_int_equal(u.level, 4);
	assert_int_equal(u.table[4], e->pt.root);
	assert_int_equal(u.entry[4], 0);
	assert_int_equal(u.table[3], 0);
	assert_int_equal(u.entry[3], 0);

	/* Non-canonical: nothing, and no walk. */
	assert_int_equal(pt_query(&e->pt, 0x0000800000000000ULL, &u), 0);
	assert_int_equal(u.present, 0);
	assert_int_equal(u.va, 0x0000800000000000ULL);
	assert_int_equal(u.level, 0);
	assert_int_equal(pt_query(&e->pt, 0xFFFF7FFFFFFFF000ULL, &u), 0);

	/* pt_walk stopping above the leaf returns that level's entry. */
	pte_t *p = pt_walk(&e->pt, va, 2, 0, &u);
	assert_ptr_equal(p, &sim_table(e, w.table[2])[PT_INDEX(va, 2)]);
	assert_int_equal(u.level, 2);
	assert_int_equal(u.present, 0);
	p = pt_walk(&e->pt, va, 1, 0, &u);
	assert_ptr_equal(p, &sim_table(e, w.table[1])[PT_INDEX(va, 1)]);
	assert_int_equal(*p, w.entry[1]);

	/* Queries never allocate. */
	assert_int_equal(e->sim.allocs, 4);
}

static void test_walk_fields_huge(void **state)
{
	struct env *e = *state;
	const uint64_t va2 = KHEAP_BASE + 5 * HUGE_2M, pa2 = 0x7A00000ULL;
	const uint64_t va1 = 0xFFFF800040000000ULL, pa1 = 0x3C0000000ULL;
	struct pt_walk w;

	assert_int_equal(pt_map(&e->pt, va2, pa2, HUGE_2M, VM_READ | VM_GLOBAL), 0);
	assert_int_equal(pt_map(&e->pt, va1, pa1, HUGE_1G, VM_READ | VM_WRITE), 0);
	/* root + PDPT + PD for va2, PDPT for va1. */
	assert_int_equal(e->sim.allocs, 4);

	assert_int_equal(pt_query(&e->pt, va2 + 0x12345, &w), 1);
	assert_int_equal(w.level, 2);
	assert_int_equal(w.page_size, HUGE_2M);
	assert_int_equal(w.phys, pa2 + 0x12345);
	assert_int_equal(w.entry[2], pa2 | PTE_P | PTE_PS | PTE_G | PTE_NX);
	assert_int_equal(w.entry[1], 0);
	assert_int_equal(w.table[1], 0);
	assert_int_equal(sim_table(e, w.table[2])[PT_INDEX(va2, 2)], w.entry[2]);
	/* Kernel half: table entries without U. */
	assert_int_equal(w.entry[4] & ~PTE_ADDR_MASK, PTE_P | PTE_W);
	assert_int_equal(w.entry[3] & ~PTE_ADDR_MASK, PTE_P | PTE_W);

	assert_int_equal(pt_query(&e->pt, va1 + HUGE_1G - 1, &w), 1);
	assert_int_equal(w.level, 3);
	assert_int_equal(w.page_size, HUGE_1G);
	assert_int_equal(w.phys, pa1 + HUGE_1G - 1);
	assert_int_equal(w.entry[3], pa1 | PTE_P | PTE_W | PTE_PS | PTE_NX);
	assert_int_equal(w.table[2], 0);
	assert_int_equal(w.entry[2], 0);
}

static void test_walk_create(void **state)
{
	struct env *e = *state;
	const uint64_t va = KSTACK_AREA_BASE + 7 * PAGE_SIZE;
	struct pt_walk w;
	pte_t *p;

	/* Creates the missing tables down to stop_level and returns the empty entry. */
	p = pt_walk(&e->pt, va, 1, 1, &w);
	assert_non_null(p);
	assert_int_equal(e->sim.allocs, 4);
	assert_int_equal(*p, 0);
	assert_int_equal(w.level, 1);
	assert_int_equal(w.present, 0);
	assert_ptr_equal(p, &sim_table(e, w.table[1])[PT_INDEX(va, 1)]);
	for (int lvl = 4; lvl >= 2; lvl--)
		assert_int_equal(w.entry[lvl], w.table[lvl - 1] | PTE_P | PTE_W);
	/* Again: nothing new. */
	assert_ptr_equal(pt_walk(&e->pt, va, 1, 1, &w), p);
	assert_int_equal(e->sim.allocs, 4);
	/* Stop at level 3 in a fresh PML4 slot: one table. */
	p = pt_walk(&e->pt, 0x0000008000000000ULL, 3, 1, &w);
	assert_non_null(p);
	assert_int_equal(e->sim.allocs, 5);
	assert_int_equal(w.level, 3);
	assert_int_equal(*p, 0);
	assert_int_equal(w.entry[4], w.table[3] | PTE_P | PTE_W | PTE_U);

	/* Walking with create through a huge page splits it, keeping the translation. */
	const uint64_t hv = 0x40000000ULL, hp = 0x200000000ULL;
	assert_int_equal(pt_map(&e->pt, hv, hp, HUGE_2M, VM_READ | VM_EXEC | VM_USER), 0);
	unsigned before = e->sim.allocs;
	p = pt_walk(&e->pt, hv + 0x3000, 1, 1, &w);
	assert_non_null(p);
	assert_int_equal(e->sim.allocs, before + 1);
	assert_int_equal(w.level, 1);
	assert_int_equal(w.present, 1);
	assert_int_equal(w.phys, hp + 0x3000);
	assert_int_equal(*p, (hp + 0x3000) | PTE_P | PTE_U);
	check_mapped(e, hv, hp, HUGE_2M, VM_READ | VM_EXEC | VM_USER, 1, PAGE_SIZE);
}

/* ------------------------------------------------------------------ */
/* pt_map / pt_query round trips                                      */

static void test_map_4k(void **state)
{
	struct env *e = *state;
	const unsigned vm = VM_READ | VM_WRITE | VM_USER;

	/* Single pages, a run crossing a PT boundary, and VM_NOHUGE over 2 MiB. */
	assert_int_equal(pt_map(&e->pt, 0x400000, 0x1000, PAGE_SIZE, vm), 0);
	assert_int_equal(pt_map(&e->pt, 0x5FD000, 0x9000000, 5 * PAGE_SIZE, vm), 0);
	assert_int_equal(pt_map(&e->pt, 0x40000000, 0x80000000, 2 * HUGE_2M, vm | VM_NOHUGE), 0);
	/* 2 MiB aligned va but pa only 4 KiB aligned: 4 KiB pages. */
	assert_int_equal(pt_map(&e->pt, 0x80000000, 0x80001000, HUGE_2M, vm), 0);
	/* Physical addresses up to bit 51. */
	assert_int_equal(pt_map(&e->pt, 0x7000, 0xFFFFFFFFFF000ULL, PAGE_SIZE, VM_READ), 0);

	check_mapped(e, 0x400000, 0x1000, PAGE_SIZE, vm, 1, 512);
	check_mapped(e, 0x5FD000, 0x9000000, 5 * PAGE_SIZE, vm, 1, PAGE_SIZE);
	check_mapped(e, 0x40000000, 0x80000000, 2 * HUGE_2M, vm, 1, PAGE_SIZE);
	check_mapped(e, 0x80000000, 0x80001000, HUGE_2M, vm, 1, PAGE_SIZE);
	check_mapped(e, 0x7000, 0xFFFFFFFFFF000ULL, PAGE_SIZE, VM_READ, 1, 256);
	check_unmapped(e, 0x3FF000, PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, 0x401000, PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, 0x5FC000, PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, 0x602000, PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, 0x40400000, PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, 0x6000, PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, 0x8000, PAGE_SIZE, PAGE_SIZE);
	validate_tree(e, NULL);
}

static void test_map_2m(void **state)
{
	struct env *e = *state;
	const unsigned vm = VM_READ | VM_WRITE | VM_GLOBAL;
	const uint64_t x = KHEAP_BASE + HUGE_2M; /* 2 MiB but not 1 GiB aligned */
	const uint64_t pa = 0x12200000ULL;
	unsigned long counts[PT_LEVELS + 1] = { 0 };

	e->pt.allow_1g = 0;
	/* Two 2 MiB pages: PDPT and PD only. */
	assert_int_equal(pt_map(&e->pt, x, pa, 2 * HUGE_2M, vm), 0);
	assert_int_equal(e->sim.allocs, 3);
	check_mapped(e, x, pa, 2 * HUGE_2M, vm, 2, PAGE_SIZE);

	/* Head of 4 KiB pages, 2 MiB pages, tail of 4 KiB pages. */
	const uint64_t y = x + 8 * HUGE_2M - 2 * PAGE_SIZE, pb = 0x40000000ULL - 2 * PAGE_SIZE;
	assert_int_equal(pt_map(&e->pt, y, pb, 2 * PAGE_SIZE + 2 * HUGE_2M + 3 * PAGE_SIZE, vm), 0);
	check_mapped(e, y, pb, 2 * PAGE_SIZE, vm, 1, PAGE_SIZE);
	check_mapped(e, y + 2 * PAGE_SIZE, pb + 2 * PAGE_SIZE, 2 * HUGE_2M, vm, 2, PAGE_SIZE);
	check_mapped(e, y + 2 * PAGE_SIZE + 2 * HUGE_2M, pb + 2 * PAGE_SIZE + 2 * HUGE_2M, 3 * PAGE_SIZE, vm, 1,
		     PAGE_SIZE);
	check_unmapped(e, y - PAGE_SIZE, PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, y + 5 * PAGE_SIZE + 2 * HUGE_2M, PAGE_SIZE, PAGE_SIZE);

	/* 1 GiB aligned and long, but 1 GiB pages not allowed: 2 MiB pages. */
	const uint64_t z = 0xFFFF800000000000ULL;
	assert_int_equal(pt_map(&e->pt, z, 0, 2 * HUGE_1G, VM_READ), 0);
	check_mapped(e, z, 0, 2 * HUGE_1G, VM_READ, 2, HUGE_2M / 4);
	validate_tree(e, counts);
	assert_int_equal(counts[3], 0);
	assert_int_equal(counts[2], 2 + 2 + 1024);
	assert_int_equal(counts[1], 5);
}

static void test_map_1g(void **state)
{
	struct env *e = *state;
	const unsigned vm = VM_READ | VM_EXEC | VM_USER;
	const uint64_t x = 0x0000004000000000ULL; /* 256 GiB */
	unsigned long counts[PT_LEVELS + 1] = { 0 };

	assert_int_equal(pt_map(&e->pt, x, 0x100000000ULL, 2 * HUGE_1G, vm), 0);
	assert_int_equal(e->sim.allocs, 2);
	check_mapped(e, x, 0x100000000ULL, 2 * HUGE_1G, vm, 3, PAGE_SIZE);

	/* 2 MiB head, a 1 GiB page, 2 MiB tail, 4 KiB tail. */
	const uint64_t y = x + 4 * HUGE_1G - HUGE_2M, py = 0x3000000000ULL - HUGE_2M;
	const uint64_t len = HUGE_2M + HUGE_1G + HUGE_2M + PAGE_SIZE;
	assert_int_equal(pt_map(&e->pt, y, py, len, vm), 0);
	check_mapped(e, y, py, HUGE_2M, vm, 2, PAGE_SIZE);
	check_mapped(e, y + HUGE_2M, py + HUGE_2M, HUGE_1G, vm, 3, PAGE_SIZE * 3);
	check_mapped(e, y + HUGE_2M + HUGE_1G, py + HUGE_2M + HUGE_1G, HUGE_2M, vm, 2, PAGE_SIZE);
	check_mapped(e, y + 2 * HUGE_2M + HUGE_1G, py + 2 * HUGE_2M + HUGE_1G, PAGE_SIZE, vm, 1, 64);
	check_unmapped(e, y + len, PAGE_SIZE, PAGE_SIZE);

	/* pa only 2 MiB aligned: 2 MiB pages even with 1 GiB allowed. */
	assert_int_equal(pt_map(&e->pt, x + 8 * HUGE_1G, 0x40200000ULL, HUGE_1G, vm), 0);
	check_mapped(e, x + 8 * HUGE_1G, 0x40200000ULL, HUGE_1G, vm, 2, PAGE_SIZE);

	/* Kernel half, last 1 GiB of the address space: ends exactly at 2^64. */
	assert_int_equal(pt_map(&e->pt, 0xFFFFFFFFC0000000ULL, 0x80000000ULL, HUGE_1G, VM_READ), 0);
	check_mapped(e, 0xFFFFFFFFC0000000ULL, 0x80000000ULL, HUGE_1G, VM_READ, 3, 4 * PAGE_SIZE);

	validate_tree(e, counts);
	assert_int_equal(counts[3], 2 + 1 + 1);
	assert_int_equal(counts[2], 2 + 512);
	assert_int_equal(counts[1], 1);

	/* The same with 1 GiB pages not allowed. */
	e->pt.allow_1g = 0;
	const uint64_t k = 0xFFFF800000000000ULL;
	assert_int_equal(pt_map(&e->pt, k, 0x100000000ULL, HUGE_1G, vm), 0);
	check_mapped(e, k, 0x100000000ULL, HUGE_1G, vm, 2, PAGE_SIZE);
}

static void test_user_kernel_table_flags(void **state)
{
	struct env *e = *state;
	struct pt_walk w;

	/* User half, kernel-only leaf: tables still carry U (the leaf decides). */
	assert_int_equal(pt_map(&e->pt, 0x400000, 0x5000, PAGE_SIZE, VM_READ), 0);
	assert_int_equal(pt_query(&e->pt, 0x400000, &w), 1);
	for (int lvl = 4; lvl >= 2; lvl--)
		assert_int_equal(w.entry[lvl] & ~PTE_ADDR_MASK, PTE_P | PTE_W | PTE_U);
	assert_int_equal(w.entry[1] & PTE_U, 0);

	/* Kernel half, even for a VM_USER leaf: no U in the tables. */
	assert_int_equal(pt_map(&e->pt, KHEAP_BASE, 0x6000, PAGE_SIZE, VM_READ | VM_USER), 0);
	assert_int_equal(pt_query(&e->pt, KHEAP_BASE, &w), 1);
	for (int lvl = 4; lvl >= 2; lvl--)
		assert_int_equal(w.entry[lvl] & ~PTE_ADDR_MASK, PTE_P | PTE_W);

	/* Tables made by splits follow the same rule; read-only leaves stay read-only. */
	assert_int_equal(pt_map(&e->pt, 0x40000000, 0x40000000, HUGE_1G, VM_READ | VM_USER), 0);
	assert_int_equal(pt_map(&e->pt, KERNEL_HALF + 4 * HUGE_1G, 0x80000000, HUGE_1G, VM_READ), 0);
	assert_int_equal(pt_unmap(&e->pt, 0x40000000 + 3 * HUGE_2M, PAGE_SIZE), 0);
	assert_int_equal(pt_unmap(&e->pt, KERNEL_HALF + 4 * HUGE_1G + 3 * HUGE_2M, PAGE_SIZE), 0);
	assert_int_equal(pt_query(&e->pt, 0x40000000 + 3 * HUGE_2M + PAGE_SIZE, &w), 1);
	assert_int_equal(w.level, 1);
	for (int lvl = 4; lvl >= 2; lvl--)
		assert_int_equal(w.entry[lvl] & ~PTE_ADDR_MASK, PTE_P | PTE_W | PTE_U);
	assert_int_equal(w.entry[1], (0x40000000 + 3 * HUGE_2M + PAGE_SIZE) | PTE_P | PTE_U | PTE_NX);
	assert_int_equal(pt_query(&e->pt, KERNEL_HALF + 4 * HUGE_1G + 3 * HUGE_2M + PAGE_SIZE, &w), 1);
	assert_int_equal(w.level, 1);
	for (int lvl = 4; lvl >= 2; lvl--)
		assert_int_equal(w.entry[lvl] & ~PTE_ADDR_MASK, PTE_P | PTE_W);
	assert_int_equal(w.entry[1], (0x80000000 + 3 * HUGE_2M + PAGE_SIZE) | PTE_P | PTE_NX);
	validate_tree(e, NULL);
}

/* ------------------------------------------------------------------ */
/* -EEXIST and -EINVAL                                                */

static void test_map_exists(void **state)
{
	struct env *e = *state;
	const uint64_t x = 0x40000000ULL + 4 * HUGE_2M, px = 0x800000000ULL;
	const uint64_t g = 0x0000000100000000ULL, pg = 0x1000000000ULL;
	const unsigned vm = VM_READ | VM_WRITE;
	struct pt_walk w;
	unsigned n;

	assert_int_equal(pt_map(&e->pt, x, px, HUGE_2M, vm), 0);
	assert_int_equal(pt_map(&e->pt, g, pg, HUGE_1G, vm), 0);
	n = e->sim.allocs;

	/* Inside a 2 MiB page: refused before any split. */
	assert_int_equal(pt_map(&e->pt, x + 2 * PAGE_SIZE, 0x1000, PAGE_SIZE, vm), -EEXIST);
	assert_int_equal(pt_map(&e->pt, x + HUGE_2M - PAGE_SIZE, 0x1000, PAGE_SIZE, VM_READ | VM_NOHUGE), -EEXIST);
	assert_int_equal(pt_map(&e->pt, x, px, HUGE_2M, vm), -EEXIST);
	/* Inside a 1 GiB page, at 4 KiB and 2 MiB granularity and whole. */
	assert_int_equal(pt_map(&e->pt, g + 5 * PAGE_SIZE, 0x1000, PAGE_SIZE, vm), -EEXIST);
	assert_int_equal(pt_map(&e->pt, g + 7 * HUGE_2M, 0x200000, 2 * HUGE_2M, vm), -EEXIST);
	assert_int_equal(pt_map(&e->pt, g, pg, HUGE_1G, vm), -EEXIST);
	assert_int_equal(e->sim.allocs, n);
	check_mapped(e, x, px, HUGE_2M, vm, 2, PAGE_SIZE);
	check_mapped(e, g, pg, HUGE_1G, vm, 3, 16 * PAGE_SIZE);

	/* A range that runs into the 2 MiB page from below. */
	assert_int_equal(pt_map(&e->pt, x - 2 * PAGE_SIZE, 0x2000, 4 * PAGE_SIZE, vm), -EEXIST);
	check_mapped(e, x, px, HUGE_2M, vm, 2, PAGE_SIZE);
	/* A range that runs into the 1 GiB page from below with a 2 MiB head. */
	assert_int_equal(pt_map(&e->pt, g - HUGE_2M, 0x600000, 2 * HUGE_2M, vm), -EEXIST);
	check_mapped(e, g, pg, HUGE_1G, vm, 3, 16 * PAGE_SIZE);

	/* 4 KiB over 4 KiB. */
	const uint64_t s = 0x7000000000ULL;
	assert_int_equal(pt_map(&e->pt, s, 0x3000, PAGE_SIZE, vm), 0);
	n = e->sim.allocs;
	assert_int_equal(pt_map(&e->pt, s, 0x4000, PAGE_SIZE, VM_READ), -EEXIST);
	assert_int_equal(e->sim.allocs, n);
	check_mapped(e, s, 0x3000, PAGE_SIZE, vm, 1, PAGE_SIZE);

	/* A 2 MiB-able range over a PT that holds one page in its middle. */
	assert_int_equal(pt_map(&e->pt, s + HUGE_2M + 9 * PAGE_SIZE, 0x5000, PAGE_SIZE, vm), 0);
	n = e->sim.allocs;
	assert_int_equal(pt_map(&e->pt, s + HUGE_2M, 0x400000000ULL, HUGE_2M, vm), -EEXIST);
	assert_int_equal(e->sim.allocs, n);
	check_mapped(e, s + HUGE_2M + 9 * PAGE_SIZE, 0x5000, PAGE_SIZE, vm, 1, PAGE_SIZE);
	assert_int_equal(pt_query(&e->pt, s + HUGE_2M + 10 * PAGE_SIZE, &w), 0);
	validate_tree(e, NULL);
}

static void test_invalid_ranges(void **state)
{
	struct env *e = *state;
	static const struct {
		uint64_t va, pa, size;
		int map_only; /* only the physical side is wrong */
	} bad[] = {
		{ 0x400001, 0x1000, PAGE_SIZE, 0 }, /* misaligned va */
		{ 0x400800, 0x1000, PAGE_SIZE, 0 },
		{ 0x400000, 0x1001, PAGE_SIZE, 1 },		       /* misaligned pa */
		{ 0x400000, 0x10000000000000ULL, PAGE_SIZE, 1 },       /* pa past 52 bits */
		{ 0x400000, 0x8000000000000000ULL, PAGE_SIZE, 1 },     /* would set NX */
		{ 0x400000, 0xFFFFFFFFFF000ULL, 2 * PAGE_SIZE, 1 },    /* pa range past 52 bits */
		{ 0x40000000, 0xFFFFFC0000000ULL, 2 * HUGE_1G, 1 },    /* the same with 1 GiB pages */
		{ 0x400000, 0xFFFFFFFFFFFFF000ULL, 2 * PAGE_SIZE, 1 }, /* pa range wraps */
		{ 0x400000, 0x1000, PAGE_SIZE + 1, 0 },		       /* misaligned size */
		{ 0x400000, 0x1000, 100, 0 },
		{ 0x400000, 0x1000, 0, 0 },			 /* zero size */
		{ 0x0000800000000000ULL, 0x1000, PAGE_SIZE, 0 }, /* non-canonical start */
		{ 0xFFFF7FFFFFFFF000ULL, 0x1000, PAGE_SIZE, 0 },
		{ 0x00007FFFFFFFF000ULL, 0x1000, 2 * PAGE_SIZE, 0 }, /* runs into the hole */
		{ 0xFFFF7FFFFFFFF000ULL, 0x1000, 2 * PAGE_SIZE, 0 }, /* starts in the hole */
		{ 0x00007FFFFFFFF000ULL, 0x1000, KERNEL_HALF - 0x00007FFFFFFFF000ULL + PAGE_SIZE, 0 }, /* straddles */
		{ 0, 0, 0xFFFFFFFFFFFFF000ULL, 0 },			     /* straddles, huge */
		{ 0xFFFFFFFFFFFFF000ULL, 0x1000, 2 * PAGE_SIZE, 0 },	     /* wraps */
		{ 0xFFFFFFFFFFFFF000ULL, 0x1000, 0xFFFFFFFFFFFFF000ULL, 0 }, /* wraps far */
		{ 0x400000, 0x1000, 0xFFFFFFFFFFFFF000ULL, 0 },		     /* wraps through the hole */
	};
	const unsigned n = e->sim.allocs;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pt_map(&e->pt, bad[i].va, bad[i].pa, bad[i].size, VM_READ) != -EINVAL)
			fail_msg("pt_map case %zu not -EINVAL", i);
		if (bad[i].map_only)
			continue; /* valid for unmap/protect: there is no pa */
		if (pt_unmap(&e->pt, bad[i].va, bad[i].size) != -EINVAL)
			fail_msg("pt_unmap case %zu not -EINVAL", i);
		if (pt_protect(&e->pt, bad[i].va, bad[i].size, VM_READ) != -EINVAL)
			fail_msg("pt_protect case %zu not -EINVAL", i);
	}
	assert_int_equal(e->sim.allocs, n);
	for (int i = 0; i < PT_ENTRIES; i++)
		assert_int_equal(sim_table(e, e->pt.root)[i], 0);

	/* protect with ~0U (the internal "unmap" marker) is refused too. */
	assert_int_equal(pt_map(&e->pt, 0x400000, 0x1000, PAGE_SIZE, VM_READ), 0);
	assert_int_equal(pt_protect(&e->pt, 0x400000, PAGE_SIZE, ~0U), -EINVAL);
	check_mapped(e, 0x400000, 0x1000, PAGE_SIZE, VM_READ, 1, PAGE_SIZE);

	/* The valid edges right next to the invalid ones. */
	assert_int_equal(pt_map(&e->pt, 0x00007FFFFFFFF000ULL, 0x2000, PAGE_SIZE, VM_READ), 0);
	assert_int_equal(pt_map(&e->pt, KERNEL_HALF, 0x3000, PAGE_SIZE, VM_READ), 0);
	assert_int_equal(pt_map(&e->pt, 0xFFFFFFFFFFFFF000ULL, 0x4000, PAGE_SIZE, VM_READ), 0);
	assert_int_equal(pt_map(&e->pt, 0, 0, PAGE_SIZE, VM_READ), 0);
	/* The last 1 GiB of the 52-bit physical space is fine. */
	assert_int_equal(pt_map(&e->pt, 0x40000000, 0xFFFFFC0000000ULL, HUGE_1G, VM_READ), 0);
	check_mapped(e, 0x40000000, 0xFFFFFC0000000ULL, HUGE_1G, VM_READ, 3, HUGE_2M);
	check_mapped(e, 0x00007FFFFFFFF000ULL, 0x2000, PAGE_SIZE, VM_READ, 1, PAGE_SIZE);
	check_mapped(e, KERNEL_HALF, 0x3000, PAGE_SIZE, VM_READ, 1, PAGE_SIZE);
	check_mapped(e, 0xFFFFFFFFFFFFF000ULL, 0x4000, PAGE_SIZE, VM_READ, 1, PAGE_SIZE);
	check_mapped(e, 0, 0, PAGE_SIZE, VM_READ, 1, PAGE_SIZE);
	assert_int_equal(pt_protect(&e->pt, 0xFFFFFFFFFFFFF000ULL, PAGE_SIZE, VM_READ | VM_WRITE), 0);
	check_mapped(e, 0xFFFFFFFFFFFFF000ULL, 0x4000, PAGE_SIZE, VM_READ | VM_WRITE, 1, PAGE_SIZE);
	assert_int_equal(pt_unmap(&e->pt, 0x00007FFFFFFFF000ULL, PAGE_SIZE), 0);
	assert_int_equal(pt_unmap(&e->pt, 0xFFFFFFFFFFFFF000ULL, PAGE_SIZE), 0);
	check_unmapped(e, 0x00007FFFFFFFF000ULL, PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, 0xFFFFFFFFFFFFF000ULL, PAGE_SIZE, PAGE_SIZE);
	/* Whole halves are valid ranges for unmap and protect. */
	assert_int_equal(pt_protect(&e->pt, 0, USER_END, VM_READ | VM_EXEC), 0);
	check_mapped(e, 0, 0, PAGE_SIZE, VM_READ | VM_EXEC, 1, PAGE_SIZE);
	assert_int_equal(pt_unmap(&e->pt, KERNEL_HALF, 0 - KERNEL_HALF), 0);
	check_unmapped(e, KERNEL_HALF, PAGE_SIZE, PAGE_SIZE);
	check_mapped(e, 0x400000, 0x1000, PAGE_SIZE, VM_READ | VM_EXEC, 1, PAGE_SIZE);
}

/* ------------------------------------------------------------------ */
/* Splits: unmap and protect inside huge pages                        */

static void set_ad(struct env *e, uint64_t va)
{
	struct pt_walk w;
	pte_t *p = pt_walk(&e->pt, va, 1, 0, &w);

	assert_non_null(p);
	assert_int_equal(w.present, 1);
	*p |= A_D;
}

static void test_unmap_in_2m(void **state)
{
	struct env *e = *state;
	const uint64_t x = KMMIO_BASE + 6 * HUGE_2M, px = 0xC0000000ULL;
	const unsigned vm = VM_READ | VM_WRITE | VM_WC | VM_GLOBAL;
	struct pt_walk w;

	/* A WC page through a PAT entry >= 4: the PAT bit must move on split. */
	e->pt.pat_wc = PTE_PAT | PTE_PWT;
	assert_int_equal(pt_map(&e->pt, x, px, HUGE_2M, vm), 0);
	assert_int_equal(leaf_level(e, x), 2);
	set_ad(e, x);
	unsigned n = e->sim.allocs;

	assert_int_equal(pt_unmap(&e->pt, x + 5 * PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(e->sim.allocs, n + 1);
	check_unmapped(e, x + 5 * PAGE_SIZE, PAGE_SIZE, 256);
	check_mapped(e, x, px, 5 * PAGE_SIZE, vm, 1, PAGE_SIZE);
	check_mapped(e, x + 6 * PAGE_SIZE, px + 6 * PAGE_SIZE, HUGE_2M - 6 * PAGE_SIZE, vm, 1, PAGE_SIZE);
	assert_int_equal(pt_query(&e->pt, x + 6 * PAGE_SIZE, &w), 1);
	assert_int_equal(w.entry[1],
			 (px + 6 * PAGE_SIZE) | PTE_P | PTE_W | PTE_PAT | PTE_PWT | PTE_G | PTE_NX | PTE_A | PTE_D);
	/* The neighbours of the split page are untouched. */
	check_unmapped(e, x - PAGE_SIZE, PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, x + HUGE_2M, PAGE_SIZE, PAGE_SIZE);

	/* Unmapping another page of the now split range needs no table. */
	assert_int_equal(pt_unmap(&e->pt, x + HUGE_2M - PAGE_SIZE, PAGE_SIZE), 0);
	assert_int_equal(e->sim.allocs, n + 1);
	check_mapped(e, x + 6 * PAGE_SIZE, px + 6 * PAGE_SIZE, HUGE_2M - 7 * PAGE_SIZE, vm, 1, PAGE_SIZE);
	check_unmapped(e, x + HUGE_2M - PAGE_SIZE, PAGE_SIZE, PAGE_SIZE);

	/* A whole 2 MiB page goes without a split. */
	assert_int_equal(pt_map(&e->pt, x + 2 * HUGE_2M, px, HUGE_2M, vm), 0);
	n = e->sim.allocs;
	assert_int_equal(pt_unmap(&e->pt, x + 2 * HUGE_2M, HUGE_2M), 0);
	assert_int_equal(e->sim.allocs, n);
	check_unmapped(e, x + 2 * HUGE_2M, HUGE_2M, PAGE_SIZE);
	assert_int_equal(pt_query(&e->pt, x + 2 * HUGE_2M, &w), 0);
	assert_int_equal(w.level, 2);
	validate_tree(e, NULL);
}

static void test_unmap_in_1g(void **state)
{
	struct env *e = *state;
	const uint64_t g = 0x0000002000000000ULL, pg = 0x4000000000ULL;
	const unsigned vm = VM_READ | VM_WC | VM_USER;
	const uint64_t hole = g + HUGE_1G / 2 + 3 * PAGE_SIZE;
	unsigned long counts[PT_LEVELS + 1] = { 0 };
	struct pt_walk w;

	e->pt.pat_wc = PTE_PAT;
	assert_int_equal(pt_map(&e->pt, g, pg, HUGE_1G, vm), 0);
	assert_int_equal(leaf_level(e, g), 3);
	set_ad(e, g);
	unsigned n = e->sim.allocs;

	/* 1 GiB -> 512 x 2 MiB -> 512 x 4 KiB in the 2 MiB around the page. */
	assert_int_equal(pt_unmap(&e->pt, hole, PAGE_SIZE), 0);
	assert_int_equal(e->sim.allocs, n + 2);
	check_unmapped(e, hole, PAGE_SIZE, 128);
	check_mapped(e, g, pg, hole - g, vm, 0, PAGE_SIZE);
	check_mapped(e, hole + PAGE_SIZE, pg + (hole - g) + PAGE_SIZE, g + HUGE_1G - hole - PAGE_SIZE, vm, 0,
		     PAGE_SIZE);
	/* Levels: 2 MiB pages everywhere but the one PT. */
	for (uint64_t v = g; v < g + HUGE_1G; v += HUGE_2M)
		assert_int_equal(leaf_level(e, v == ALIGN_DOWN(hole, HUGE_2M) ? v + PAGE_SIZE * 9 : v),
				 v == ALIGN_DOWN(hole, HUGE_2M) ? 1 : 2);
	assert_int_equal(pt_query(&e->pt, g + 7 * HUGE_2M, &w), 1);
	assert_int_equal(w.entry[2], (pg + 7 * HUGE_2M) | PTE_P | PTE_U | PTE_PAT_LARGE | PTE_PS | PTE_NX | A_D);
	assert_int_equal(pt_query(&e->pt, hole + PAGE_SIZE, &w), 1);
	assert_int_equal(w.entry[1], (pg + (hole - g) + PAGE_SIZE) | PTE_P | PTE_U | PTE_PAT | PTE_NX | A_D);
	validate_tree(e, counts);
	assert_int_equal(counts[3], 0);
	assert_int_equal(counts[2], 511);
	assert_int_equal(counts[1], 511);

	/* A whole 2 MiB page inside another 1 GiB page: one split only. */
	assert_int_equal(pt_map(&e->pt, g + HUGE_1G, pg, HUGE_1G, vm), 0);
	n = e->sim.allocs;
	assert_int_equal(pt_unmap(&e->pt, g + HUGE_1G + 10 * HUGE_2M, HUGE_2M), 0);
	assert_int_equal(e->sim.allocs, n + 1);
	check_unmapped(e, g + HUGE_1G + 10 * HUGE_2M, HUGE_2M, PAGE_SIZE);
	check_mapped(e, g + HUGE_1G, pg, 10 * HUGE_2M, vm, 2, PAGE_SIZE);
	check_mapped(e, g + HUGE_1G + 11 * HUGE_2M, pg + 11 * HUGE_2M, HUGE_1G - 11 * HUGE_2M, vm, 2, PAGE_SIZE);

	/* A whole 1 GiB page: no split. */
	assert_int_equal(pt_map(&e->pt, g + 2 * HUGE_1G, pg, HUGE_1G, vm), 0);
	n = e->sim.allocs;
	assert_int_equal(pt_unmap(&e->pt, g + 2 * HUGE_1G, HUGE_1G), 0);
	assert_int_equal(e->sim.allocs, n);
	check_unmapped(e, g + 2 * HUGE_1G, HUGE_1G, HUGE_2M / 2);
}

static void test_protect_in_huge(void **state)
{
	struct env *e = *state;
	const uint64_t x = KHEAP_BASE + 8 * HUGE_2M, px = 0x1E00000ULL;
	const unsigned rw = VM_READ | VM_WRITE | VM_GLOBAL, ro = VM_READ | VM_GLOBAL;
	struct pt_walk w;

	assert_int_equal(pt_map(&e->pt, x, px, HUGE_2M, rw), 0);
	set_ad(e, x);
	unsigned n = e->sim.allocs;

	/* 16 pages in the middle become read-only: one split, A/D kept. */
	assert_int_equal(pt_protect(&e->pt, x + 16 * PAGE_SIZE, 16 * PAGE_SIZE, ro), 0);
	assert_int_equal(e->sim.allocs, n + 1);
	check_mapped(e, x, px, 16 * PAGE_SIZE, rw, 1, PAGE_SIZE);
	check_mapped(e, x + 16 * PAGE_SIZE, px + 16 * PAGE_SIZE, 16 * PAGE_SIZE, ro, 1, PAGE_SIZE);
	check_mapped(e, x + 32 * PAGE_SIZE, px + 32 * PAGE_SIZE, HUGE_2M - 32 * PAGE_SIZE, rw, 1, PAGE_SIZE);
	assert_int_equal(pt_query(&e->pt, x + 20 * PAGE_SIZE, &w), 1);
	assert_int_equal(w.entry[1], (px + 20 * PAGE_SIZE) | PTE_P | PTE_G | PTE_NX | A_D);

	/* A whole 2 MiB page: stays one 2 MiB page. */
	assert_int_equal(pt_map(&e->pt, x + HUGE_2M, px + HUGE_2M, HUGE_2M, rw), 0);
	n = e->sim.allocs;
	assert_int_equal(pt_protect(&e->pt, x + HUGE_2M, HUGE_2M, VM_READ | VM_EXEC), 0);
	assert_int_equal(e->sim.allocs, n);
	check_mapped(e, x + HUGE_2M, px + HUGE_2M, HUGE_2M, VM_READ | VM_EXEC, 2, PAGE_SIZE);

	/* 1 GiB page, protect two 2 MiB-aligned pages in it: 2 MiB split only. */
	const uint64_t g = 0xFFFF800000000000ULL + 3 * HUGE_1G, pg = 0x240000000ULL;
	assert_int_equal(pt_map(&e->pt, g, pg, HUGE_1G, rw), 0);
	n = e->sim.allocs;
	assert_int_equal(pt_protect(&e->pt, g + 2 * HUGE_2M, 2 * HUGE_2M, ro), 0);
	assert_int_equal(e->sim.allocs, n + 1);
	check_mapped(e, g, pg, 2 * HUGE_2M, rw, 2, PAGE_SIZE);
	check_mapped(e, g + 2 * HUGE_2M, pg + 2 * HUGE_2M, 2 * HUGE_2M, ro, 2, PAGE_SIZE);
	check_mapped(e, g + 4 * HUGE_2M, pg + 4 * HUGE_2M, HUGE_1G - 4 * HUGE_2M, rw, 2, PAGE_SIZE);

	/* A range sticking out of both ends of a 2 MiB page into unmapped space. */
	const uint64_t y = KHEAP_BASE + 20 * HUGE_2M;
	assert_int_equal(pt_map(&e->pt, y, 0x600000, HUGE_2M, rw), 0);
	n = e->sim.allocs;
	assert_int_equal(pt_protect(&e->pt, y - 3 * PAGE_SIZE, HUGE_2M + 6 * PAGE_SIZE, VM_READ | VM_USER), 0);
	assert_int_equal(e->sim.allocs, n);
	check_mapped(e, y, 0x600000, HUGE_2M, VM_READ | VM_USER, 2, PAGE_SIZE);
	check_unmapped(e, y - 3 * PAGE_SIZE, 3 * PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, y + HUGE_2M, 3 * PAGE_SIZE, PAGE_SIZE);
	validate_tree(e, NULL);
}

/* ------------------------------------------------------------------ */
/* Ranges with holes                                                  */

static void test_gaps(void **state)
{
	struct env *e = *state;
	const uint64_t base = 0x0000010000000000ULL; /* PML4 slot 2 */
	const unsigned vm = VM_READ | VM_WRITE, nv = VM_READ | VM_EXEC | VM_USER;
	/* Pieces at 4 KiB, 2 MiB and 1 GiB level, two PML4 slots apart. */
	const uint64_t a = base + 3 * PAGE_SIZE, b = base + 3 * HUGE_2M, c = base + 5 * HUGE_1G;
	const uint64_t d = base + 2 * PT_LEVEL_SIZE(4) + 7 * PAGE_SIZE;
	const uint64_t end = base + 3 * PT_LEVEL_SIZE(4);

	assert_int_equal(pt_map(&e->pt, a, 0x1000, 2 * PAGE_SIZE, vm), 0);
	assert_int_equal(pt_map(&e->pt, b, 0x200000, HUGE_2M, vm), 0);
	assert_int_equal(pt_map(&e->pt, c, 0x40000000, HUGE_1G, vm), 0);
	assert_int_equal(pt_map(&e->pt, d, 0x9000, PAGE_SIZE, vm), 0);
	unsigned n = e->sim.allocs;

	/* Protect across everything, empty PML4 slots included. */
	assert_int_equal(pt_protect(&e->pt, base, end - base, nv), 0);
	assert_int_equal(e->sim.allocs, n);
	check_mapped(e, a, 0x1000, 2 * PAGE_SIZE, nv, 1, PAGE_SIZE);
	check_mapped(e, b, 0x200000, HUGE_2M, nv, 2, PAGE_SIZE);
	check_mapped(e, c, 0x40000000, HUGE_1G, nv, 3, 64 * PAGE_SIZE);
	check_mapped(e, d, 0x9000, PAGE_SIZE, nv, 1, PAGE_SIZE);
	/* The gaps stay empty. */
	check_unmapped(e, base, 3 * PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, a + 2 * PAGE_SIZE, b - a - 2 * PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, b + HUGE_2M, c - b - HUGE_2M, HUGE_2M / 2);
	check_unmapped(e, c + HUGE_1G, d - c - HUGE_1G, HUGE_1G / 2);
	check_unmapped(e, d + PAGE_SIZE, end - d - PAGE_SIZE, HUGE_1G);
	validate_tree(e, NULL);

	/* A protect that starts and ends inside gaps and covers only part. */
	assert_int_equal(pt_protect(&e->pt, a + PAGE_SIZE, b + HUGE_2M + 5 * PAGE_SIZE - (a + PAGE_SIZE), vm), 0);
	assert_int_equal(e->sim.allocs, n);
	check_mapped(e, a, 0x1000, PAGE_SIZE, nv, 1, PAGE_SIZE);
	check_mapped(e, a + PAGE_SIZE, 0x2000, PAGE_SIZE, vm, 1, PAGE_SIZE);
	check_mapped(e, b, 0x200000, HUGE_2M, vm, 2, PAGE_SIZE);
	check_mapped(e, c, 0x40000000, HUGE_1G, nv, 3, 64 * PAGE_SIZE);

	/* Unmap across the gaps: everything goes, nothing is allocated. */
	assert_int_equal(pt_unmap(&e->pt, base, end - base), 0);
	assert_int_equal(e->sim.allocs, n);
	check_unmapped(e, a, 2 * PAGE_SIZE, PAGE_SIZE);
	check_unmapped(e, b, HUGE_2M, PAGE_SIZE);
	check_unmapped(e, c, HUGE_1G, HUGE_2M / 4);
	check_unmapped(e, d, PAGE_SIZE, PAGE_SIZE);
	/* Unmapping nothing at all is fine. */
	assert_int_equal(pt_unmap(&e->pt, base, end - base), 0);
	assert_int_equal(pt_unmap(&e->pt, 0xFFFFFF0000000000ULL, HUGE_1G), 0);
	assert_int_equal(pt_protect(&e->pt, 0xFFFFFF0000000000ULL, HUGE_1G, VM_READ), 0);
	assert_int_equal(e->sim.allocs, n);
	validate_tree(e, NULL);
}

/* ------------------------------------------------------------------ */
/* -ENOMEM                                                            */

static void test_enomem(void **state)
{
	struct env *e = *state;
	const uint64_t va = 0x0000000200000000ULL;
	const unsigned vm = VM_READ | VM_WRITE;
	struct pt_walk w;

	/* A 4 KiB page in an empty PML4 slot needs 3 tables; give 2. */
	e->sim.budget = e->sim.allocs + 2;
	assert_int_equal(pt_map(&e->pt, va, 0x1000, PAGE_SIZE, vm), -ENOMEM);
	check_unmapped(e, va, PAGE_SIZE, PAGE_SIZE);
	assert_null(pt_walk(&e->pt, va, 1, 1, &w));
	/* One more page is enough: the two made before are kept and used. */
	e->sim.budget++;
	assert_int_equal(pt_map(&e->pt, va, 0x1000, PAGE_SIZE, vm), 0);
	assert_int_equal(e->sim.allocs, 4);
	check_mapped(e, va, 0x1000, PAGE_SIZE, vm, 1, PAGE_SIZE);

	/* Splits fail cleanly: the huge page stays as it was. */
	e->sim.budget = ~0U;
	const uint64_t h = va + HUGE_1G, ph = 0x80000000ULL;
	assert_int_equal(pt_map(&e->pt, h, ph, HUGE_1G, vm), 0);
	assert_int_equal(pt_map(&e->pt, h + HUGE_1G, ph, HUGE_2M, vm), 0);
	e->sim.budget = e->sim.allocs;
	assert_int_equal(pt_unmap(&e->pt, h + PAGE_SIZE, PAGE_SIZE), -ENOMEM);
	assert_int_equal(pt_protect(&e->pt, h + HUGE_2M, HUGE_2M, VM_READ), -ENOMEM);
	assert_int_equal(pt_unmap(&e->pt, h + HUGE_1G + PAGE_SIZE, PAGE_SIZE), -ENOMEM);
	assert_int_equal(pt_protect(&e->pt, h + HUGE_1G, PAGE_SIZE, VM_READ), -ENOMEM);
	assert_null(pt_walk(&e->pt, h + HUGE_1G, 1, 1, &w));
	check_mapped(e, h, ph, HUGE_1G, vm, 3, 8 * PAGE_SIZE);
	check_mapped(e, h + HUGE_1G, ph, HUGE_2M, vm, 2, PAGE_SIZE);
	/* Whole huge pages need nothing. */
	assert_int_equal(pt_protect(&e->pt, h, HUGE_1G, VM_READ), 0);
	check_mapped(e, h, ph, HUGE_1G, VM_READ, 3, 8 * PAGE_SIZE);
	/* 1 GiB -> 2 MiB works with one page, 2 MiB -> 4 KiB needs another. */
	e->sim.budget = e->sim.allocs + 1;
	assert_int_equal(pt_unmap(&e->pt, h + PAGE_SIZE, PAGE_SIZE), -ENOMEM);
	check_mapped(e, h, ph, HUGE_1G, VM_READ, 2, 8 * PAGE_SIZE);
	e->sim.budget++;
	assert_int_equal(pt_unmap(&e->pt, h + PAGE_SIZE, PAGE_SIZE), 0);
	check_unmapped(e, h + PAGE_SIZE, PAGE_SIZE, PAGE_SIZE);
	check_mapped(e, h, ph, PAGE_SIZE, VM_READ, 1, PAGE_SIZE);
	check_mapped(e, h + 2 * PAGE_SIZE, ph + 2 * PAGE_SIZE, HUGE_1G - 2 * PAGE_SIZE, VM_READ, 0, 8 * PAGE_SIZE);

	/* A 4 KiB run over several PTs with too few tables: a mapped prefix, no garbage. */
	const uint64_t r = 0xFFFF900000000000ULL;
	e->sim.budget = e->sim.allocs + 4; /* PDPT, PD, 2 PTs */
	assert_int_equal(pt_map(&e->pt, r, 0x10000000ULL, 3 * HUGE_2M, vm | VM_NOHUGE), -ENOMEM);
	check_mapped(e, r, 0x10000000ULL, 2 * HUGE_2M, vm, 1, PAGE_SIZE);
	check_unmapped(e, r + 2 * HUGE_2M, HUGE_2M, PAGE_SIZE);
	validate_tree(e, NULL);
	e->sim.budget = ~0U;
}

/* ------------------------------------------------------------------ */
/* pt_for_each_leaf                                                   */

struct leaf_log {
	int n, stop_at;
	struct pt_leaf l[16];
};

static int log_leaf(const struct pt_leaf *leaf, void *ctx)
{
	struct leaf_log *g = ctx;

	if (g->n < 16)
		g->l[g->n] = *leaf;
	g->n++;
	return g->n == g->stop_at ? 77 : 0;
}

static void test_for_each_leaf(void **state)
{
	struct env *e = *state;
	struct leaf_log g = { 0 };
	struct pt_walk w;

	e->pt.pat_wc = PTE_PAT;
	/* Mapped out of order; visited in address order. */
	assert_int_equal(pt_map(&e->pt, KHEAP_BASE, 0x5000, PAGE_SIZE, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(pt_map(&e->pt, 0x40000000, 0x80000000, HUGE_1G, VM_READ | VM_EXEC | VM_USER), 0);
	assert_int_equal(pt_map(&e->pt, 0x400000, 0x1000, PAGE_SIZE, VM_READ | VM_WRITE | VM_EXEC | VM_USER), 0);
	assert_int_equal(pt_map(&e->pt, 0xFFFF800000200000ULL, 0x200000, HUGE_2M, VM_READ | VM_WRITE | VM_WC), 0);
	/* The recursive slot is skipped. */
	sim_table(e, e->pt.root)[RECURSIVE_SLOT] = e->pt.root | PTE_P | PTE_W | PTE_NX;
	/* Restrictions in table entries combine with the leaf's. */
	assert_int_equal(pt_map(&e->pt, 0x401000, 0x2000, PAGE_SIZE, VM_READ | VM_WRITE | VM_EXEC | VM_USER), 0);
	assert_int_equal(pt_query(&e->pt, 0x401000, &w), 1);
	const uint64_t pd_of_user = w.table[2];

	assert_int_equal(pt_for_each_leaf(&e->pt, log_leaf, &g), 0);
	assert_int_equal(g.n, 5);
	const struct {
		uint64_t va, phys, size;
		int level, w, u, x;
	} want[] = {
		{ 0x400000, 0x1000, PAGE_SIZE, 1, 1, 1, 1 },
		{ 0x401000, 0x2000, PAGE_SIZE, 1, 1, 1, 1 },
		{ 0x40000000, 0x80000000, HUGE_1G, 3, 0, 1, 1 },
		{ 0xFFFF800000200000ULL, 0x200000, HUGE_2M, 2, 1, 0, 0 },
		{ KHEAP_BASE, 0x5000, PAGE_SIZE, 1, 1, 0, 0 }, /* VM_USER leaf, kernel tables */
	};
	for (int i = 0; i < 5; i++) {
		assert_int_equal(g.l[i].va, want[i].va);
		assert_int_equal(g.l[i].phys, want[i].phys);
		assert_int_equal(g.l[i].size, want[i].size);
		assert_int_equal(g.l[i].level, want[i].level);
		assert_int_equal(g.l[i].writable, want[i].w);
		assert_int_equal(g.l[i].user, want[i].u);
		assert_int_equal(g.l[i].exec, want[i].x);
		assert_int_equal(pt_query(&e->pt, want[i].va, &w), 1);
		assert_int_equal(g.l[i].entry, w.entry[w.level]);
	}
	/* The 2 MiB WC leaf keeps its PAT bit in bit 12: phys must not include it. */
	assert_true(g.l[3].entry & PTE_PAT_LARGE);

	/* A read-only, no-exec, supervisor PD entry over the user pages. */
	assert_int_equal(pt_query(&e->pt, 0x400000, &w), 1);
	sim_table(e, w.table[2])[PT_INDEX(0x400000ULL, 2)] = (w.entry[2] & ~(PTE_W | PTE_U)) | PTE_NX;
	assert_int_equal(w.table[2], pd_of_user);
	memset(&g, 0, sizeof(g));
	assert_int_equal(pt_for_each_leaf(&e->pt, log_leaf, &g), 0);
	assert_int_equal(g.n, 5);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(g.l[i].writable, 0);
		assert_int_equal(g.l[i].user, 0);
		assert_int_equal(g.l[i].exec, 0);
	}
	assert_int_equal(g.l[2].user, 1); /* other PD entries unaffected */

	/* fn's non-zero value stops the walk and is returned. */
	memset(&g, 0, sizeof(g));
	g.stop_at = 3;
	assert_int_equal(pt_for_each_leaf(&e->pt, log_leaf, &g), 77);
	assert_int_equal(g.n, 3);
	/* Never allocates. */
	unsigned n = e->sim.allocs;
	memset(&g, 0, sizeof(g));
	pt_for_each_leaf(&e->pt, log_leaf, &g);
	assert_int_equal(e->sim.allocs, n);
}

/* ------------------------------------------------------------------ */
/* Randomized against a model                                         */

#define R_BASE (0x0000008000000000ULL - 2 * HUGE_1G) /* straddles PML4 slots 0 and 1 */
#define R_SIZE (4 * HUGE_1G)
#define R_PAGES (R_SIZE >> PAGE_SHIFT)
#define R_PRESENT 0x8000

struct model {
	uint64_t *phys;
	uint16_t *vm; /* R_PRESENT | vm flags */
};

static uint64_t rnd_below(uint64_t n)
{
	return unit_rnd() % n;
}

struct rstats {
	unsigned long levels[PT_LEVELS + 1]; /* leaves seen, per level */
	unsigned long checks, map, exist, unmap, protect, split_ops;
};

/* Compare pages [first, last) of the window (every step-th) with the model. */
static void model_check(struct env *e, const struct model *m, uint64_t first, uint64_t last, uint64_t step,
			struct rstats *st)
{
	for (uint64_t i = first; i < last; i += step) {
		uint64_t va = R_BASE + (i << PAGE_SHIFT);
		struct pt_walk w;
		int mapped = pt_query(&e->pt, va + (i & 0xFFF), &w);

		st->checks++;
		if (!(m->vm[i] & R_PRESENT)) {
			if (mapped)
				fail_msg("page %#llx should be unmapped, maps %#llx", (unsigned long long)va,
					 (unsigned long long)w.phys);
			continue;
		}
		if (!mapped)
			fail_msg("page %#llx should map %#llx", (unsigned long long)va, (unsigned long long)m->phys[i]);
		if (w.phys != m->phys[i] + (i & 0xFFF))
			fail_msg("page %#llx maps %#llx, want %#llx", (unsigned long long)va,
				 (unsigned long long)w.phys, (unsigned long long)m->phys[i]);
		pte_t want = (m->phys[i] & ~(w.page_size - 1)) | pt_flags(&e->pt, m->vm[i] & 0xFF, w.level);
		if (w.entry[w.level] != want)
			fail_msg("page %#llx entry %#llx (level %d), want %#llx", (unsigned long long)va,
				 (unsigned long long)w.entry[w.level], w.level, (unsigned long long)want);
		st->levels[w.level]++;
	}
}

/* The pages an operation on [first, last) can have changed, splits included. */
static void model_check_around(struct env *e, const struct model *m, uint64_t first, uint64_t last, struct rstats *st)
{
	const uint64_t p2 = HUGE_2M >> PAGE_SHIFT, p1 = HUGE_1G >> PAGE_SHIFT;
	uint64_t lo = ALIGN_DOWN(first, p2), hi = ALIGN_UP(last, p2);

	/* Every page of the range and of the 2 MiB blocks its ends are in. */
	model_check(e, m, lo, hi, 1, st);
	/* One page per 2 MiB in the rest of the 1 GiB blocks its ends are in. */
	model_check(e, m, ALIGN_DOWN(first, p1) + rnd_below(p2), lo, p2, st);
	model_check(e, m, hi + rnd_below(p2), ALIGN_UP(last, p1), p2, st);
}

/*
 * A random range of the window in pages. shape: 0 any, 1 around 2 MiB
 * pages, 2 exactly 1 GiB pages.
 */
static uint64_t pick_range(uint64_t *len, int shape)
{
	const uint64_t p2 = HUGE_2M >> PAGE_SHIFT, p1 = HUGE_1G >> PAGE_SHIFT;
	uint64_t r = shape == 1 ? 65 : shape == 2 ? 100 : rnd_below(100), first, n;

	if (r == 100) {
		first = rnd_below(R_PAGES / p1) * p1;
		n = p1 * (1 + rnd_below(2));
	} else if (r < 65) { /* a few 4 KiB pages anywhere */
		first = rnd_below(R_PAGES);
		n = 1 + rnd_below(40);
	} else if (r < 95) { /* around 2 MiB pages */
		first = rnd_below(R_PAGES / p2) * p2;
		n = (1 + rnd_below(4)) * p2;
		if (rnd_below(3) == 0)
			first += rnd_below(7) - 3;
		if (rnd_below(3) == 0)
			n += rnd_below(7) - 3;
	} else if (r < 96) { /* around 1 GiB pages */
		first = rnd_below(R_PAGES / p1) * p1;
		n = p1;
		if (rnd_below(3) == 0)
			first += (rnd_below(5) - 2) * (rnd_below(2) ? p2 : 1);
		if (rnd_below(3) == 0)
			n += (rnd_below(5) - 2) * (rnd_below(2) ? p2 : 1);
	} else { /* a big random range */
		first = rnd_below(R_PAGES);
		n = 1 + rnd_below(p1 / 8);
	}
	first &= R_PAGES - 1; /* stepped below 0: wrap to the end */
	if (first + n > R_PAGES)
		n = R_PAGES - first;
	*len = n;
	return first;
}

/* Start again from an empty address space (table pages are never freed). */
static void reset_env(struct env *e, struct model *m)
{
	e->sim.next = SIM_BASE;
	e->sim.allocs = 0;
	e->pt.root = sim_alloc(&e->sim);
	memset(m->vm, 0, R_PAGES * sizeof(*m->vm));
	memset(m->phys, 0, R_PAGES * sizeof(*m->phys));
}

/* shape as for pick_range; a shaped operation is a map with huge pages allowed. */
static void random_op(struct env *e, struct model *m, int round, int op, int shape, struct rstats *st)
{
	uint64_t n, first = pick_range(&n, shape);
	uint64_t va = R_BASE + (first << PAGE_SHIFT), size = n << PAGE_SHIFT;
	unsigned vm = VM_READ | (unsigned)(unit_rnd() & 0xFE);
	uint64_t kind = shape ? 0 : rnd_below(100);
	int rc;

	if (rnd_below(4) || shape)
		vm &= ~VM_NOHUGE; /* mostly allow huge pages */
	if (kind < 45) {
		/* Same offset in a 1 GiB frame as va (huge pages possible), or any page. */
		uint64_t pa = rnd_below(3) || shape ? rnd_below(64) * HUGE_1G + (va & (HUGE_1G - 1)) :
						      rnd_below(64ULL << 18) << PAGE_SHIFT;
		uint64_t conflict = n;

		for (uint64_t i = 0; i < n; i++) {
			if (m->vm[first + i] & R_PRESENT) {
				conflict = i;
				break;
			}
		}
		rc = pt_map(&e->pt, va, pa, size, vm);
		st->map++;
		if (conflict == n) {
			if (rc != 0)
				fail_msg("round %d op %d: pt_map(%#llx, %#llx, %#llx, %#x) = %d", round, op,
					 (unsigned long long)va, (unsigned long long)pa, (unsigned long long)size, vm,
					 rc);
		} else {
			struct pt_walk w;

			st->exist++;
			if (rc != -EEXIST)
				fail_msg("round %d op %d: pt_map over a mapping = %d", round, op, rc);
			/* The pages before the conflict are all mapped or all left alone. */
			if (conflict && !pt_query(&e->pt, va, &w))
				conflict = 0;
		}
		for (uint64_t i = 0; i < conflict; i++) {
			m->phys[first + i] = pa + (i << PAGE_SHIFT);
			m->vm[first + i] = (uint16_t)(R_PRESENT | (vm & ~VM_NOHUGE));
		}
	} else {
		/* Will this cut into a huge page? (Counted to show the test does it.) */
		struct pt_walk a, b;
		if ((pt_query(&e->pt, va, &a) && a.page_size > PAGE_SIZE && (va & (a.page_size - 1))) ||
		    (pt_query(&e->pt, va + size, &b) && b.page_size > PAGE_SIZE && ((va + size) & (b.page_size - 1))))
			st->split_ops++;
		if (kind < 75) {
			rc = pt_unmap(&e->pt, va, size);
			st->unmap++;
			if (rc != 0)
				fail_msg("round %d op %d: pt_unmap(%#llx, %#llx) = %d", round, op,
					 (unsigned long long)va, (unsigned long long)size, rc);
			memset(&m->vm[first], 0, n * sizeof(*m->vm));
		} else {
			rc = pt_protect(&e->pt, va, size, vm);
			st->protect++;
			if (rc != 0)
				fail_msg("round %d op %d: pt_protect(%#llx, %#llx, %#x) = %d", round, op,
					 (unsigned long long)va, (unsigned long long)size, vm, rc);
			for (uint64_t i = first; i < first + n; i++)
				if (m->vm[i] & R_PRESENT)
					m->vm[i] = (uint16_t)(R_PRESENT | (vm & ~VM_NOHUGE));
		}
	}
	model_check_around(e, m, first, first + n, st);
}

/*
 * Rounds of random map/unmap/protect on a 4 GiB window across a PML4
 * boundary, each from an empty address space: a short opening of 2 MiB /
 * 1 GiB shaped operations lays down huge pages, then mixed operations cut
 * them up. Every touched page (and the huge-page blocks around the ends) is
 * compared with the model after each operation, the whole window after each
 * round.
 */
static void test_random(void **state)
{
	struct env *e = *state;
	struct model m;
	struct rstats st = { 0 };
	const int rounds = 4, ops = 700;
	const char *seed_env = getenv("ATLAS_PAGING_SEED");

	*unit_rng() = seed_env ? strtoull(seed_env, NULL, 0) : 0x9E3779B97F4A7C15ULL;
	if (!*unit_rng())
		*unit_rng() = 1;
	m.phys = e->model_mem[0] = calloc(R_PAGES, sizeof(*m.phys));
	m.vm = e->model_mem[1] = calloc(R_PAGES, sizeof(*m.vm));
	assert_non_null(m.phys);
	assert_non_null(m.vm);
	e->pt.pat_wc = PTE_PAT | PTE_PCD;

	for (int round = 0; round < rounds; round++) {
		reset_env(e, &m);
		/* Opening: a few 1 GiB maps, then 2 MiB-shaped maps. */
		for (int op = 0; op < ops; op++)
			random_op(e, &m, round, op, op < 3 ? 2 : op < 30 ? 1 : 0, &st);
		model_check(e, &m, 0, R_PAGES, 1, &st);
		validate_tree(e, NULL);
		/* Nothing outside the window. */
		check_unmapped(e, R_BASE - HUGE_1G, HUGE_1G, HUGE_2M / 2);
		check_unmapped(e, R_BASE + R_SIZE, HUGE_1G, HUGE_2M / 2);
	}
	print_message("random: %lu map (%lu -EEXIST), %lu unmap, %lu protect (%lu cut a huge page); "
		      "%lu page checks: 4K %lu 2M %lu 1G %lu\n",
		      st.map, st.exist, st.unmap, st.protect, st.split_ops, st.checks, st.levels[1], st.levels[2],
		      st.levels[3]);
	/* The run must have exercised every page size and every outcome. */
	assert_true(st.levels[1] > 10000);
	assert_true(st.levels[2] > 10000);
	assert_true(st.levels[3] > 10000);
	assert_true(st.exist > 100 && st.map - st.exist > 100);
	assert_true(st.split_ops > 50);
}

/* ------------------------------------------------------------------ */
/* pt_range: the range walk, PT_CLEAR's freed tables, PROT_NONE        */

static void sim_free(uint64_t phys, void *ctx)
{
	struct sim *s = ctx;

	assert_true(phys >= SIM_BASE && phys < s->next);
	/* A freed table must be empty: nothing may still hang below it. */
	for (int i = 0; i < PT_ENTRIES; i++)
		assert_int_equal(((pte_t *)(s->mem + (phys - SIM_BASE)))[i], 0);
	memset(s->mem + (phys - SIM_BASE), SIM_POISON, PAGE_SIZE);
	s->frees++;
}

struct tally {
	unsigned long leaves, bytes, protnone, dirty;
	uint64_t first, last;
};

static int tally_leaf(const struct pt_leaf *l, void *ctx)
{
	struct tally *t = ctx;

	if (!t->leaves)
		t->first = l->va;
	t->last = l->va;
	t->leaves++;
	t->bytes += l->size;
	t->protnone += l->protnone;
	t->dirty += !!(l->entry & PTE_D);
	return 0;
}

static void test_range_visit_sparse(void **state)
{
	struct env *e = *state;
	const uint64_t pages[] = { 0x400000, 0x401000, 0x7fff00000000ULL - PAGE_SIZE, 0x0000100000000000ULL,
				   0x0000000200000000ULL };
	struct tally t = { 0 };

	for (size_t i = 0; i < 5; i++)
		assert_int_equal(pt_map(&e->pt, pages[i], 0x1000 * (i + 1), PAGE_SIZE, VM_READ | VM_USER), 0);
	unsigned n = e->sim.allocs;

	/* The whole user half: five leaves, in address order, nothing allocated. */
	assert_int_equal(pt_range(&e->pt, 0, USER_END, PT_VISIT, 0, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 5);
	assert_int_equal(t.first, 0x400000);
	assert_int_equal(t.last, 0x7fff00000000ULL - PAGE_SIZE);
	assert_int_equal(e->sim.allocs, n);
	/* A window: only what lies inside. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(pt_range(&e->pt, 0x401000, 0x0000100000000000ULL - 0x401000, PT_VISIT, 0, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 2);
	assert_int_equal(t.first, 0x401000);
	assert_int_equal(t.last, 0x0000000200000000ULL);
	/* The kernel half holds nothing here. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(pt_range(&e->pt, KERNEL_HALF, 0 - KERNEL_HALF, PT_VISIT, 0, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 0);
	/* Bad ranges. */
	assert_int_equal(pt_range(&e->pt, 0x400800, PAGE_SIZE, PT_VISIT, 0, NULL, NULL), -EINVAL);
	assert_int_equal(pt_range(&e->pt, USER_END - PAGE_SIZE, 2 * PAGE_SIZE, PT_VISIT, 0, NULL, NULL), -EINVAL);
	assert_int_equal(pt_range(&e->pt, 0x400000, 0, PT_VISIT, 0, NULL, NULL), -EINVAL);
	assert_int_equal(pt_range(&e->pt, 0x400000, PAGE_SIZE, PT_SET, ~0U, NULL, NULL), -EINVAL);
}

static int stop_second(const struct pt_leaf *l, void *ctx)
{
	int *n = ctx;

	(void)l;
	return ++*n == 2 ? 55 : 0;
}

static void test_range_clear_frees_tables(void **state)
{
	struct env *e = *state;
	const uint64_t a = 0x0000000040000000ULL, b = 0x0000010000000000ULL; /* PML4 slots 0 and 2 */
	struct tally t = { 0 };
	int n = 0;

	e->pt.free_table = sim_free;
	assert_int_equal(pt_map(&e->pt, a, 0x10000, 4 * PAGE_SIZE, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(pt_map(&e->pt, a + HUGE_2M, 0x20000, PAGE_SIZE, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(pt_map(&e->pt, b, 0x30000, PAGE_SIZE, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(e->sim.allocs, 1 + 4 + 3); /* root; PDPT, PD, 2 PTs; PDPT, PD, PT */

	/* Part of one PT: the PT keeps its other pages, nothing is freed. */
	assert_int_equal(pt_range(&e->pt, a, 2 * PAGE_SIZE, PT_CLEAR, 0, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 2);
	assert_int_equal(e->sim.frees, 0);
	check_unmapped(e, a, 2 * PAGE_SIZE, PAGE_SIZE);
	check_mapped(e, a + 2 * PAGE_SIZE, 0x12000, 2 * PAGE_SIZE, VM_READ | VM_WRITE | VM_USER, 1, PAGE_SIZE);
	/* The rest of that PT, from a range that does not cover its span: emptied, but kept (no scan). */
	assert_int_equal(pt_range(&e->pt, a + 2 * PAGE_SIZE, 2 * PAGE_SIZE, PT_CLEAR, 0, NULL, NULL), 0);
	assert_int_equal(e->sim.frees, 0);
	check_unmapped(e, a, HUGE_2M, PAGE_SIZE);
	/* A clear over its whole span frees it, and nothing else. */
	assert_int_equal(pt_range(&e->pt, a, HUGE_2M, PT_CLEAR, 0, NULL, NULL), 0);
	assert_int_equal(e->sim.frees, 1);
	check_mapped(e, a + HUGE_2M, 0x20000, PAGE_SIZE, VM_READ | VM_WRITE | VM_USER, 1, PAGE_SIZE);
	/* fn stops a clear early: what it saw first is gone, the rest stays. */
	assert_int_equal(pt_map(&e->pt, a, 0x10000, 2 * PAGE_SIZE, VM_READ | VM_USER), 0);
	assert_int_equal(pt_range(&e->pt, a, 2 * PAGE_SIZE, PT_CLEAR, 0, stop_second, &n), 55);
	check_unmapped(e, a, PAGE_SIZE, PAGE_SIZE);
	check_mapped(e, a + PAGE_SIZE, 0x11000, PAGE_SIZE, VM_READ | VM_USER, 1, PAGE_SIZE);
	/* The whole user half: every table but the root comes back, the root is empty. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(pt_range(&e->pt, 0, USER_END, PT_CLEAR, 0, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 3);
	assert_int_equal(e->sim.frees + 1, e->sim.allocs);
	for (int i = 0; i < PT_ENTRIES; i++)
		assert_int_equal(sim_table(e, e->pt.root)[i], 0);
	/* Without free_table (the kernel's tables) nothing is freed. */
	e->pt.free_table = NULL;
	assert_int_equal(pt_map(&e->pt, b, 0x30000, PAGE_SIZE, VM_READ), 0);
	unsigned f = e->sim.frees;
	assert_int_equal(pt_unmap(&e->pt, b, PAGE_SIZE), 0);
	assert_int_equal(e->sim.frees, f);
	validate_tree(e, NULL);
}

static void test_range_huge_untouched(void **state)
{
	struct env *e = *state;
	const uint64_t base = 0x0000100000000000ULL, size = 1ULL << 46; /* 2^46 bytes, PML4 slots 32..159 */
	struct tally t = { 0 };

	e->pt.free_table = sim_free;
	/* A few pages at the edges and in the middle of a 2^46-byte range; clearing it visits only those. */
	assert_int_equal(pt_map(&e->pt, base, 0x1000, PAGE_SIZE, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(pt_map(&e->pt, base + size / 2, 0x2000, PAGE_SIZE, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(pt_map(&e->pt, base + size - PAGE_SIZE, 0x3000, PAGE_SIZE, VM_READ | VM_WRITE | VM_USER), 0);
	assert_int_equal(pt_range(&e->pt, base, size, PT_SET, VM_READ | VM_USER, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 3);
	check_mapped(e, base + size / 2, 0x2000, PAGE_SIZE, VM_READ | VM_USER, 1, PAGE_SIZE);
	memset(&t, 0, sizeof(t));
	assert_int_equal(pt_range(&e->pt, base, size, PT_CLEAR, 0, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 3);
	assert_int_equal(e->sim.frees + 1, e->sim.allocs);
}

static void test_protnone(void **state)
{
	struct env *e = *state;
	const uint64_t va = 0x0000000200000000ULL, pa = 0x77000;
	const unsigned rw = VM_READ | VM_WRITE | VM_USER;
	struct pt_walk w;
	struct tally t = { 0 };

	assert_int_equal(pt_flags(&e->pt, VM_PROTNONE | VM_USER, 1), PTE_PROTNONE | PTE_NX);
	assert_int_equal(pt_map(&e->pt, va, pa, 2 * PAGE_SIZE, rw), 0);
	/* The CPU set D on the first page. */
	assert_int_equal(pt_query(&e->pt, va, &w), 1);
	sim_table(e, w.table[1])[PT_INDEX(va, 1)] |= PTE_A | PTE_D;

	/* PROT_NONE: not present for the CPU, still a leaf for the walks, D kept. */
	assert_int_equal(pt_protect(&e->pt, va, 2 * PAGE_SIZE, VM_PROTNONE | VM_USER), 0);
	assert_int_equal(pt_query(&e->pt, va, &w), 1);
	assert_int_equal(w.entry[1] & (PTE_P | PTE_U | PTE_W), 0);
	assert_int_equal(w.entry[1] & PTE_PROTNONE, PTE_PROTNONE);
	assert_int_equal(w.phys, pa);
	assert_int_equal(pt_range(&e->pt, va, 2 * PAGE_SIZE, PT_VISIT, 0, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 2);
	assert_int_equal(t.protnone, 2);
	assert_int_equal(t.dirty, 1);
	/* The slot is taken: no demand page over it. */
	assert_int_equal(pt_map_page(&e->pt, va, 0x99000, rw), -EEXIST);
	/* W^X and the leaf walk see no rights. */
	uint64_t first;
	assert_int_equal(pt_count_wx(&e->pt, &first), 0);

	/* Back to read-write: the same frames, present again, D still there. */
	assert_int_equal(pt_protect(&e->pt, va, 2 * PAGE_SIZE, rw), 0);
	check_mapped(e, va, pa, 2 * PAGE_SIZE, rw, 1, PAGE_SIZE);
	assert_int_equal(pt_query(&e->pt, va, &w), 1);
	assert_true(w.entry[1] & PTE_D);

	/* PROT_NONE over a huge page splits it into 4 KiB PROT_NONE leaves (never a huge not-present leaf). */
	const uint64_t h = va + HUGE_1G;
	assert_int_equal(pt_map(&e->pt, h, 0x200000, HUGE_2M, rw), 0);
	assert_int_equal(leaf_level(e, h), 2);
	assert_int_equal(pt_protect(&e->pt, h, HUGE_2M, VM_PROTNONE | VM_USER), 0);
	assert_int_equal(leaf_level(e, h), 1);
	assert_int_equal(pt_query(&e->pt, h + HUGE_2M - PAGE_SIZE, &w), 1);
	assert_int_equal(w.phys, 0x200000 + HUGE_2M - PAGE_SIZE);
	/* pt_map with VM_PROTNONE uses 4 KiB pages whatever the alignment. */
	assert_int_equal(pt_map(&e->pt, h + HUGE_1G, 0x400000, HUGE_2M, VM_PROTNONE | VM_USER), 0);
	assert_int_equal(leaf_level(e, h + HUGE_1G), 1);
	/* Unmap takes them like any leaf. */
	memset(&t, 0, sizeof(t));
	assert_int_equal(pt_range(&e->pt, h, HUGE_1G + HUGE_2M, PT_CLEAR, 0, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 1024);
	assert_int_equal(t.protnone, 1024);
	check_unmapped(e, h, HUGE_2M, PAGE_SIZE);
	validate_tree(e, NULL);
}

static void test_map_page(void **state)
{
	struct env *e = *state;
	const uint64_t va = 0x0000000300000000ULL;
	const unsigned rw = VM_READ | VM_WRITE | VM_USER;

	/* One descent: three tables and the leaf. */
	assert_int_equal(pt_map_page(&e->pt, va, 0x5000, rw), 0);
	assert_int_equal(e->sim.allocs, 4);
	check_mapped(e, va, 0x5000, PAGE_SIZE, rw, 1, PAGE_SIZE);
	assert_int_equal(pt_map_page(&e->pt, va, 0x6000, rw), -EEXIST);
	assert_int_equal(pt_map_page(&e->pt, va + PAGE_SIZE, 0x6000, rw), 0);
	assert_int_equal(e->sim.allocs, 4);
	/* Inside a huge page: refused, and the huge page is not split. */
	assert_int_equal(pt_map(&e->pt, va + HUGE_1G, 0x200000, HUGE_2M, rw), 0);
	unsigned n = e->sim.allocs;
	assert_int_equal(pt_map_page(&e->pt, va + HUGE_1G + PAGE_SIZE, 0x7000, rw), -EEXIST);
	assert_int_equal(e->sim.allocs, n);
	assert_int_equal(leaf_level(e, va + HUGE_1G), 2);
	/* Bad arguments. */
	assert_int_equal(pt_map_page(&e->pt, va + 1, 0x7000, rw), -EINVAL);
	assert_int_equal(pt_map_page(&e->pt, USER_END, 0x7000, rw), -EINVAL);
	assert_int_equal(pt_map_page(&e->pt, va + 2 * PAGE_SIZE, 0x7001, rw), -EINVAL);
	/* Out of table pages: -ENOMEM, nothing mapped. */
	e->sim.budget = e->sim.allocs;
	assert_int_equal(pt_map_page(&e->pt, 0x0000400000000000ULL, 0x8000, rw), -ENOMEM);
	check_unmapped(e, 0x0000400000000000ULL, PAGE_SIZE, PAGE_SIZE);
	e->sim.budget = ~0U;
}

/* ------------------------------------------------------------------ */
/* pt_copy: fork's copy of a range into another table tree             */

/* The leaf entry for va in the tree rooted at root (0: none). */
static pte_t leaf_in(struct env *e, uint64_t root, uint64_t va)
{
	struct pt other = e->pt;
	struct pt_walk w;

	other.root = root;
	return pt_query(&other, va, &w) ? w.entry[w.level] : 0;
}

static int refuse_at(const struct pt_leaf *l, void *ctx)
{
	return l->va == *(uint64_t *)ctx ? -77 : 0;
}

static void test_copy(void **state)
{
	struct env *e = *state;
	const uint64_t a = 0x0000000040000000ULL + HUGE_2M - 2 * PAGE_SIZE; /* 4 pages across two PTs */
	const uint64_t ro = a + 8 * PAGE_SIZE, none = a + 9 * PAGE_SIZE, out = a + 64 * PAGE_SIZE;
	const unsigned RWU = VM_READ | VM_WRITE | VM_USER;
	struct pt dst = e->pt;
	struct tally t = { 0 };
	pte_t before[4];
	uint64_t stop;

	assert_int_equal(pt_map(&e->pt, a, 0x10000, 4 * PAGE_SIZE, RWU), 0);
	assert_int_equal(pt_map(&e->pt, ro, 0x20000, PAGE_SIZE, VM_READ | VM_USER), 0);
	assert_int_equal(pt_map(&e->pt, none, 0x21000, PAGE_SIZE, VM_USER | VM_PROTNONE), 0);
	assert_int_equal(pt_map(&e->pt, out, 0x22000, PAGE_SIZE, RWU), 0);
	/* Accessed and dirty as the CPU would leave them: the copy keeps them. */
	sim_table(e, sim_table(e, sim_table(e, sim_table(e, e->pt.root)[0] & PTE_ADDR_MASK)[1] & PTE_ADDR_MASK)[0] &
			     PTE_ADDR_MASK)[510] |= PTE_A | PTE_D;
	for (int i = 0; i < 4; i++)
		before[i] = leaf_in(e, e->pt.root, a + i * PAGE_SIZE);
	assert_true(before[0] & PTE_D);

	/* Copy-on-write over [a, out): six leaves, four made read-only in both trees. */
	dst.root = sim_alloc(&e->sim);
	unsigned n = e->sim.allocs;
	assert_int_equal(pt_copy(&dst, &e->pt, a, out - a, 1, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 6);
	assert_int_equal(t.protnone, 1);
	assert_int_equal(e->sim.allocs, n + 4); /* PDPT, PD, two PTs */
	for (int i = 0; i < 4; i++) {
		uint64_t va = a + i * PAGE_SIZE;

		assert_int_equal(leaf_in(e, e->pt.root, va), before[i] & ~PTE_W);
		assert_int_equal(leaf_in(e, dst.root, va), before[i] & ~PTE_W);
	}
	assert_int_equal(leaf_in(e, dst.root, ro), leaf_in(e, e->pt.root, ro));
	assert_true(leaf_in(e, dst.root, none) & PTE_PROTNONE);
	assert_int_equal(leaf_in(e, dst.root, none), leaf_in(e, e->pt.root, none));
	/* Outside the range: untouched in the source, absent in the copy. */
	assert_true(leaf_in(e, e->pt.root, out) & PTE_W);
	assert_int_equal(leaf_in(e, dst.root, out), 0);

	/* Without cow the entries are copied as they are, the source unchanged; tables are reused. */
	struct pt dst2 = dst;
	dst2.root = sim_alloc(&e->sim);
	memset(&t, 0, sizeof(t));
	assert_int_equal(pt_copy(&dst2, &e->pt, out, PAGE_SIZE, 0, tally_leaf, &t), 0);
	assert_int_equal(t.leaves, 1);
	assert_int_equal(leaf_in(e, dst2.root, out), leaf_in(e, e->pt.root, out));
	assert_true(leaf_in(e, e->pt.root, out) & PTE_W);

	/* fn refuses a leaf: the walk stops with its value, the leaves before are copied, that one not. */
	struct pt dst3 = dst;
	dst3.root = sim_alloc(&e->sim);
	stop = a + 2 * PAGE_SIZE;
	assert_int_equal(pt_copy(&dst3, &e->pt, a, out - a, 1, refuse_at, &stop), -77);
	assert_true(leaf_in(e, dst3.root, a + PAGE_SIZE) & PTE_P);
	assert_int_equal(leaf_in(e, dst3.root, stop), 0);

	/* No table to be had: -ENOMEM. */
	struct pt dst4 = dst;
	dst4.root = sim_alloc(&e->sim);
	e->sim.budget = e->sim.allocs + 2;
	assert_int_equal(pt_copy(&dst4, &e->pt, a, out - a, 1, NULL, NULL), -ENOMEM);
	e->sim.budget = ~0U;
	assert_int_equal(pt_copy(&dst4, &e->pt, a, 0, 1, NULL, NULL), -EINVAL);
}

int main(void)
{
	/* A broken walk tends to loop forever: fail instead (default SIGALRM action). */
	alarm(60);
#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)
	const struct CMUnitTest tests[] = {
		T(test_flags_all_combinations),
		T(test_flags_spot_values),
		T(test_walk_fields_4k),
		T(test_walk_fields_huge),
		T(test_walk_create),
		T(test_map_4k),
		T(test_map_2m),
		T(test_map_1g),
		T(test_user_kernel_table_flags),
		T(test_map_exists),
		T(test_invalid_ranges),
		T(test_unmap_in_2m),
		T(test_unmap_in_1g),
		T(test_protect_in_huge),
		T(test_gaps),
		T(test_enomem),
		T(test_for_each_leaf),
		T(test_random),
		T(test_range_visit_sparse),
		T(test_range_clear_frees_tables),
		T(test_copy),
		T(test_range_huge_untouched),
		T(test_protnone),
		T(test_map_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
