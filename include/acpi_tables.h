/* SPDX-License-Identifier: MIT */
/*
 * acpi_tables.h - every ACPI table the firmware publishes, surveyed rather
 * than trusted: the list `acpidump -s` prints (each table's address, length,
 * revision, OEM fields and whether its checksum and structure hold), and the
 * hardware the tables describe that the physical address map needs: ECAM
 * windows (MCFG), the HPET, the local and I/O APICs (MADT) and the FADT's
 * fixed-hardware I/O blocks. Offsets follow ACPI 6.5 (5.2.5 RSDP, 5.2.6
 * headers, 5.2.9 FADT, 5.2.10 FACS, 5.2.12 MADT), the PCI Firmware
 * Specification 3.3 (4.1.2 MCFG) and the IA-PC HPET Specification 1.0a (3.2.4).
 *
 * Pure: tables are reached through the caller's phys_to_virt, each range
 * approved by ok() first; the host tests feed crafted tables.
 */
#ifndef ATLAS_ACPI_TABLES_H
#define ATLAS_ACPI_TABLES_H

#include <stdint.h>

#include "acpi.h"

#define ACPI_MAX_TABLES 64
#define ACPI_MAX_MCFG 8
#define ACPI_MAX_IOAPIC 8
#define ACPI_MAX_HPET 4
#define ACPI_MAX_FIXED_IO 8
#define ACPI_PROBLEM_LEN 64

/* One table as `acpidump -s` lists it. */
struct acpi_table_ent {
	char sig[5];
	char oem_id[7], oem_table_id[9], creator_id[5];
	uint8_t revision;
	uint8_t checksum;    /* as stored */
	uint8_t checksum_ok; /* the bytes sum to 0 (RSDP: both checksums); FACS has none: 1 */
	uint8_t want;	     /* the checksum byte that would make the sum 0 */
	uint8_t header;	     /* 0: RSDP / FACS (no standard header) */
	uint64_t phys;
	uint32_t length;
	uint32_t oem_revision, creator_revision;
	char problem[ACPI_PROBLEM_LEN]; /* "" or what is wrong: bad length, unreadable, malformed body */
};

struct acpi_mcfg_ent {
	uint64_t base;
	uint16_t seg;
	uint8_t bus_start, bus_end;
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t addr, gsi_base;
};

/* A fixed-hardware I/O block from the FADT (PM1a_EVT_BLK, PM_TMR_BLK, ...). */
struct acpi_fixed_io {
	const char *name; /* "PM1a_EVT_BLK" */
	uint16_t port, len;
};

struct acpi_survey {
	int ntables;
	struct acpi_table_ent t[ACPI_MAX_TABLES];
	int bad;     /* tables with a bad checksum or a problem */
	int dropped; /* tables past ACPI_MAX_TABLES, not listed (the root table says so) */
	int nmcfg;
	struct acpi_mcfg_ent mcfg[ACPI_MAX_MCFG];
	int nhpet;
	uint64_t hpet[ACPI_MAX_HPET];
	uint64_t lapic; /* MADT Local APIC address (or its 64-bit override); 0: no MADT */
	int nioapic;
	struct acpi_ioapic ioapic[ACPI_MAX_IOAPIC];
	int nfixed;
	struct acpi_fixed_io fixed[ACPI_MAX_FIXED_IO];
};

/* Sizes of what the tables point at (their specifications'). */
#define ACPI_HPET_MMIO_SIZE 0x400
#define ACPI_IOAPIC_MMIO_SIZE 0x400 /* what Linux reserves; the registers need 0x40 */
#define ACPI_LAPIC_MMIO_SIZE 0x1000
#define ACPI_ECAM_BUS_SIZE (1ULL << 20)

/*
 * Walk the RSDP at rsdp_phys, its XSDT (or RSDT), every table it lists, and
 * the DSDT and FACS the FADT points at; record each in s->t (zeroed first)
 * with its checksum verdict and any structural problem, and decode MCFG,
 * HPET, MADT and the FADT's I/O blocks from the tables that hold up. A table
 * that fails is listed, flagged and not decoded; the first valid FADT, MADT
 * and the valid MCFG entries win. Returns the number of tables listed, or
 * -ENOENT when there is no valid RSDP.
 */
int acpi_survey(struct acpi_survey *s, uint64_t rsdp_phys, const void *(*phys_to_virt)(uint64_t), acpi_phys_ok_fn ok);

/* The table with signature sig (the n-th of them, from 0) in s, or NULL. */
const struct acpi_table_ent *acpi_survey_find(const struct acpi_survey *s, const char *sig, int n);

#endif
