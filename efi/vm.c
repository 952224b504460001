/* SPDX-License-Identifier: MIT */
/*
 * vm.c - Atlas's first page tables, built by the firmware stage in memory it
 * allocated (never by editing the firmware's tables: some firmware maps its
 * own tables read-only, and setting CR0.WP on them has killed real laptops).
 *
 * They hold exactly: the direct map of RAM, the kernel image with per-segment
 * permissions, the boot stack with an unmapped guard page below it, and one
 * identity-mapped page holding atlas_handoff, which must stay executable
 * across the CR3 load. The kernel unmaps that page first thing.
 */
#include "efi.h"
#include "elf64.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "memmap.h"
#include "paging.h"
#include "x86.h"

#define PT_POOL_PAGES_MIN 64
#define PT_POOL_TRIES 4

struct pool {
	uint64_t base, pages, used;
};

static uint64_t pool_alloc(void *ctx)
{
	struct pool *p = ctx;

	if (p->used == p->pages)
		return 0;
	return p->base + (p->used++ << PAGE_SHIFT); /* zeroed by efi_alloc_pages */
}

/* The current memory map, normalized, in freshly allocated pages. */
static long normalized_map(struct mm_region **out)
{
	UINTN size = 0, key, dsize;
	UINT32 dver;
	EFI_STATUS s;
	uint64_t raw, regs, cap;
	long n;

	s = efi_bs->GetMemoryMap(&size, NULL, &key, &dsize, &dver);
	if (s != EFI_BUFFER_TOO_SMALL) {
		efi_warn("GetMemoryMap(size query): %s\n", efi_status_str(s));
		return -EIO;
	}
	size += 8 * dsize;
	raw = efi_alloc_pages(ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT, "a memory map copy");
	cap = 2 * (size / dsize) + 1;
	regs = efi_alloc_pages(ALIGN_UP(cap * sizeof(struct mm_region), PAGE_SIZE) >> PAGE_SHIFT, "memory regions");
	if (!raw || !regs)
		return -ENOMEM;
	s = efi_bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(uintptr_t)raw, &key, &dsize, &dver);
	if (s != EFI_SUCCESS) {
		efi_warn("GetMemoryMap: %s\n", efi_status_str(s));
		return -EIO;
	}
	n = memmap_normalize((void *)(uintptr_t)raw, size, dsize, (struct mm_region *)(uintptr_t)regs, cap, NULL);
	if (n < 0)
		efi_warn("memory map: DescriptorSize %u / MapSize %u is not a valid map (%ld)\n", (unsigned)dsize,
			 (unsigned)size, n);
	*out = (struct mm_region *)(uintptr_t)regs;
	return n;
}

static unsigned seg_vm_flags(uint32_t pf)
{
	unsigned vm = VM_READ | VM_GLOBAL;

	if (pf & PF_W)
		vm |= VM_WRITE;
	if (pf & PF_X)
		vm |= VM_EXEC;
	return vm;
}

static int build(struct pt *pt, const struct mm_region *r, long n, const struct kernel_image *k, struct boot_info *bi,
		 uint64_t handoff_page)
{
	uint64_t start, end;
	size_t pos = 0;
	int err;

	/* Direct map: runs of RAM (any RAM type), merged across type changes. */
	while (memmap_ram_run(r, (size_t)n, &pos, &start, &end)) {
		if (end > DIRECT_MAP_MAX_PHYS) {
			efi_warn("RAM above %llu TiB is not direct-mapped\n",
				 (unsigned long long)(DIRECT_MAP_MAX_PHYS >> 40));
			if (start >= DIRECT_MAP_MAX_PHYS)
				continue;
			end = DIRECT_MAP_MAX_PHYS;
		}
		err = pt_map(pt, DIRECT_MAP_BASE + start, start, end - start, VM_READ | VM_WRITE | VM_GLOBAL);
		if (err)
			return err;
	}
	for (int i = 0; i < k->nseg; i++) {
		err = pt_map(pt, k->seg[i].vaddr, k->phys + (k->seg[i].vaddr - KERNEL_BASE), k->seg[i].memsz,
			     seg_vm_flags(k->seg[i].flags) | VM_NOHUGE);
		if (err)
			return err;
	}
	/* KSTACK_SLOT_BASE(boot slot) stays unmapped: it is the guard page. */
	err = pt_map(pt, KSTACK_BOTTOM(KSTACK_BOOT_SLOT), bi->boot_stack_phys, KSTACK_SIZE, VM_READ | VM_WRITE);
	if (err)
		return err;
	return pt_map(pt, handoff_page, handoff_page, PAGE_SIZE, VM_READ | VM_EXEC | VM_NOHUGE);
}

int efi_build_page_tables(struct boot_info *bi, const struct kernel_image *k, uint64_t handoff_page)
{
	struct mm_region *regs;
	struct pool pool = { 0, PT_POOL_PAGES_MIN, 0 };
	struct pt pt;
	uint32_t a, b, c, d;
	long n = normalized_map(&regs);
	int err = -ENOMEM;

	if (n < 0)
		return (int)n;
	cpuid(CPUID_EXT_BASE, 0, &a, &b, &c, &d);
	memset(&pt, 0, sizeof(pt));
	if (a >= CPUID_EXT_FEATURES) {
		cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
		pt.allow_1g = !!(d & CPUID_80000001_EDX_PDPE1GB);
	}
	pt.alloc_table = pool_alloc;
	pt.ctx = &pool;

	/* Grow the pool until the tables fit: fragmented maps need more. */
	for (int t = 0; t < PT_POOL_TRIES; t++, pool.pages *= 4) {
		pool.base = efi_alloc_pages(pool.pages, "page tables");
		if (!pool.base)
			return -ENOMEM;
		pool.used = 0;
		pt.root = pool_alloc(&pool);
		err = build(&pt, regs, n, k, bi, handoff_page);
		if (err != -ENOMEM)
			break;
		efi_bs->FreePages(pool.base, pool.pages);
	}
	if (err) {
		efi_warn("building page tables failed (%d) with a pool of %llu pages\n", err,
			 (unsigned long long)pool.pages);
		return err;
	}
	bi->atlas_cr3 = pt.root;
	bi->pt_pool = pool.base;
	bi->pt_pool_pages = pool.pages;
	bi->pt_pool_used = pool.used;
	return 0;
}
