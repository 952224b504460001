/* SPDX-License-Identifier: MIT */
/*
 * hwinfo.c - gathering the hardware picture once at boot (include/hwinfo.h).
 * The mechanisms are in drivers/ (acpi_tables.c, smbios.c, pci.c,
 * pci_cfg.c, pciids.c); this file feeds them what boot_info and the direct
 * map hold, in the order they depend on each other: the ACPI survey names
 * the ECAM windows PCI needs.
 */
#include "hwinfo.h"

#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "pci.h"
#include "tsc.h"
#include "x86.h"

/* Vendors and classes: pci.ids 2023 lists ~2,400 vendors and 22 classes. */
#define PCIIDS_INDEX 4096

static struct acpi_survey survey;
static struct smbios_info smbios;
static struct pciids ids;
static struct pciids_ent ids_index[PCIIDS_INDEX];
static uint64_t pci_ticks;

static const void *direct(uint64_t phys)
{
	return PHYS_TO_DIRECT(phys);
}

static void smbios_init(void)
{
	if (!g_boot->smbios_ep_phys) {
		kstrlcpy(smbios.problem, "the firmware publishes no SMBIOS entry point", sizeof(smbios.problem));
		return;
	}
	if (smbios_parse_ep(g_boot->smbios_ep, sizeof(g_boot->smbios_ep), &smbios))
		return;
	if (!g_boot->smbios_table || !kvm_direct_ok(g_boot->smbios_table, g_boot->smbios_table_len)) {
		kstrlcpy(smbios.problem, "the structure table was not copied before ExitBootServices",
			 sizeof(smbios.problem));
		return;
	}
	smbios_parse_table(PHYS_TO_DIRECT(g_boot->smbios_table), g_boot->smbios_table_len, &smbios);
}

void hwinfo_init(void)
{
	uint64_t t0, t1, t;
	int n;

	g_boot->tsc.hw_start = t0 = rdtsc();
	if (g_boot->rsdp && acpi_survey(&survey, g_boot->rsdp, direct, kvm_direct_ok) < 0)
		kprintf("acpi: no valid RSDP at 0x%llx\n", (unsigned long long)g_boot->rsdp);
	boot_mark(g_boot, "k.hw_acpi", rdtsc());
	smbios_init();
	t1 = t = rdtsc();
	boot_mark(g_boot, "k.hw_smbios", t1);
	n = pci_init(&survey);
	pci_ticks = rdtsc() - t;
	boot_mark(g_boot, "k.hw_pci_scan", t + pci_ticks);
	if (n < 0)
		kprintf("pci: no configuration access (no MCFG and no 0xCF8 ports); no PCI devices listed\n");
	kdebug("hw: ACPI and SMBIOS %llu us, PCI scan %llu us\n", (unsigned long long)tsc_to_ns(t1 - t0) / 1000,
	       (unsigned long long)tsc_to_ns(pci_ticks) / 1000);
}

const struct acpi_survey *hw_acpi(void)
{
	return &survey;
}

const struct smbios_info *hw_smbios(void)
{
	return &smbios;
}

/* Indexed on first use: one pass over 1.3 MB costs ~10 ms under TCG, which hw=summary boots need not pay. */
const struct pciids *hw_pciids(void)
{
	static int tried;
	int n;

	if (tried)
		return &ids;
	tried = 1;
	if (!g_boot->pciids || !g_boot->pciids_size || !kvm_direct_ok(g_boot->pciids, g_boot->pciids_size))
		return &ids;
	n = pciids_init(&ids, PHYS_TO_DIRECT(g_boot->pciids), g_boot->pciids_size, ids_index, PCIIDS_INDEX);
	if (n < 0)
		kprintf("pci.ids: %s (%d)\n", n == -ENOSPC ? "more vendors than the index holds" : "unusable", n);
	return &ids;
}

uint64_t hw_pci_scan_ns(void)
{
	return tsc_to_ns(pci_ticks);
}
