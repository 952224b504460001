/* SPDX-License-Identifier: MIT */
/*
 * bootcheck.c - the boot self-tests: facts about the hand-off that would be
 * false if efi/ or the early kernel got it wrong. Each reads the machine
 * (registers, the live page tables), not what boot_info claims.
 */
#include "kernel.h"
#include "kvm.h"
#include "memlayout.h"
#include "tests.h"
#include "x86.h"

/* Every page of [va, va+len) mapped with exactly the wanted W and NX bits. */
static int range_perm(uint64_t va, uint64_t len, int want_w, int want_nx, uint64_t *bad)
{
	struct pt_walk w;

	for (uint64_t p = va; p < va + len; p += PAGE_SIZE) {
		if (!pt_query(kvm_pt(), p, &w) || !!(w.entry[w.level] & PTE_W) != want_w ||
		    !!(w.entry[w.level] & PTE_NX) != want_nx) {
			*bad = p;
			return 0;
		}
	}
	return 1;
}

void boot_checks(long nregions)
{
	uint64_t rip = read_rip(), rsp = read_rsp(), cr3 = read_cr3() & PTE_ADDR_MASK, bad = 0;
	struct pt_walk w;
	pte_t *pml4 = PHYS_TO_DIRECT(cr3);
	int lower = 0;

	test_check("boot.higher_half", rip >= KERNEL_BASE && rip < SYM(__text_end), "RIP inside kernel .text",
		   "RIP 0x%llx", (unsigned long long)rip);
	test_check("boot.stack", rsp > KSTACK_BOTTOM(KSTACK_BOOT_SLOT) && rsp <= KSTACK_TOP(KSTACK_BOOT_SLOT),
		   "RSP inside the boot stack", "RSP 0x%llx", (unsigned long long)rsp);
	test_check("boot.own_cr3",
		   cr3 == kvm_pt()->root && cr3 != (g_boot->fw_cr3 & PTE_ADDR_MASK) && cr3 != g_boot->atlas_cr3,
		   "CR3 = the kernel's own tables, neither the firmware's nor efi/'s",
		   "CR3 0x%llx, firmware 0x%llx, efi/ built 0x%llx", (unsigned long long)cr3,
		   (unsigned long long)g_boot->fw_cr3, (unsigned long long)g_boot->atlas_cr3);
	test_check("boot.stack_guard",
		   !pt_query(kvm_pt(), KSTACK_SLOT_BASE(KSTACK_BOOT_SLOT), &w) &&
			   pt_query(kvm_pt(), KSTACK_BOTTOM(KSTACK_BOOT_SLOT), &w),
		   "guard page unmapped, stack mapped", "guard at 0x%llx %s",
		   (unsigned long long)KSTACK_SLOT_BASE(KSTACK_BOOT_SLOT),
		   pt_query(kvm_pt(), KSTACK_SLOT_BASE(KSTACK_BOOT_SLOT), &w) ? "mapped" : "unmapped");
	for (int i = 0; i < PT_ENTRIES / 2; i++)
		lower += !!(pml4[i] & PTE_P);
	test_check("boot.no_identity_map", lower == 0 && !pt_query(kvm_pt(), g_boot->trampoline_phys, &w),
		   "no lower-half PML4 entries; the hand-off page unmapped", "%d present", lower);
	test_check("boot.kernel_wx",
		   range_perm(SYM(__text_start), SYM(__text_end) - SYM(__text_start), 0, 0, &bad) &&
			   range_perm(SYM(__rodata_start), SYM(__rodata_end) - SYM(__rodata_start), 0, 1, &bad) &&
			   range_perm(SYM(__data_start), SYM(__bss_end) - SYM(__data_start), 1, 1, &bad),
		   "text r-x, rodata r--, data/bss rw- NX", "first wrong page 0x%llx", (unsigned long long)bad);
	test_check("boot.memmap",
		   nregions > 0 && g_boot->desc_size >= 40 && g_boot->memmap_size % g_boot->desc_size == 0,
		   "a valid firmware map", "%ld regions, DescriptorSize %llu, MapSize %llu", nregions,
		   (unsigned long long)g_boot->desc_size, (unsigned long long)g_boot->memmap_size);
	test_check("boot.direct_map", kvm_direct_ok(g_boot->memmap, g_boot->memmap_size) && kvm_direct_ok(0, PAGE_SIZE),
		   "RAM reachable at DIRECT_MAP_BASE", "memmap at phys 0x%llx", (unsigned long long)g_boot->memmap);
}
