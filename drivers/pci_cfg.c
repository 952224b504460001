/* SPDX-License-Identifier: MIT */
/*
 * pci_cfg.c - legacy configuration mechanism #1 and a search by class code
 * (see pci_cfg.h). Scans every bus number with function 0 first; a device
 * whose header type has bit 7 set has functions 1..7 too. A vendor ID of
 * 0xffff means nothing answers there.
 */
#include "pci_cfg.h"

#include "kerrno.h"
#include "x86.h"

#define PCI_CONFIG_ADDRESS 0xCF8
#define PCI_CONFIG_DATA 0xCFC
#define PCI_CONFIG_ENABLE 0x80000000u
#define PCI_VENDOR_NONE 0xffff
#define PCI_ID 0x00
#define PCI_CLASS_REV 0x08
#define PCI_HEADER 0x0c
#define PCI_HEADER_MULTI 0x00800000u /* header type bit 7, in the dword at 0x0c */
#define PCI_BAR0 0x10
#define PCI_BAR1 0x14
#define PCI_BAR_IO 0x1
#define PCI_BAR_TYPE_MASK 0x6
#define PCI_BAR_TYPE_64 0x4
#define PCI_BAR_MEM_MASK 0xfffffff0u
#define PCI_BUSES 256
#define PCI_DEVICES 32
#define PCI_FUNCTIONS 8

static void select(uint32_t bdf, unsigned off)
{
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | bdf << 8 | (off & 0xfc));
}

uint32_t pci_cfg_read32(uint32_t bdf, unsigned off)
{
	select(bdf, off);
	return inl(PCI_CONFIG_DATA);
}

void pci_cfg_write32(uint32_t bdf, unsigned off, uint32_t v)
{
	select(bdf, off);
	outl(PCI_CONFIG_DATA, v);
}

/* Size a memory BAR the standard way: all ones, read back, restore; decoding off meanwhile. */
static void read_bar0(uint32_t bdf, struct pci_fn *f)
{
	uint32_t cmd = pci_cfg_read32(bdf, PCI_COMMAND) & 0xffff; /* status (W1C) written as 0 */
	uint32_t lo = pci_cfg_read32(bdf, PCI_BAR0), hi = 0, szlo, szhi = 0xffffffffu;
	int is64 = (lo & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64;

	f->bar0 = f->bar0_size = 0;
	if (lo & PCI_BAR_IO)
		return;
	if (is64)
		hi = pci_cfg_read32(bdf, PCI_BAR1);
	pci_cfg_write32(bdf, PCI_COMMAND, cmd & ~PCI_COMMAND_MEMORY);
	pci_cfg_write32(bdf, PCI_BAR0, 0xffffffffu);
	szlo = pci_cfg_read32(bdf, PCI_BAR0) & PCI_BAR_MEM_MASK;
	pci_cfg_write32(bdf, PCI_BAR0, lo);
	if (is64) {
		pci_cfg_write32(bdf, PCI_BAR1, 0xffffffffu);
		szhi = pci_cfg_read32(bdf, PCI_BAR1);
		pci_cfg_write32(bdf, PCI_BAR1, hi);
	}
	pci_cfg_write32(bdf, PCI_COMMAND, cmd);
	f->bar0 = (uint64_t)hi << 32 | (lo & PCI_BAR_MEM_MASK);
	if (szlo || (is64 && szhi))
		f->bar0_size = ~((uint64_t)szhi << 32 | szlo) + 1;
}

int pci_find_class(uint8_t cls, uint8_t sub, uint8_t progif, unsigned index, struct pci_fn *out)
{
	uint32_t want = (uint32_t)cls << 24 | (uint32_t)sub << 16 | (uint32_t)progif << 8;

	for (unsigned bus = 0; bus < PCI_BUSES; bus++) {
		for (unsigned dev = 0; dev < PCI_DEVICES; dev++) {
			unsigned nfn = 1;

			for (unsigned fn = 0; fn < nfn; fn++) {
				uint32_t bdf = PCI_BDF(bus, dev, fn), id = pci_cfg_read32(bdf, PCI_ID);

				if ((id & 0xffff) == PCI_VENDOR_NONE)
					continue;
				if (fn == 0 && (pci_cfg_read32(bdf, PCI_HEADER) & PCI_HEADER_MULTI))
					nfn = PCI_FUNCTIONS;
				if ((pci_cfg_read32(bdf, PCI_CLASS_REV) & 0xffffff00u) != want || index--)
					continue;
				out->bdf = bdf;
				out->vendor = (uint16_t)id;
				out->device = (uint16_t)(id >> 16);
				read_bar0(bdf, out);
				return 0;
			}
		}
	}
	return -ENODEV;
}
