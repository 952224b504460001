/* SPDX-License-Identifier: MIT */
/*
 * smbios.h - a summary of the SMBIOS tables (DMTF DSP0134 3.6): the entry
 * point (2.1 "_SM_" or 3.0 "_SM3_", 5.2), and what dmidecode's first pages
 * show: BIOS (type 0), system (1), baseboard (2), chassis (3), processors (4)
 * and memory devices (17).
 *
 * efi/ copies the entry point and the structure table out of firmware
 * memory before ExitBootServices; the parser reads the copy and trusts none
 * of it: lengths, string numbers and counts are checked, loops bounded.
 */
#ifndef ATLAS_SMBIOS_H
#define ATLAS_SMBIOS_H

#include <stddef.h>
#include <stdint.h>

#define SMBIOS_STR 64
#define SMBIOS_MAX_CPUS 8
#define SMBIOS_MAX_MEM 16
#define SMBIOS_EP_MAX 32

struct smbios_cpu {
	char socket[SMBIOS_STR], manufacturer[SMBIOS_STR], version[SMBIOS_STR];
	uint16_t max_mhz, cur_mhz;
	uint16_t cores, threads;
	uint8_t family;
};

struct smbios_mem {
	char locator[SMBIOS_STR], bank[SMBIOS_STR], manufacturer[SMBIOS_STR], serial[SMBIOS_STR], part[SMBIOS_STR];
	uint64_t size_kib; /* 0: no module installed */
	uint16_t speed_mts, configured_mts;
	uint8_t type; /* Memory Type (7.18.2): 0x1A DDR4, ... */
	uint8_t size_unknown;
};

struct smbios_info {
	int valid;
	uint8_t major, minor, docrev; /* SMBIOS version from the entry point */
	uint8_t ep3;		      /* 1: 3.0 entry point (64-bit), 0: 2.1 */
	uint64_t table_phys;	      /* the structure table's address as the entry point gives it */
	uint32_t table_len;	      /* its length (3.0: the maximum) */
	uint32_t nstructs;	      /* structures walked */
	char problem[96];	      /* "" or what was wrong (checksum, truncated structure, ...) */
	char bios_vendor[SMBIOS_STR], bios_version[SMBIOS_STR], bios_date[SMBIOS_STR];
	uint8_t bios_major, bios_minor;
	char sys_manufacturer[SMBIOS_STR], sys_product[SMBIOS_STR], sys_version[SMBIOS_STR], sys_serial[SMBIOS_STR];
	char sys_sku[SMBIOS_STR], sys_family[SMBIOS_STR];
	char sys_uuid[40];
	char board_manufacturer[SMBIOS_STR], board_product[SMBIOS_STR], board_version[SMBIOS_STR];
	char board_serial[SMBIOS_STR];
	char chassis_manufacturer[SMBIOS_STR];
	uint8_t chassis_type;
	int ncpus;
	struct smbios_cpu cpu[SMBIOS_MAX_CPUS];
	int nmem;
	struct smbios_mem mem[SMBIOS_MAX_MEM];
	uint64_t mem_total_kib;
};

/*
 * Check the entry point ep[0..ep_len) (anchor, length, checksums) and fill
 * the version and table address. Returns 0, or -EINVAL (info->problem says why).
 */
int smbios_parse_ep(const uint8_t *ep, size_t ep_len, struct smbios_info *info);

/*
 * Walk the structure table tab[0..len) (what the entry point points at) and
 * fill the summary; call after smbios_parse_ep. Stops at the end-of-table
 * structure (type 127), at the end of len, at the 2.1 entry point's count,
 * or at the first structure that does not fit (info->problem says so; what
 * came before is kept). A table that ends before its end-of-table structure
 * (and, for 2.1, before the count) is walked and flagged too. Returns the
 * number of structures walked.
 */
int smbios_parse_table(const uint8_t *tab, size_t len, struct smbios_info *info);

/* The memory type's name ("DDR4", "RAM", "Other", ...); "Unknown" for what it does not know. */
const char *smbios_mem_type_name(uint8_t type);

#endif
