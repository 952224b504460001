/* SPDX-License-Identifier: MIT */
/*
 * pci_cfg.h - PCI as a device driver (xHCI) sees it: a function found by
 * class code in the boot scan (include/pci.h, drivers/pci.c), and its
 * configuration dwords by bus/device/function in segment 0, through the
 * access method pci_init chose (ECAM or ports 0xCF8/0xCFC).
 */
#ifndef ATLAS_PCI_CFG_H
#define ATLAS_PCI_CFG_H

#include <stdint.h>

#include "pci.h"

/* bus << 8 | device << 3 | function */
#define PCI_BDF(bus, dev, fn) ((uint32_t)(bus) << 8 | (uint32_t)(dev) << 3 | (uint32_t)(fn))
#define PCI_BUS(bdf) (((bdf) >> 8) & 0xff)
#define PCI_DEV(bdf) (((bdf) >> 3) & 0x1f)
#define PCI_FN(bdf) ((bdf)&0x7)

#define PCI_COMMAND_MEMORY 0x0002
#define PCI_COMMAND_MASTER 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400

/* A function pci_find_class found. */
struct pci_fn {
	uint32_t bdf;
	uint16_t vendor, device;
	uint64_t bar0;	    /* physical address of the memory BAR 0 (64-bit BARs read whole); 0 if BAR 0 is I/O */
	uint64_t bar0_size; /* its size, from the standard sizing probe */
};

/* A dword of config space; all ones for a function the boot scan did not find. */
uint32_t pci_cfg_read32(uint32_t bdf, unsigned off);
/* Writes the whole dword (nothing for a function the scan did not find): callers read, change and write back. */
void pci_cfg_write32(uint32_t bdf, unsigned off, uint32_t v);

/*
 * The index-th function (0, 1, ...) of the boot scan whose class code is
 * cls/sub/progif, e.g. 0x0c/0x03/0x30 for an xHCI controller. Fills *out
 * (BAR 0 as the scan sized it). Returns 0, or -ENODEV when there is no such
 * function (or pci_init has not run).
 */
int pci_find_class(uint8_t cls, uint8_t sub, uint8_t progif, unsigned index, struct pci_fn *out);

#endif
