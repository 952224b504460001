/* SPDX-License-Identifier: MIT */
/*
 * vm.c - Atlas's first page tables, built by the firmware stage in memory it
 * allocated (never by editing the firmware's tables: some firmware maps its
 * own tables read-only, and setting CR0.WP on them has killed real laptops).
 *
 * They hold exactly the kernel half mm/klayout.c describes (the direct map
 * of RAM, the kernel image with per-segment permissions, the boot stack with
 * an unmapped guard page below it: the same layout mm/kvm.c builds again in
 * the kernel), and one identity-mapped page holding atlas_handoff, which
 * must stay executable across the CR3 load. The kernel unmaps that page
 * first thing.
 */
#include "efi.h"
#include "elf64.h"
#include "kerrno.h"
#include "klayout.h"
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

/* Spare descriptors for the two allocations between the size query and the read. */
#define MAP_COPY_SLACK_DESCS 8

/* The current memory map, normalized, in freshly allocated pages. */
static long normalized_map(struct mm_region **out)
{
	struct efi_map m;
	uint64_t regs, cap;
	long n;

	if (efi_map_alloc(&m, MAP_COPY_SLACK_DESCS, "a memory map copy") != EFI_SUCCESS)
		return -ENOMEM;
	/* 2n - 1 regions at most for n descriptors; n can only grow by the one allocation below. */
	cap = 2 * (m.cap / m.desc_size) + 1;
	regs = efi_alloc_pages(ALIGN_UP(cap * sizeof(struct mm_region), PAGE_SIZE) >> PAGE_SHIFT, "memory regions");
	if (!regs)
		return -ENOMEM;
	if (efi_map_read(&m) != EFI_SUCCESS) {
		efi_warn("GetMemoryMap into a %llu-byte buffer failed\n", (unsigned long long)m.cap);
		return -EIO;
	}
	n = memmap_normalize((void *)(uintptr_t)m.buf, m.size, m.desc_size, (struct mm_region *)(uintptr_t)regs, cap,
			     NULL);
	if (n < 0)
		efi_warn("memory map: DescriptorSize %u / MapSize %u is not a valid map (%ld)\n", (unsigned)m.desc_size,
			 (unsigned)m.size, n);
	*out = (struct mm_region *)(uintptr_t)regs;
	return n;
}

/* klayout_build's fn: map a piece from the pool; guards stay unmapped. */
static int map_piece(const struct klayout_piece *p, void *ctx)
{
	return p->guard ? 0 : pt_map(ctx, p->va, p->pa, p->size, p->vm);
}

/* The kernel half (mm/klayout.c), then the identity-mapped hand-off page, which must stay executable. */
static int build(struct pt *pt, const struct klayout *l, uint64_t handoff_page)
{
	uint64_t unmapped;
	int err = klayout_build(l, map_piece, pt, &unmapped);

	if (unmapped)
		efi_warn("%llu MiB of RAM above %llu TiB is not direct-mapped\n", (unsigned long long)(unmapped >> 20),
			 (unsigned long long)(DIRECT_MAP_MAX_PHYS >> 40));
	return err ? err : pt_map(pt, handoff_page, handoff_page, PAGE_SIZE, VM_READ | VM_EXEC | VM_NOHUGE);
}

int efi_build_page_tables(struct boot_info *bi, const struct kernel_image *k, uint64_t handoff_page)
{
	struct klayout_section sec[sizeof(k->seg) / sizeof(k->seg[0])];
	struct klayout layout = { 0 };
	struct mm_region *regs;
	struct pool pool = { 0, PT_POOL_PAGES_MIN, 0 };
	struct pt pt;
	uint32_t a, b, c, d;
	long n = normalized_map(&regs);
	int err = -ENOMEM;

	if (n < 0)
		return (int)n;
	/* The image by its PT_LOAD segments' permissions. */
	for (int i = 0; i < k->nseg; i++) {
		sec[i].va = k->seg[i].vaddr;
		sec[i].size = k->seg[i].memsz;
		sec[i].vm = VM_READ | (k->seg[i].flags & PF_W ? VM_WRITE : 0) | (k->seg[i].flags & PF_X ? VM_EXEC : 0);
		sec[i].name = NULL;
	}
	layout.ram = regs;
	layout.nram = (size_t)n;
	layout.image_phys = k->phys;
	layout.image = sec;
	layout.nimage = (size_t)k->nseg;
	layout.boot_stack_phys = bi->boot_stack_phys;
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
		err = build(&pt, &layout, handoff_page);
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
