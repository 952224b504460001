/* SPDX-License-Identifier: MIT */
/*
 * iomem.h - the machine's physical address map as one tree, like Linux's
 * resource tree behind /proc/iomem and /proc/ioports, built from every source
 * at once: the firmware memory map, the kernel's own pages inside RAM, ACPI
 * tables, the APICs and HPET, the ECAM window, PCI BARs and bridge windows,
 * the framebuffer and the boot flash.
 *
 * A pure mechanism: the inputs are plain ranges (core/iomemreport.c gathers
 * them from the kernel; tests/unit/test_iomem.c crafts them), the output a
 * flat pre-order list of nodes with their depth and what is wrong with them.
 * Nothing is hidden to make the tree tidy: a range that crosses another's
 * boundary stays where it starts and is flagged, as are BARs in RAM, BARs
 * outside their bridge's window, BARs overlapping each other, and MMIO the
 * firmware's memory map does not mention.
 */
#ifndef ATLAS_IOMEM_H
#define ATLAS_IOMEM_H

#include <stddef.h>
#include <stdint.h>

#define IOMEM_NAME 48

enum iomem_space { IOMEM_MEM, IOMEM_IO };

/* What a range is. The order is also the nesting preference for equal ranges (earlier = outer). */
enum iomem_kind {
	/* the firmware memory map */
	IOK_RAM,      /* System RAM */
	IOK_RESERVED, /* Reserved */
	IOK_ACPI,     /* ACPI Tables (reclaim) */
	IOK_NVS,      /* ACPI Non-volatile Storage */
	IOK_UNUSABLE,
	IOK_PMEM,
	IOK_RT_CODE, /* EFI runtime services code */
	IOK_RT_DATA,
	IOK_FW_MMIO, /* EfiMemoryMappedIO / port space */
	/* platform */
	IOK_FLASH, /* boot ROM / flash */
	IOK_ECAM,
	IOK_WINDOW, /* a PCI bridge window */
	IOK_BAR,
	IOK_ROM, /* an expansion ROM BAR */
	IOK_FB,
	IOK_LAPIC,
	IOK_IOAPIC,
	IOK_HPET,
	IOK_ACPI_TABLE,
	IOK_LEGACY, /* legacy I/O ports (PIC, PIT, keyboard, ...) and ACPI fixed blocks */
	/* the kernel inside RAM */
	IOK_KERNEL,
	IOK_PT,
	IOK_HEAP,
	IOK_STACK,
	IOK_KINDS
};

/* Flags on a node (iomem_node.flags). */
#define IOMEM_F_OVERLAP (1U << 0)	 /* crosses the boundary of a range it neither contains nor is inside */
#define IOMEM_F_BAR_IN_RAM (1U << 1)	 /* a BAR (or ROM) overlapping RAM of the firmware map */
#define IOMEM_F_OUTSIDE_WINDOW (1U << 2) /* a BAR or window not inside its upstream bridge's window */
#define IOMEM_F_BAR_OVERLAP (1U << 3)	 /* two BARs (or ROMs) share addresses */
#define IOMEM_F_NOT_IN_MEMMAP (1U << 4)	 /* MMIO the firmware memory map does not describe */
#define IOMEM_F_BEYOND_PHYS (1U << 5)	 /* above what the CPU's physical address width reaches */
#define IOMEM_FLAGS 6

#define IOMEM_NO_OWNER (-1)

struct iomem_in {
	uint64_t start, end; /* inclusive, as /proc/iomem prints them */
	uint8_t kind;	     /* enum iomem_kind */
	uint8_t space;	     /* enum iomem_space */
	/*
	 * For a BAR or a bridge window behind a bridge: the inputs (windows of
	 * the bridge above) it must lie within; either will do (a prefetchable
	 * 64-bit BAR may sit in the memory window). IOMEM_NO_OWNER: on a root bus.
	 */
	int16_t owner[2];
	int16_t pci; /* the PCI function index, or -1 */
	char name[IOMEM_NAME];
};

struct iomem_node {
	uint64_t start, end;
	uint8_t kind, space;
	uint8_t depth;	/* 0 = top level */
	int16_t parent; /* index into the output, -1 at the top */
	int16_t src;	/* index of the input */
	uint32_t flags;
	char name[IOMEM_NAME];
};

/*
 * Build the tree of the inputs in one space into out[0..cap), in pre-order
 * (what /proc/iomem prints top to bottom): sorted by start, a range that
 * contains the next one becomes its parent (for equal ranges, the earlier
 * kind is outer), and the checks above set the flags. phys_bits (0: no
 * check) is the CPU's physical address width. Empty ranges (end < start) are
 * dropped. Returns the node count, or -ENOSPC when cap was too small (the
 * first cap nodes are valid).
 */
int iomem_build(const struct iomem_in *in, int n, enum iomem_space space, unsigned phys_bits, struct iomem_node *out,
		int cap);

/*
 * The tree as Linux prints it: "%*s%0*llx-%0*llx : %s\n", two spaces of
 * indent per level (at most 5 levels, as Linux's MAX_IORES_LEVEL), the
 * addresses at least width hex digits (8 for iomem, 4 for ioports; wider
 * when needed). Writes like snprintf; returns the length needed.
 */
long iomem_format_nodes(const struct iomem_node *n, int count, int width, char *buf, size_t size);

/* "System RAM", "PCI BAR", ...: the kind's word in records ("ram", "bar", ...). Never NULL. */
const char *iomem_kind_name(unsigned kind);
/* The flags in words, comma separated ("bar_in_ram,not_in_memmap"); "" when none. Returns buf. */
const char *iomem_flags_str(uint32_t flags, char *buf, size_t size);
/* 1 for kinds that come from the firmware map. */
int iomem_kind_is_firmware(unsigned kind);
/* 1 for firmware-map kinds that are RAM (System RAM, ACPI, NVS, runtime, persistent). */
int iomem_kind_is_ram(unsigned kind);

#endif
