/* SPDX-License-Identifier: MIT */
/*
 * kvm.c - the kernel address space, rebuilt by the kernel in pages it owns.
 *
 * efi/ built just enough tables to reach kmain. Here the kernel builds its
 * real ones from PMM pages, switches to them and gives efi/'s pool back. The
 * picture is include/memlayout.h's; every mapping is recorded as a named
 * region for the reports and for fault messages.
 */
#include "kvm.h"

#include "cpu.h"
#include "kernel.h"
#include "kerrno.h"
#include "klayout.h"
#include "kstring.h"
#include "memlayout.h"
#include "panic.h"
#include "physmap.h"
#include "pmm.h"
#include "x86.h"

#define KREGION_MAX 128
#define KHEAP_PAGES ((KHEAP_END - KHEAP_BASE) >> PAGE_SHIFT)

static struct pt kpt;
static struct kregion regions[KREGION_MAX];
static size_t nregions;
static uint64_t mmio_next = KMMIO_BASE;

/* Heap address space: one bit per page of [KHEAP_BASE, KHEAP_END), 1 = in use. */
static uint64_t heap_used[KHEAP_PAGES / 64];
static uint64_t heap_hint; /* no free page below this index */

/* PTE bits (4 KiB form) that select PAT entry i (SDM Vol. 3A 11.12.3: PAT, PCD, PWT are its bits 2, 1, 0); 0 for -1. */
static uint64_t pat_select(int i)
{
	if (i < 0)
		return 0;
	return (i & 1 ? PTE_PWT : 0) | (i & 2 ? PTE_PCD : 0) | (i & 4 ? PTE_PAT : 0);
}

static uint64_t table_page(void *ctx)
{
	(void)ctx;
	return pmm_alloc(0, PMM_PT);
}

struct pt *kvm_pt(void)
{
	return &kpt;
}

/* Insert keeping the array sorted; a full table only loses report detail. */
static void region_add(uint64_t start, uint64_t end, unsigned vm, enum kregion_kind kind, const char *name)
{
	static int warned; /* once: a fork bomb maps hundreds of kernel stacks */
	size_t i;

	if (nregions == KREGION_MAX) {
		if (!warned++)
			kprintf("kvm: region table full (%d); '%s' and any later region are left out of the reports\n",
				KREGION_MAX, name);
		return;
	}
	for (i = nregions; i > 0 && regions[i - 1].start > start; i--)
		regions[i] = regions[i - 1];
	regions[i].start = start;
	regions[i].end = end;
	regions[i].vm = vm;
	regions[i].kind = kind;
	kstrlcpy(regions[i].name, name, sizeof(regions[i].name));
	nregions++;
}

static void region_del(uint64_t start)
{
	for (size_t i = 0; i < nregions; i++) {
		if (regions[i].start == start) {
			memmove(&regions[i], &regions[i + 1], (nregions - i - 1) * sizeof(regions[0]));
			nregions--;
			return;
		}
	}
}

const struct kregion *kvm_regions(size_t *count)
{
	*count = nregions;
	return regions;
}

int kvm_map(uint64_t va, uint64_t pa, uint64_t size, unsigned vm, const char *name)
{
	int err = pt_map(&kpt, va, pa, size, vm);

	if (err) {
		/* Leave nothing half-mapped behind. */
		if (err != -EEXIST && err != -EINVAL)
			pt_unmap(&kpt, va, size);
		return err;
	}
	if (name)
		region_add(va, va + size, vm, KR_MAPPED, name);
	return 0;
}

void kvm_unmap(uint64_t va, uint64_t size)
{
	if (pt_unmap(&kpt, va, size))
		panic("mm: cannot unmap 0x%llx (+0x%llx)", (unsigned long long)va, (unsigned long long)size);
	region_del(va);
}

void kvm_guard(uint64_t start, uint64_t end, const char *name)
{
	region_add(start, end, 0, KR_GUARD, name);
}

void kvm_unguard(uint64_t start)
{
	region_del(start);
}

/* klayout_build's fn: map and name a piece, or record a guard. */
static int map_piece(const struct klayout_piece *p, void *ctx)
{
	(void)ctx;
	if (p->guard) {
		kvm_guard(p->va, p->va + p->size, p->name);
		return 0;
	}
	return kvm_map(p->va, p->pa, p->size, p->vm, p->name);
}

int kvm_init(void)
{
	/* One section per permission set, bounded by core/kernel.ld.S's symbols. */
	const struct klayout_section sec[] = {
		{ SYM(__text_start), SYM(__text_end) - SYM(__text_start), VM_READ | VM_EXEC, "[ktext]" },
		{ SYM(__rodata_start), SYM(__rodata_end) - SYM(__rodata_start), VM_READ, "[krodata]" },
		{ SYM(__data_start), SYM(__data_end) - SYM(__data_start), VM_READ | VM_WRITE, "[kdata]" },
		{ SYM(__bss_start), SYM(__bss_end) - SYM(__bss_start), VM_READ | VM_WRITE, "[kbss]" },
	};
	struct klayout layout = { 0 };
	pte_t *pml4;
	uint64_t pool = g_boot->pt_pool, pool_end = pool + (g_boot->pt_pool_pages << PAGE_SHIFT);
	int err;

	memset(&kpt, 0, sizeof(kpt));
	kpt.phys_off = DIRECT_MAP_BASE;
	kpt.allow_1g = cpu()->pdpe1gb;
	kpt.pat_wc = pat_select(cpu_pat_wc_entry());
	kpt.alloc_table = table_page;
	kpt.root = pmm_alloc(0, PMM_PT);
	if (!kpt.root)
		return -ENOMEM;
	nregions = 0;

	layout.ram = memmap_regions(&layout.nram, NULL);
	layout.image_phys = g_boot->kernel_phys;
	layout.image = sec;
	layout.nimage = ARRAY_SIZE(sec);
	layout.boot_stack_phys = g_boot->boot_stack_phys;
	err = klayout_build(&layout, map_piece, NULL, NULL);
	if (err)
		return err;

	/* PML4[510] -> PML4: the tables show up as memory in a 512 GiB window. NX: never code. */
	pml4 = PHYS_TO_DIRECT(kpt.root);
	pml4[RECURSIVE_SLOT] = kpt.root | PTE_P | PTE_W | PTE_NX;
	region_add(RECURSIVE_BASE, RECURSIVE_END, VM_READ | VM_WRITE, KR_MAPPED, "[recursive]");

	write_cr3(kpt.root);
	kpt.live = 1;
	/* Global pages survive a CR3 load; toggling PGE flushes them too. */
	if (read_cr4() & CR4_PGE) {
		write_cr4(read_cr4() & ~CR4_PGE);
		write_cr4(read_cr4() | CR4_PGE);
	}
	/* efi/'s tables are dead now: their pool is ordinary memory (above the reserved low memory). */
	if (pool && pool < PHYS_LOW_RESERVED_END)
		pool = pool_end > PHYS_LOW_RESERVED_END ? PHYS_LOW_RESERVED_END : pool_end;
	if (pool && pool < pool_end && pmm_add_range(pool, pool_end))
		kprintf("kvm: could not return efi/'s page-table pool to the PMM\n");
	return 0;
}

int kvm_direct_ok(uint64_t phys, uint64_t len)
{
	struct pt_walk w;
	uint64_t p = ALIGN_DOWN(phys, PAGE_SIZE), end = phys + len;

	if (end < phys || end > DIRECT_MAP_MAX_PHYS)
		return 0;
	while (p < end) {
		if (!pt_query(&kpt, DIRECT_MAP_BASE + p, &w))
			return 0;
		/* Skip to the end of the page (or huge page) just checked. */
		p = ALIGN_DOWN(p, w.page_size) + w.page_size;
	}
	return 1;
}

uint64_t kvm_map_mmio(uint64_t phys, uint64_t size, unsigned vm, const char *name)
{
	uint64_t off = phys & (PAGE_SIZE - 1), base = phys - off, len = ALIGN_UP(size + off, PAGE_SIZE);
	/* Same offset from a 2 MiB boundary as phys, so large pages fit where phys allows. */
	uint64_t va = ALIGN_UP(mmio_next, HUGE_2M) + (base & (HUGE_2M - 1));

	if (!size || va + len > KMMIO_END || va + len < va)
		return 0;
	if (kvm_map(va, base, len, vm | VM_GLOBAL, name))
		return 0;
	mmio_next = va + len;
	return va + off;
}

/* ---- heap backend ------------------------------------------------------ */

static int heap_bit(uint64_t i)
{
	return (heap_used[i / 64] >> (i % 64)) & 1;
}

static void heap_set(uint64_t i, int v)
{
	if (v)
		heap_used[i / 64] |= 1ULL << (i % 64);
	else
		heap_used[i / 64] &= ~(1ULL << (i % 64));
}

static uint64_t heap_top; /* one past the highest page in use */

/*
 * Keep the [kheap] regions equal to the runs of mapped heap pages: large
 * blocks given back leave holes, and a region must never claim an unmapped
 * page (the monitor witness in tests/boot checks exactly that).
 */
static void heap_region_update(void)
{
	uint64_t run = 0;

	for (size_t i = 0; i < nregions;) {
		if (regions[i].start >= KHEAP_BASE && regions[i].end <= KHEAP_END && regions[i].kind == KR_MAPPED)
			region_del(regions[i].start);
		else
			i++;
	}
	for (uint64_t i = 0; i <= heap_top && i <= KHEAP_PAGES; i++) {
		int used = i < heap_top && i < KHEAP_PAGES && heap_bit(i);

		if (used) {
			run++;
			continue;
		}
		if (run)
			region_add(KHEAP_BASE + ((i - run) << PAGE_SHIFT), KHEAP_BASE + (i << PAGE_SHIFT),
				   VM_READ | VM_WRITE, KR_MAPPED, "[kheap]");
		run = 0;
	}
	while (heap_top && !heap_bit(heap_top - 1))
		heap_top--;
}

/* Unmap and free heap pages [first, first+n). */
static void heap_release(uint64_t first, uint64_t n)
{
	struct pt_walk w;

	for (uint64_t i = first; i < first + n; i++) {
		uint64_t va = KHEAP_BASE + (i << PAGE_SHIFT);

		if (pt_query(&kpt, va, &w)) {
			pt_unmap(&kpt, va, PAGE_SIZE);
			pmm_free(w.phys, 0, PMM_HEAP);
		}
		heap_set(i, 0);
	}
	if (first < heap_hint)
		heap_hint = first;
}

void *kvm_heap_grow(size_t pages, void *ctx)
{
	uint64_t run = 0, first = 0;

	(void)ctx;
	/* First fit: reuses the gaps large blocks leave behind. */
	for (uint64_t i = heap_hint; i < KHEAP_PAGES && run < pages; i++) {
		if (heap_bit(i)) {
			run = 0;
			continue;
		}
		if (!run)
			first = i;
		run++;
	}
	if (!pages || run < pages)
		return NULL;
	for (uint64_t i = first; i < first + pages; i++) {
		uint64_t pa = pmm_alloc(0, PMM_HEAP);

		if (!pa || pt_map(&kpt, KHEAP_BASE + (i << PAGE_SHIFT), pa, PAGE_SIZE,
				  VM_READ | VM_WRITE | VM_GLOBAL | VM_NOHUGE)) {
			if (pa)
				pmm_free(pa, 0, PMM_HEAP);
			heap_release(first, i - first);
			return NULL;
		}
		heap_set(i, 1);
	}
	if (first == heap_hint)
		heap_hint = first + pages;
	if (first + pages > heap_top)
		heap_top = first + pages;
	heap_region_update();
	return (void *)(uintptr_t)(KHEAP_BASE + (first << PAGE_SHIFT));
}

void kvm_heap_shrink(void *va, size_t pages, void *ctx)
{
	uint64_t a = (uint64_t)(uintptr_t)va;

	(void)ctx;
	if (a < KHEAP_BASE || a >= KHEAP_END || (a & (PAGE_SIZE - 1)) || pages > (KHEAP_END - a) >> PAGE_SHIFT)
		panic("mm: heap shrink of %zu pages at 0x%llx is outside the heap", pages, (unsigned long long)a);
	heap_release((a - KHEAP_BASE) >> PAGE_SHIFT, pages);
	heap_region_update();
}

/* ---- describing and checking ----------------------------------------- */

const char *kvm_describe(uint64_t va, char *buf, size_t size)
{
	if (!va_canonical(va)) {
		kstrlcpy(buf, "non-canonical address", size);
		return buf;
	}
	if (va < USER_NULL_GUARD_END) {
		kstrlcpy(buf, "null guard", size);
		return buf;
	}
	if (va < USER_END) {
		kstrlcpy(buf, "user space", size);
		return buf;
	}
	for (size_t i = 0; i < nregions; i++) {
		if (va >= regions[i].start && va < regions[i].end) {
			kstrlcpy(buf, regions[i].name, size);
			return buf;
		}
	}
	kstrlcpy(buf, "unmapped kernel address", size);
	return buf;
}

uint64_t kvm_wx_violations(uint64_t *first)
{
	return pt_count_wx(&kpt, first);
}

static void count_tables(struct pt *pt, uint64_t table, int lvl, uint64_t counts[PT_LEVELS + 1])
{
	const pte_t *t = PHYS_TO_DIRECT(table);

	counts[lvl]++;
	if (lvl == 1)
		return;
	for (int i = 0; i < PT_ENTRIES; i++) {
		if (!(t[i] & PTE_P) || (t[i] & PTE_PS))
			continue;
		if (lvl == PT_LEVELS && (t[i] & PTE_ADDR_MASK) == pt->root)
			continue;
		count_tables(pt, t[i] & PTE_ADDR_MASK, lvl - 1, counts);
	}
}

void kvm_count_tables(struct pt *pt, uint64_t counts[PT_LEVELS + 1])
{
	memset(counts, 0, sizeof(uint64_t) * (PT_LEVELS + 1));
	count_tables(pt, pt->root, PT_LEVELS, counts);
}

uint64_t kvm_direct_map_tables(void)
{
	const struct pt *pt = kvm_pt();
	const pte_t *pml4 = PHYS_TO_DIRECT(pt->root);
	uint64_t counts[PT_LEVELS + 1] = { 0 }, n = 0;

	for (unsigned i = PT_INDEX(DIRECT_MAP_BASE, PT_LEVELS); i < PT_INDEX(DIRECT_MAP_END - 1, PT_LEVELS) + 1; i++)
		if ((pml4[i] & PTE_P) && !(pml4[i] & PTE_PS))
			count_tables(&kpt, pml4[i] & PTE_ADDR_MASK, PT_LEVELS - 1, counts);
	for (int l = 1; l < PT_LEVELS; l++)
		n += counts[l];
	return n;
}

/* Leaves under table at level lvl, by size, into sz[0] 4 KiB, sz[1] 2 MiB, sz[2] 1 GiB (bytes). */
static void direct_leaves(const struct pt *pt, uint64_t table, int lvl, uint64_t sz[3])
{
	const pte_t *t = (const pte_t *)(uintptr_t)(table + pt->phys_off);

	for (int i = 0; i < PT_ENTRIES; i++) {
		if (!(t[i] & PTE_P))
			continue;
		if (lvl == 1 || (t[i] & PTE_PS))
			sz[lvl - 1] += PT_LEVEL_SIZE(lvl);
		else
			direct_leaves(pt, t[i] & PTE_ADDR_MASK, lvl - 1, sz);
	}
}

void kvm_direct_map_sizes(uint64_t *b4k, uint64_t *b2m, uint64_t *b1g)
{
	const struct pt *pt = kvm_pt();
	const pte_t *pml4 = (const pte_t *)(uintptr_t)(pt->root + pt->phys_off);
	uint64_t sz[3] = { 0, 0, 0 };

	for (unsigned i = PT_INDEX(DIRECT_MAP_BASE, PT_LEVELS); i < PT_INDEX(DIRECT_MAP_END - 1, PT_LEVELS) + 1; i++)
		if (pml4[i] & PTE_P)
			direct_leaves(pt, pml4[i] & PTE_ADDR_MASK, PT_LEVELS - 1, sz);
	*b4k = sz[0];
	*b2m = sz[1];
	*b1g = sz[2];
}
