/* SPDX-License-Identifier: MIT */
/*
 * pci_cfg.h - the little of PCI the xHCI driver needs until the PCI
 * enumerator lands: configuration space through the legacy 0xCF8/0xCFC
 * mechanism (PCI Local Bus 3.0, 3.2.2.3.2; QEMU's q35 and pc both have it),
 * and finding a function by class code. Meant to be replaced by the
 * enumerator's API: the driver calls pci_find_class and the two
 * accessors only.
 */
#ifndef ATLAS_PCI_CFG_H
#define ATLAS_PCI_CFG_H

#include <stdint.h>

/* bus << 8 | device << 3 | function */
#define PCI_BDF(bus, dev, fn) ((uint32_t)(bus) << 8 | (uint32_t)(dev) << 3 | (uint32_t)(fn))
#define PCI_BUS(bdf) (((bdf) >> 8) & 0xff)
#define PCI_DEV(bdf) (((bdf) >> 3) & 0x1f)
#define PCI_FN(bdf) ((bdf)&0x7)

#define PCI_COMMAND 0x04
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

uint32_t pci_cfg_read32(uint32_t bdf, unsigned off);
/* Writes the whole dword: callers read, change and write back. */
void pci_cfg_write32(uint32_t bdf, unsigned off, uint32_t v);

/*
 * The index-th function (0, 1, ...) on any bus whose class code is
 * cls/sub/progif, e.g. 0x0c/0x03/0x30 for an xHCI controller. Fills *out
 * (BAR 0 sized with memory decoding off for the probe, restored after).
 * Returns 0, or -ENODEV when there is no such function.
 */
int pci_find_class(uint8_t cls, uint8_t sub, uint8_t progif, unsigned index, struct pci_fn *out);

#endif
