/* SPDX-License-Identifier: MIT */
/*
 * kvm.c - the kernel address space as efi/ handed it over. The tables are
 * reached through the direct map; no table page is allocated yet (the page
 * allocator comes later), so alloc_table refuses.
 */
#include "kvm.h"

#include "kernel.h"
#include "memlayout.h"
#include "x86.h"

static struct pt kpt;

static uint64_t no_alloc(void *ctx)
{
	(void)ctx;
	return 0;
}

void kvm_init(uint64_t trampoline_phys)
{
	uint32_t a, b, c, d;

	kpt.root = read_cr3() & PTE_ADDR_MASK;
	kpt.phys_off = DIRECT_MAP_BASE;
	kpt.live = 1;
	kpt.alloc_table = no_alloc;
	cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
	kpt.allow_1g = !!(d & CPUID_80000001_EDX_PDPE1GB);
	/*
	 * The hand-off page is the only thing efi/ put in the lower half; drop
	 * the whole lower half of the PML4 (its table pages stay in efi/'s pool)
	 * so no trace of an identity map survives. The CR3 reload flushes it.
	 */
	pte_t *pml4 = PHYS_TO_DIRECT(kpt.root);
	if (PT_INDEX(trampoline_phys, PT_LEVELS) >= PT_ENTRIES / 2)
		panic("mm: hand-off page 0x%llx is not in the lower half", (unsigned long long)trampoline_phys);
	for (int i = 0; i < PT_ENTRIES / 2; i++)
		pml4[i] = 0;
	write_cr3(read_cr3());
}

struct pt *kvm_pt(void)
{
	return &kpt;
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
