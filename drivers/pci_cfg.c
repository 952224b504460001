/* SPDX-License-Identifier: MIT */
/*
 * pci_cfg.c - the kernel's config-space access and its PCI state.
 *
 * ECAM (PCIe 6.0 7.2.2) when the ACPI MCFG names windows: each bus is 1 MiB
 * of MMIO, mapped uncached through the kernel MMIO window the first time it
 * is touched, so a 256-bus window costs only the buses that exist. Without
 * an MCFG (QEMU's i440fx `-machine pc`, older PCs), configuration mechanism
 * #1: the address written to port 0xCF8, the data at 0xCFC (PCI 3.0 3.2.2.3.2),
 * used only after the Linux-style probe shows the ports behave; it reaches
 * the first 256 bytes of each function only.
 */
#include "pci_cfg.h"
#include "acpi_tables.h"
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "paging.h"
#include "pci.h"
#include "x86.h"

#define CONF1_ADDR 0xCF8
#define CONF1_DATA 0xCFC
#define CONF1_ENABLE 0x80000000U
#define CONF1_PROBE_BYTE 0xCFB
#define ECAM_DEV_SHIFT 15
#define ECAM_FN_SHIFT 12

struct ecam_win {
	struct pci_ecam w;
	uint64_t va[PCI_MAX_BUSES]; /* per bus: 0 not mapped yet, 1 mapping failed, else the VA */
};

static struct ecam_win ecam[ACPI_MAX_MCFG];
static struct pci_ecam ecam_pub[ACPI_MAX_MCFG];
static int necam;
static struct pci_scan *boot_scan; /* the boot enumeration, cut to its functions (scan_and_keep) */
static int ready;
static struct pci_access acc;
static struct pci_root roots[ACPI_MAX_MCFG];
static int nroots;

#define ECAM_FAILED 1

static struct ecam_win *ecam_for(uint16_t seg, uint8_t bus)
{
	for (int i = 0; i < necam; i++)
		if (ecam[i].w.seg == seg && bus >= ecam[i].w.bus_start && bus <= ecam[i].w.bus_end)
			return &ecam[i];
	return NULL;
}

/* The mapped bus, or 0 when it is outside every window or could not be mapped. */
static uint64_t ecam_bus(uint16_t seg, uint8_t bus)
{
	struct ecam_win *e = ecam_for(seg, bus);
	char name[KREGION_NAME];

	if (!e)
		return 0;
	if (!e->va[bus]) {
		uint64_t phys = e->w.base + ((uint64_t)(bus - e->w.bus_start) << 20), va;

		ksnprintf(name, sizeof(name), "[ecam %04x:%02x]", seg, bus);
		va = kvm_map_mmio(phys, ACPI_ECAM_BUS_SIZE, VM_READ | VM_WRITE | VM_UC, name);
		e->va[bus] = va ? va : ECAM_FAILED;
	}
	return e->va[bus] == ECAM_FAILED ? 0 : e->va[bus];
}

static uint32_t ecam_read(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width)
{
	uint64_t b = ecam_bus(seg, bus);
	volatile void *p;

	(void)ctx;
	if (!b || off >= PCIE_CFG_SIZE || (off & (width - 1)))
		return 0xFFFFFFFFU;
	p = (volatile void *)(uintptr_t)(b + ((uint64_t)dev << ECAM_DEV_SHIFT) + ((uint64_t)fn << ECAM_FN_SHIFT) + off);
	if (width == 1)
		return *(volatile uint8_t *)p;
	if (width == 2)
		return *(volatile uint16_t *)p;
	return *(volatile uint32_t *)p;
}

static void ecam_write(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width,
		       uint32_t v)
{
	uint64_t b = ecam_bus(seg, bus);
	volatile void *p;

	(void)ctx;
	if (!b || off >= PCIE_CFG_SIZE || (off & (width - 1)))
		return;
	p = (volatile void *)(uintptr_t)(b + ((uint64_t)dev << ECAM_DEV_SHIFT) + ((uint64_t)fn << ECAM_FN_SHIFT) + off);
	if (width == 1)
		*(volatile uint8_t *)p = (uint8_t)v;
	else if (width == 2)
		*(volatile uint16_t *)p = (uint16_t)v;
	else
		*(volatile uint32_t *)p = v;
}

static int ecam_bus_ok(void *ctx, uint16_t seg, uint8_t bus)
{
	(void)ctx;
	return ecam_bus(seg, bus) != 0;
}

static uint32_t conf1_addr(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
	return CONF1_ENABLE | (uint32_t)bus << 16 | (uint32_t)(dev & 0x1F) << 11 | (uint32_t)(fn & 7) << 8 |
	       (off & 0xFC);
}

static inline uint16_t conf1_inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static uint32_t conf1_read(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width)
{
	(void)ctx;
	if (seg || off >= PCI_CFG_SIZE || (off & (width - 1)))
		return 0xFFFFFFFFU;
	outl(CONF1_ADDR, conf1_addr(bus, dev, fn, off));
	if (width == 1)
		return inb((uint16_t)(CONF1_DATA + (off & 3)));
	if (width == 2)
		return conf1_inw((uint16_t)(CONF1_DATA + (off & 2)));
	return inl(CONF1_DATA);
}

static void conf1_write(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width,
			uint32_t v)
{
	(void)ctx;
	if (seg || off >= PCI_CFG_SIZE || (off & (width - 1)))
		return;
	outl(CONF1_ADDR, conf1_addr(bus, dev, fn, off));
	if (width == 1)
		outb((uint16_t)(CONF1_DATA + (off & 3)), (uint8_t)v);
	else if (width == 2)
		outw((uint16_t)(CONF1_DATA + (off & 2)), (uint16_t)v);
	else
		outl(CONF1_DATA, v);
}

/* Linux's pci_check_type1: 0xCF8 must hold a written enable bit (a floating port reads all-ones). */
static int conf1_present(void)
{
	uint32_t saved, v;

	outb(CONF1_PROBE_BYTE, 0x01);
	saved = inl(CONF1_ADDR);
	outl(CONF1_ADDR, CONF1_ENABLE);
	v = inl(CONF1_ADDR);
	outl(CONF1_ADDR, saved);
	return v == CONF1_ENABLE;
}

/*
 * The boot scan: into a whole struct pci_scan from the heap (PCI_MAX_FUNCS
 * functions, 124 KiB), kept as a copy of its header and the functions found
 * (a few KiB), so the kernel does not hold room for 256 functions it does
 * not have. Only f[0..nfuncs) of the copy exists. Returns pci_scan's result,
 * or -ENOMEM (then pci_state() stays NULL).
 */
static int scan_and_keep(const struct pci_access *a)
{
	struct pci_scan *full = kmalloc(sizeof(*full));
	size_t keep;
	int ret;

	if (!full)
		return -ENOMEM;
	ret = pci_scan(full, a, roots, a ? nroots : 0);
	keep = offsetof(struct pci_scan, f) + (size_t)full->nfuncs * sizeof(full->f[0]);
	kfree(boot_scan);
	boot_scan = kmalloc(keep);
	if (boot_scan)
		memcpy(boot_scan, full, keep);
	kfree(full);
	ready = boot_scan != NULL;
	return ready ? ret : -ENOMEM;
}

int pci_init(const struct acpi_survey *as)
{
	necam = 0;
	nroots = 0;
	for (int i = 0; as && i < as->nmcfg && necam < ACPI_MAX_MCFG; i++) {
		memset(&ecam[necam], 0, sizeof(ecam[necam]));
		ecam[necam].w.base = as->mcfg[i].base;
		ecam[necam].w.seg = as->mcfg[i].seg;
		ecam[necam].w.bus_start = as->mcfg[i].bus_start;
		ecam[necam].w.bus_end = as->mcfg[i].bus_end;
		ecam_pub[necam] = ecam[necam].w;
		roots[nroots].seg = as->mcfg[i].seg;
		roots[nroots].bus = as->mcfg[i].bus_start;
		nroots++;
		necam++;
	}
	if (necam) {
		acc = (struct pci_access){ "ECAM", 1, ecam_read, ecam_write, ecam_bus_ok, NULL };
	} else if (conf1_present()) {
		acc = (struct pci_access){ "conf1", 0, conf1_read, conf1_write, NULL, NULL };
		roots[0].seg = 0;
		roots[0].bus = 0;
		nroots = 1;
	} else {
		nroots = 0;
		return scan_and_keep(NULL) < 0 ? -ENOMEM : -ENODEV;
	}
	return scan_and_keep(&acc);
}

const struct pci_scan *pci_state(void)
{
	return ready ? boot_scan : NULL;
}

int pci_rescan(struct pci_scan *out)
{
	if (!ready || !nroots)
		return pci_scan(out, NULL, NULL, 0);
	return pci_scan(out, &acc, roots, nroots);
}

int pci_ecam_windows(const struct pci_ecam **out)
{
	*out = ecam_pub;
	return necam;
}

long pci_cfg_read(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width)
{
	if (!ready || !nroots || pci_find(boot_scan, seg, bus, dev, fn) < 0)
		return -1;
	if (off >= (acc.extended ? PCIE_CFG_SIZE : PCI_CFG_SIZE))
		return -1;
	return acc.read(acc.ctx, seg, bus, dev, fn, off, width);
}

/* ---- the drivers' view (include/pci_cfg.h): functions by class, config dwords by BDF ---- */

uint32_t pci_cfg_read32(uint32_t bdf, unsigned off)
{
	long v = pci_cfg_read(0, (uint8_t)PCI_BUS(bdf), (uint8_t)PCI_DEV(bdf), (uint8_t)PCI_FN(bdf), (uint16_t)off, 4);

	return v < 0 ? 0xFFFFFFFFU : (uint32_t)v;
}

void pci_cfg_write32(uint32_t bdf, unsigned off, uint32_t v)
{
	uint8_t bus = (uint8_t)PCI_BUS(bdf), dev = (uint8_t)PCI_DEV(bdf), fn = (uint8_t)PCI_FN(bdf);

	/* Only functions the boot scan found, in the space the access method reaches. */
	if (!ready || !nroots || pci_find(boot_scan, 0, bus, dev, fn) < 0 || (off & 3) ||
	    off >= (acc.extended ? PCIE_CFG_SIZE : PCI_CFG_SIZE))
		return;
	acc.write(acc.ctx, 0, bus, dev, fn, (uint16_t)off, 4, v);
}

int pci_find_class(uint8_t cls, uint8_t sub, uint8_t progif, unsigned index, struct pci_fn *out)
{
	const struct pci_scan *s = pci_state();

	for (int i = 0; s && i < s->nfuncs; i++) {
		const struct pci_func *f = &s->f[i];

		if (f->seg || f->class_code != cls || f->subclass != sub || f->prog_if != progif || index--)
			continue;
		out->bdf = PCI_BDF(f->bus, f->dev, f->fn);
		out->vendor = f->vendor;
		out->device = f->device;
		out->bar0 = out->bar0_size = 0;
		for (int b = 0; b < f->nbars; b++) {
			if (f->bar[b].index == 0 && f->bar[b].kind != PCI_BAR_IO) {
				out->bar0 = f->bar[b].base;
				out->bar0_size = f->bar[b].size;
			}
		}
		return 0;
	}
	return -ENODEV;
}
