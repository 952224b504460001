/* SPDX-License-Identifier: MIT */
/*
 * mmcheck.c - memory-management self-tests, run at every boot. Each reads
 * the live page tables or exercises an allocator; none trusts what the code
 * under test claims about itself.
 */
#include "cpu.h"
#include "efirt.h"
#include "heap.h"
#include "kernel.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "physmap.h"
#include "pmm.h"
#include "tests.h"
#include "x86.h"

/* Pages checked per mapped region: all of a small one, a spread of a large one. */
#define PERM_SAMPLES 4096

/* Does the leaf for va carry exactly the region's W, NX and U bits? */
static int page_matches(uint64_t va, unsigned vm)
{
	struct pt_walk w;
	pte_t e;

	if (!pt_query(kvm_pt(), va, &w))
		return 0;
	e = w.entry[w.level];
	return !!(e & PTE_W) == !!(vm & VM_WRITE) && !!(e & PTE_NX) == !(vm & VM_EXEC) &&
	       !!(e & PTE_U) == !!(vm & VM_USER);
}

static void check_regions(void)
{
	size_t n;
	const struct kregion *r = kvm_regions(&n);
	uint64_t bad = 0;
	const char *bad_name = "";
	struct pt_walk w;

	for (size_t i = 0; i < n && !bad; i++) {
		uint64_t pages = (r[i].end - r[i].start) >> PAGE_SHIFT;
		uint64_t step = pages > PERM_SAMPLES ? pages / PERM_SAMPLES : 1;

		if (!strcmp(r[i].name, "[recursive]"))
			continue; /* the window shows tables, checked by mm.recursive */
		for (uint64_t p = 0; p < pages && !bad; p += step) {
			uint64_t va = r[i].start + (p << PAGE_SHIFT);
			int ok = r[i].kind == KR_GUARD ? !pt_query(kvm_pt(), va, &w) : page_matches(va, r[i].vm);

			if (!ok) {
				bad = va;
				bad_name = r[i].name;
			}
		}
		/* The last page too: off-by-one mappings show there. */
		if (!bad && pages) {
			uint64_t va = r[i].end - PAGE_SIZE;
			int ok = r[i].kind == KR_GUARD ? !pt_query(kvm_pt(), va, &w) : page_matches(va, r[i].vm);
			if (!ok) {
				bad = va;
				bad_name = r[i].name;
			}
		}
	}
	test_check("mm.kmap_perms", !bad && n > 0, "every region mapped with its permissions, every guard unmapped",
		   bad ? "0x%llx in %s is wrong" : "%llu regions checked",
		   bad ? (unsigned long long)bad : (unsigned long long)n, bad_name);
}

/* The PML4 seen through PML4[510] -> PML4[510] -> PML4[510] -> PML4[510]. */
static void check_recursive(void)
{
	uint64_t self = RECURSIVE_BASE | ((uint64_t)RECURSIVE_SLOT << 30) | ((uint64_t)RECURSIVE_SLOT << 21) |
			((uint64_t)RECURSIVE_SLOT << 12);
	const pte_t *via_window = (const pte_t *)(uintptr_t)self;
	const pte_t *via_direct = PHYS_TO_DIRECT(kvm_pt()->root);

	test_check("mm.recursive", !memcmp(via_window, via_direct, PAGE_SIZE) && (via_direct[RECURSIVE_SLOT] & PTE_NX),
		   "the PML4 reads the same through the recursive slot (NX)", "window at 0x%llx",
		   (unsigned long long)self);
}

static void check_heap(void)
{
	struct heap_stats before, after;
	size_t sizes[] = { 1, 16, 100, 2048, 2049, 3 * PAGE_SIZE };
	void *p[ARRAY_SIZE(sizes)];
	int ok = 1;

	heap_get_stats(&before);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i]);
		if (!p[i] || (uint64_t)(uintptr_t)p[i] < KHEAP_BASE || (uint64_t)(uintptr_t)p[i] >= KHEAP_END) {
			ok = 0;
			continue;
		}
		memset(p[i], (int)i, sizes[i]);
	}
	for (size_t i = 0; i < ARRAY_SIZE(sizes) && ok; i++)
		ok = ((unsigned char *)p[i])[sizes[i] - 1] == i;
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
		kfree(p[i]);
	heap_get_stats(&after);
	heap_check();
	test_check("mm.heap", ok && after.bytes_in_use == before.bytes_in_use,
		   "kmalloc in [kheap], kfree gives it back", "in use %zu -> %zu bytes", before.bytes_in_use,
		   after.bytes_in_use);
}

static void check_pmm(void)
{
	struct pmm_stats before, after;
	uint64_t a, b;

	pmm_get_stats(&before);
	a = pmm_alloc(0, PMM_OTHER);
	b = pmm_alloc(9, PMM_OTHER);
	if (a)
		pmm_free(a, 0, PMM_OTHER);
	if (b)
		pmm_free(b, 9, PMM_OTHER);
	pmm_get_stats(&after);
	pmm_verify();
	test_check("mm.pmm", a && b && !(b & (HUGE_2M - 1)) && after.free_pages == before.free_pages,
		   "a page and an aligned 2 MiB block, both given back", "free %llu -> %llu pages",
		   (unsigned long long)before.free_pages, (unsigned long long)after.free_pages);
}

static void check_kstack(void)
{
	struct pt_walk w;
	uint64_t top;
	int slot = kstack_alloc("selftest", &top), ok;

	ok = slot > 0 && pt_query(kvm_pt(), top - PAGE_SIZE, &w) && pt_query(kvm_pt(), top - KSTACK_SIZE, &w) &&
	     !pt_query(kvm_pt(), top - KSTACK_SIZE - PAGE_SIZE, &w);
	if (slot > 0) {
		kstack_free(slot);
		ok = ok && !pt_query(kvm_pt(), top - PAGE_SIZE, &w);
	}
	test_check("mm.kstack", ok, "16 KiB mapped, guard below unmapped, all gone after free", "slot %d, top 0x%llx",
		   slot, (unsigned long long)top);
}

static void check_cpu(void)
{
	const struct cpu_features *f = cpu();
	uint64_t cr0 = read_cr0(), cr4 = read_cr4(), efer = rdmsr(MSR_EFER);
	int ok = (cr0 & CR0_WP) && (efer & EFER_NXE) && (!f->smep || (cr4 & CR4_SMEP)) &&
		 (!f->smap || (cr4 & CR4_SMAP)) && (!f->umip || (cr4 & CR4_UMIP)) && (!f->pge || (cr4 & CR4_PGE));

	test_check("mm.cpu_features", ok, "CR0.WP, EFER.NXE and every present one of PGE/SMEP/SMAP/UMIP on",
		   "CR0 0x%llx CR4 0x%llx EFER 0x%llx", (unsigned long long)cr0, (unsigned long long)cr4,
		   (unsigned long long)efer);
}

/*
 * The allocator owns nothing real-mode code can reach (include/memlayout.h),
 * though the firmware map has usable memory there, and does own usable
 * memory right above it.
 */
static void check_low_reserved(void)
{
	size_t n;
	const struct mm_region *r = memmap_regions(&n, NULL);
	uint64_t usable_low = 0;
	int above = 0;

	for (size_t i = 0; i < n; i++) {
		if (!efi_mem_type_is_free_after_ebs(r[i].type))
			continue;
		if (r[i].start < PHYS_LOW_RESERVED_END)
			usable_low += (r[i].end < PHYS_LOW_RESERVED_END ? r[i].end : PHYS_LOW_RESERVED_END) -
				      r[i].start;
		if (r[i].start <= PHYS_LOW_RESERVED_END && r[i].end >= PHYS_LOW_RESERVED_END + PAGE_SIZE)
			above = 1;
	}
	test_check("mm.low_reserved",
		   !pmm_owns(0, PHYS_LOW_RESERVED_END) &&
			   (!above || pmm_owns(PHYS_LOW_RESERVED_END, PHYS_LOW_RESERVED_END + PAGE_SIZE)),
		   "no page below 0x110000 in the page allocator, the usable page at 0x110000 in it",
		   "%llu usable bytes below 0x110000 in the map; allocator owns low: %d, owns 0x110000: %d",
		   (unsigned long long)usable_low, pmm_owns(0, PHYS_LOW_RESERVED_END),
		   pmm_owns(PHYS_LOW_RESERVED_END, PHYS_LOW_RESERVED_END + PAGE_SIZE));
}

unsigned long mm_wx_violations(uint64_t *first)
{
	uint64_t rt_first = 0, n = kvm_wx_violations(first), rt = efirt_count_wx(&rt_first);

	if (!n && rt)
		*first = rt_first;
	return (unsigned long)(n + rt);
}

void mm_checks(void)
{
	uint64_t bad;
	unsigned long wx = mm_wx_violations(&bad);
	struct pt_walk w;

	test_check("mm.wx", wx == 0, "no page both writable and executable", "%lu W+X pages, first 0x%llx", wx,
		   (unsigned long long)bad);
	test_check("mm.null_unmapped",
		   !pt_query(kvm_pt(), 0, &w) && !pt_query(kvm_pt(), USER_NULL_GUARD_END - PAGE_SIZE, &w),
		   "nothing mapped in the null guard", "VA 0 %s", pt_query(kvm_pt(), 0, &w) ? "mapped" : "unmapped");
	check_regions();
	check_recursive();
	check_heap();
	check_pmm();
	check_low_reserved();
	check_kstack();
	check_cpu();
}
