/* SPDX-License-Identifier: MIT */
/*
 * hwinfo.h - the machine as the firmware describes it and as PCI enumerates
 * it, gathered once at boot (core/hwinfo.c): the ACPI table survey, the
 * SMBIOS summary, the PCI scan (drivers/pci_cfg.c keeps it) and the PCI ID
 * database. The reports (core/pcireport.c, core/iomemreport.c,
 * core/fwreport.c) and the monitor read them from here.
 */
#ifndef ATLAS_HWINFO_H
#define ATLAS_HWINFO_H

#include "acpi_tables.h"
#include "pciids.h"
#include "smbios.h"

/*
 * Survey ACPI and SMBIOS, enumerate PCI, index pci.ids. Once, after the
 * kernel's own page tables and heap exist (ECAM is mapped through the MMIO
 * window), with interrupts off. Stamps boot_info.tsc.hw_start.
 */
void hwinfo_init(void);

/* What hwinfo_init found; never NULL (empty when there was nothing). */
const struct acpi_survey *hw_acpi(void);
const struct smbios_info *hw_smbios(void);
/* The PCI ID database; its text is NULL when pci.ids was not on the boot volume. */
const struct pciids *hw_pciids(void);
/* Nanoseconds the PCI scan took at boot. */
uint64_t hw_pci_scan_ns(void);

/* core/hwcheck.c: hw.pci_rescan, hw.fb_after_scan, hw.iomem_tree (as tests= selects). */
void hw_checks(void);

/* Everything at boot: lspci, /proc/iomem, /proc/ioports, the ACPI list, the SMBIOS summary. Stamps hw_done. */
void report_hw(void);

#endif
