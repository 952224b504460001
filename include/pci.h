/* SPDX-License-Identifier: MIT */
/*
 * pci.h - PCI enumeration: every function on every bus behind every host
 * bridge and PCI-to-PCI bridge, its BARs sized, its bridge windows and its
 * capabilities read. Register offsets and bits follow the PCI Local Bus 3.0
 * and PCI Express Base 6.0 specifications (config header 7.5.1, capabilities
 * 7.5.2, extended capabilities 7.6).
 *
 * The scan is a mechanism over a config-space accessor (struct pci_access):
 * the kernel passes ECAM (ACPI MCFG, drivers/pci_cfg.c) or the legacy
 * 0xCF8/0xCFC ports; the host tests pass a simulated config space. Nothing
 * here prints or formats: core/pcireport.c does.
 *
 * Config space is the firmware's and the devices': nothing read is trusted.
 * Every loop is bounded, capability pointers are checked for range and
 * loops, and an all-ones read means "nothing there".
 */
#ifndef ATLAS_PCI_H
#define ATLAS_PCI_H

#include <stddef.h>
#include <stdint.h>

/* Configuration header (PCI 3.0 6.1, PCIe 6.0 7.5.1) */
#define PCI_VENDOR_ID 0x00
#define PCI_DEVICE_ID 0x02
#define PCI_COMMAND 0x04
#define PCI_STATUS 0x06
#define PCI_REVISION 0x08
#define PCI_PROG_IF 0x09
#define PCI_SUBCLASS 0x0A
#define PCI_CLASS 0x0B
#define PCI_HEADER_TYPE 0x0E
#define PCI_BAR0 0x10
#define PCI_SUBSYS_VENDOR 0x2C
#define PCI_SUBSYS_ID 0x2E
#define PCI_ROM_BAR 0x30 /* type 0 */
#define PCI_CAP_PTR 0x34
#define PCI_IRQ_LINE 0x3C
#define PCI_IRQ_PIN 0x3D
/* Type 1 (bridge) header */
#define PCI_PRIMARY_BUS 0x18
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBORDINATE_BUS 0x1A
#define PCI_IO_BASE 0x1C
#define PCI_IO_LIMIT 0x1D
#define PCI_MEM_BASE 0x20
#define PCI_MEM_LIMIT 0x22
#define PCI_PREF_BASE 0x24
#define PCI_PREF_LIMIT 0x26
#define PCI_PREF_BASE_UPPER 0x28
#define PCI_PREF_LIMIT_UPPER 0x2C
#define PCI_IO_BASE_UPPER 0x30
#define PCI_IO_LIMIT_UPPER 0x32
#define PCI_BRIDGE_ROM_BAR 0x38
#define PCI_BRIDGE_CONTROL 0x3E

#define PCI_CMD_IO (1U << 0)
#define PCI_CMD_MEM (1U << 1)
#define PCI_CMD_MASTER (1U << 2)
#define PCI_CMD_INTX_DISABLE (1U << 10)
#define PCI_CMD_MASTER (1U << 2)
#define PCI_STATUS_CAP_LIST (1U << 4)
#define PCI_HEADER_MULTI 0x80
#define PCI_HEADER_LAYOUT 0x7F
#define PCI_HEADER_NORMAL 0
#define PCI_HEADER_BRIDGE 1
#define PCI_HEADER_CARDBUS 2
#define PCI_CLASS_BRIDGE 0x06
#define PCI_SUBCLASS_HOST 0x00

#define PCI_BAR_SPACE_IO 0x1U
#define PCI_BAR_MEM_TYPE_MASK 0x6U
#define PCI_BAR_MEM_TYPE_64 0x4U
#define PCI_BAR_MEM_PREFETCH 0x8U
#define PCI_BAR_MEM_MASK (~0xFULL)
#define PCI_BAR_IO_MASK (~0x3ULL)
#define PCI_ROM_ENABLE 0x1U
#define PCI_ROM_MASK (~0x7FFULL)
#define PCI_WIN_IO_32 0x1U   /* I/O window decodes 32 bits */
#define PCI_WIN_PREF_64 0x1U /* prefetchable window decodes 64 bits */

/* Capability IDs (PCI Code and ID Assignment 1.11, 2 and 3) */
#define PCI_CAP_ID_PM 0x01
#define PCI_CAP_ID_AGP 0x02
#define PCI_CAP_ID_VPD 0x03
#define PCI_CAP_ID_SLOTID 0x04
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_HT 0x08
#define PCI_CAP_ID_VENDOR 0x09
#define PCI_CAP_ID_DEBUG 0x0A
#define PCI_CAP_ID_HOTPLUG 0x0C
#define PCI_CAP_ID_SSVID 0x0D
#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_MSIX 0x11
#define PCI_CAP_ID_SATA 0x12
#define PCI_CAP_ID_AF 0x13
#define PCI_CAP_ID_EA 0x14
#define PCI_CAP_FIRST 0x40 /* capabilities live above the header */
#define PCI_CFG_SIZE 0x100
#define PCIE_CFG_SIZE 0x1000
#define PCIE_EXT_CAP_FIRST 0x100

/* Limits: what one scan records. */
#define PCI_MAX_FUNCS 256
#define PCI_MAX_BUSES 256
#define PCI_MAX_BARS 7 /* BAR0..BAR5 and the expansion ROM (index 6) */
#define PCI_ROM_INDEX 6
#define PCI_MAX_CAPS 32
#define PCI_MAX_DEPTH 16 /* bridges nested deeper are not followed */

/* Config-space access: 1, 2 or 4 bytes at an offset aligned to the width. */
struct pci_access {
	const char *name; /* "ECAM", "conf1" */
	int extended;	  /* offsets 0x100-0xFFF are reachable */
	/* all-ones for a function that does not exist; -1 from bus_ok: that bus cannot be reached */
	uint32_t (*read)(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width);
	void (*write)(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width,
		      uint32_t v);
	int (*bus_ok)(void *ctx, uint16_t seg, uint8_t bus); /* may be NULL: every bus */
	void *ctx;
};

enum pci_bar_kind { PCI_BAR_NONE, PCI_BAR_IO, PCI_BAR_MEM32, PCI_BAR_MEM64, PCI_BAR_MEM1M, PCI_BAR_ROM };

struct pci_bar {
	uint64_t base; /* address as programmed */
	uint64_t size; /* from the write-ones protocol; 0 = not implemented */
	uint8_t kind;  /* enum pci_bar_kind */
	uint8_t prefetch;
	uint8_t index;	 /* 0..5, PCI_ROM_INDEX for the ROM */
	uint8_t enabled; /* decoded now: command IO/MEM bit, and the ROM's enable bit */
};

/* A bridge's forwarding window; limit inclusive. */
struct pci_window {
	uint64_t base, limit;
	uint8_t valid; /* base <= limit: the bridge forwards the range */
	uint8_t wide;  /* 32-bit I/O or 64-bit prefetchable decode */
};

enum pci_window_kind { PCI_WIN_IO, PCI_WIN_MEM, PCI_WIN_PREF, PCI_WINDOWS };

struct pci_cap {
	uint16_t off; /* where in config space */
	uint16_t id;
	uint8_t ext;	 /* extended (PCIe) capability */
	uint8_t version; /* extended: the header's version */
};

/* What a capability walk ran into (pci_func.cap_problem). */
enum pci_cap_problem {
	PCI_CAPS_OK,
	PCI_CAPS_LOOP,	      /* a pointer led back to a capability already seen */
	PCI_CAPS_BAD_POINTER, /* a pointer into the header, or past the end */
	PCI_CAPS_TOO_MANY,    /* more than PCI_MAX_CAPS: the rest were not read */
};

struct pci_func {
	uint16_t seg;
	uint8_t bus, dev, fn;
	uint8_t header_type; /* the layout, PCI_HEADER_* (multi-function bit cleared) */
	uint8_t multi;	     /* function 0 said multi-function */
	uint16_t vendor, device;
	uint16_t sub_vendor, sub_device; /* 0 when the header has none */
	uint8_t class_code, subclass, prog_if, revision;
	uint16_t command, status;
	uint8_t irq_line, irq_pin;
	int parent; /* index of the bridge whose secondary bus this is on; -1: a root bus */
	uint8_t depth;
	uint8_t nbars;
	struct pci_bar bar[PCI_MAX_BARS];
	/* Type 1 only */
	uint8_t primary, secondary, subordinate;
	uint16_t bridge_control;
	struct pci_window win[PCI_WINDOWS];
	/* Capabilities, standard then extended, in list order. */
	uint8_t ncaps;
	uint8_t cap_problem; /* enum pci_cap_problem, of either list */
	uint16_t cap_problem_at;
	struct pci_cap cap[PCI_MAX_CAPS];
	/* Decoded from the capabilities, 0 when absent */
	uint8_t pcie_type; /* PCIe device/port type (7.5.3.2), +1 so 0 means not PCIe */
	uint8_t pm_state;  /* D-state + 1 from the PM capability */
	uint8_t msi_enabled, msix_enabled;
	uint16_t msix_table_size; /* entries */
	uint8_t msi_64;
	uint8_t link_speed, link_width; /* PCIe Link Status: speed code, width */
};

/* Why the scan stopped early, or what it refused to follow (pci_scan.problems). */
#define PCI_PROB_TOO_MANY (1U << 0)   /* more than PCI_MAX_FUNCS functions */
#define PCI_PROB_BUS_LOOP (1U << 1)   /* a bridge's secondary bus was already scanned */
#define PCI_PROB_TOO_DEEP (1U << 2)   /* bridges nested deeper than PCI_MAX_DEPTH */
#define PCI_PROB_BAD_BRIDGE (1U << 3) /* secondary <= primary, or subordinate < secondary */

struct pci_scan {
	const char *method; /* the accessor's name, "none" when there was none */
	int nfuncs;
	uint32_t problems; /* PCI_PROB_* */
	uint32_t cfg_reads, cfg_writes;
	struct pci_func f[PCI_MAX_FUNCS];
};

/* The root buses to start from: one per host bridge (segment, bus). */
struct pci_root {
	uint16_t seg;
	uint8_t bus;
};

/*
 * Scan every root bus in roots[0..nroots) and every bus below it through
 * bridges (as the firmware numbered them: nothing is renumbered) into *s
 * (zeroed first). For each function: its header, its BARs sized by writing
 * all-ones with the command register's I/O and memory decode off (every
 * register written is restored, the command register last), the expansion
 * ROM, the bridge windows and the capability lists. The caller keeps
 * interrupts off or knows nothing else touches these devices meanwhile;
 * nothing may draw on a framebuffer behind a BAR being sized. Returns the
 * number of functions found, or -EINVAL without an accessor.
 */
int pci_scan(struct pci_scan *s, const struct pci_access *acc, const struct pci_root *roots, int nroots);

/* The index of the function seg:bus:dev.fn in s, or -1. */
int pci_find(const struct pci_scan *s, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn);

/* 1 when a and b found the same functions with the same registers, BARs, windows and capabilities. */
int pci_scan_equal(const struct pci_scan *a, const struct pci_scan *b);

/*
 * 1 when b enumerates the same devices as a: pci_scan_equal, except for what
 * a driver owns once it has claimed a function (drivers/xhci.c turns on bus
 * mastering and INTx disable): the command register's bus-master and INTx
 * disable bits, the status register, the interrupt line, the MSI/MSI-X
 * enables. Otherwise *diff is the index in a of the first function that
 * differs (a->nfuncs when the counts or problems differ).
 */
int pci_scan_same_devices(const struct pci_scan *a, const struct pci_scan *b, int *diff);

/* Names for reports: "Power Management", "MSI", "Express", ...; NULL for IDs it does not know. */
const char *pci_cap_name(uint16_t id);
const char *pci_ext_cap_name(uint16_t id);
/* "Root Port", "Endpoint", ... for pci_func.pcie_type - 1; "?" when unknown. */
const char *pci_pcie_type_name(uint8_t type);

/* Which window of a bridge a BAR must fall in: PCI_WIN_IO, PCI_WIN_PREF (prefetchable 64-bit
 * BARs may also sit in MEM), or PCI_WIN_MEM; -1 for a BAR that needs no window (none, ROM off). */
int pci_bar_window(const struct pci_bar *b);

#ifndef ATLAS_HOST
/*
 * The kernel's PCI state (drivers/pci_cfg.c): pick the access method (ECAM
 * from the ACPI MCFG, else the 0xCF8/0xCFC ports when they answer), map ECAM
 * per bus on demand through the kernel MMIO window (uncached), and scan.
 * pci_init runs once at boot; pci_rescan scans again into a second buffer
 * (for the monitor and the stability self-test) without touching the first.
 */
struct acpi_survey;
int pci_init(const struct acpi_survey *as);
/* The boot scan, or NULL before pci_init. */
const struct pci_scan *pci_state(void);
/* Scan again into *out; returns pci_scan's result. */
int pci_rescan(struct pci_scan *out);
/* ECAM windows from MCFG as used (base, segment, bus range); count returned. */
struct pci_ecam {
	uint64_t base;
	uint16_t seg;
	uint8_t bus_start, bus_end;
};
int pci_ecam_windows(const struct pci_ecam **out);
/* Read config space of a function the boot scan found (the monitor's lspci -v hex); -1 on failure. */
long pci_cfg_read(uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width);
#endif

#endif
