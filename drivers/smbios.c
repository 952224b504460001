/* SPDX-License-Identifier: MIT */
/*
 * smbios.c - the SMBIOS entry point and structure table (include/smbios.h),
 * offsets from DSP0134 3.6: 5.2.1 / 5.2.2 entry points, 6.1 structures and
 * their string sets, 7.1 BIOS, 7.2 system, 7.3 baseboard, 7.4 chassis,
 * 7.5 processor, 7.18 memory device.
 */
#include "smbios.h"

#include <stdarg.h>

#include "fwtable.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"

#define EP2_ANCHOR "_SM_"
#define EP2_LEN_MIN 0x1F
#define EP2_DMI_ANCHOR "_DMI_"
#define EP2_OFF_LEN 5
#define EP2_OFF_MAJOR 6
#define EP2_OFF_MINOR 7
#define EP2_OFF_DMI 0x10
#define EP2_DMI_LEN 15
#define EP2_OFF_TABLE_LEN 0x16
#define EP2_OFF_TABLE 0x18
#define EP2_OFF_COUNT 0x1C
#define EP3_ANCHOR "_SM3_"
#define EP3_LEN_MIN 0x18
#define EP3_OFF_LEN 6
#define EP3_OFF_MAJOR 7
#define EP3_OFF_MINOR 8
#define EP3_OFF_DOCREV 9
#define EP3_OFF_MAXSIZE 12
#define EP3_OFF_TABLE 16

#define HDR_LEN 4
#define TYPE_BIOS 0
#define TYPE_SYSTEM 1
#define TYPE_BOARD 2
#define TYPE_CHASSIS 3
#define TYPE_CPU 4
#define TYPE_MEMDEV 17
#define TYPE_END 127
#define MAX_STRUCTS 4096
#define MEM_SIZE_UNKNOWN 0xFFFF
#define MEM_SIZE_EXTENDED 0x7FFF
#define MEM_SIZE_KIB (1U << 15)

static void problem(struct smbios_info *info, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct smbios_info *info, const char *fmt, ...)
{
	va_list ap;

	if (info->problem[0])
		return;
	va_start(ap, fmt);
	kvsnprintf(info->problem, sizeof(info->problem), fmt, ap);
	va_end(ap);
}

int smbios_parse_ep(const uint8_t *ep, size_t ep_len, struct smbios_info *info)
{
	memset(info, 0, sizeof(*info));
	if (ep && ep_len >= EP3_LEN_MIN && !memcmp(ep, EP3_ANCHOR, 5)) {
		uint8_t len = ep[EP3_OFF_LEN];

		if (len < EP3_LEN_MIN || len > ep_len || fw_sum8(ep, len)) {
			problem(info, "3.0 entry point: bad length %u or checksum", len);
			return -EINVAL;
		}
		info->ep3 = 1;
		info->major = ep[EP3_OFF_MAJOR];
		info->minor = ep[EP3_OFF_MINOR];
		info->docrev = ep[EP3_OFF_DOCREV];
		info->table_len = fw_le32(ep + EP3_OFF_MAXSIZE);
		info->table_phys = fw_le64(ep + EP3_OFF_TABLE);
	} else if (ep && ep_len >= EP2_LEN_MIN && !memcmp(ep, EP2_ANCHOR, 4)) {
		uint8_t len = ep[EP2_OFF_LEN];

		if (len < EP2_LEN_MIN || len > ep_len || fw_sum8(ep, len) ||
		    memcmp(ep + EP2_OFF_DMI, EP2_DMI_ANCHOR, 5) || fw_sum8(ep + EP2_OFF_DMI, EP2_DMI_LEN)) {
			problem(info, "2.1 entry point: bad length %u, anchor or checksum", len);
			return -EINVAL;
		}
		info->major = ep[EP2_OFF_MAJOR];
		info->minor = ep[EP2_OFF_MINOR];
		info->table_len = fw_le16(ep + EP2_OFF_TABLE_LEN);
		info->table_phys = fw_le32(ep + EP2_OFF_TABLE);
		info->nstructs = fw_le16(ep + EP2_OFF_COUNT); /* the limit; replaced by the count walked */
	} else {
		problem(info, "no SMBIOS entry point anchor");
		return -EINVAL;
	}
	info->valid = 1;
	return 0;
}

/* String n (1-based) of the structure at s (formatted length flen, strings up to end) into dst. */
static void str(const uint8_t *s, uint8_t flen, const uint8_t *end, uint8_t off, char *dst)
{
	const uint8_t *p = s + flen;
	uint8_t n;

	dst[0] = 0;
	if (off >= flen)
		return;
	n = s[off];
	if (!n)
		return;
	for (uint8_t i = 1; i < n && p < end; i++) {
		while (p < end && *p)
			p++;
		p++;
	}
	if (p >= end || !*p)
		return;
	for (size_t k = 0; k + 1 < SMBIOS_STR && p + k < end && p[k]; k++) {
		dst[k] = p[k] >= 0x20 && p[k] < 0x7f ? (char)p[k] : '.';
		dst[k + 1] = 0;
	}
}

static uint8_t byte_at(const uint8_t *s, uint8_t flen, uint8_t off)
{
	return off < flen ? s[off] : 0;
}

static uint16_t word_at(const uint8_t *s, uint8_t flen, uint8_t off)
{
	return off + 1 < flen ? fw_le16(s + off) : 0;
}

static void uuid(const uint8_t *u, char *dst, size_t size)
{
	/* DSP0134 7.2.1: the first three fields are little-endian (2.6 and later). */
	ksnprintf(dst, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[3], u[2], u[1],
		  u[0], u[5], u[4], u[7], u[6], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

static void memdev(struct smbios_info *info, const uint8_t *s, uint8_t flen, const uint8_t *end)
{
	struct smbios_mem *m;
	uint16_t size;

	if (info->nmem == SMBIOS_MAX_MEM)
		return;
	m = &info->mem[info->nmem++];
	str(s, flen, end, 0x10, m->locator);
	str(s, flen, end, 0x11, m->bank);
	str(s, flen, end, 0x17, m->manufacturer);
	str(s, flen, end, 0x18, m->serial);
	str(s, flen, end, 0x1A, m->part);
	m->type = byte_at(s, flen, 0x12);
	m->speed_mts = word_at(s, flen, 0x15);
	m->configured_mts = word_at(s, flen, 0x20);
	size = word_at(s, flen, 0x0C);
	if (size == MEM_SIZE_UNKNOWN)
		m->size_unknown = 1;
	else if (size == MEM_SIZE_EXTENDED && flen >= 0x20)
		m->size_kib = (uint64_t)(fw_le32(s + 0x1C) & 0x7FFFFFFFU) << 10;
	else if (size & MEM_SIZE_KIB)
		m->size_kib = size & ~MEM_SIZE_KIB;
	else
		m->size_kib = (uint64_t)size << 10;
	info->mem_total_kib += m->size_kib;
}

static void cpu(struct smbios_info *info, const uint8_t *s, uint8_t flen, const uint8_t *end)
{
	struct smbios_cpu *c;

	if (info->ncpus == SMBIOS_MAX_CPUS)
		return;
	c = &info->cpu[info->ncpus++];
	str(s, flen, end, 0x04, c->socket);
	str(s, flen, end, 0x07, c->manufacturer);
	str(s, flen, end, 0x10, c->version);
	c->family = byte_at(s, flen, 0x06);
	c->max_mhz = word_at(s, flen, 0x14);
	c->cur_mhz = word_at(s, flen, 0x16);
	c->cores = byte_at(s, flen, 0x23);
	c->threads = byte_at(s, flen, 0x25);
	if (c->cores == 0xFF && flen >= 0x2C)
		c->cores = word_at(s, flen, 0x2A);
	if (c->threads == 0xFF && flen >= 0x30)
		c->threads = word_at(s, flen, 0x2E);
}

static void one(struct smbios_info *info, const uint8_t *s, uint8_t flen, const uint8_t *end)
{
	switch (s[0]) {
	case TYPE_BIOS:
		str(s, flen, end, 0x04, info->bios_vendor);
		str(s, flen, end, 0x05, info->bios_version);
		str(s, flen, end, 0x08, info->bios_date);
		info->bios_major = byte_at(s, flen, 0x14);
		info->bios_minor = byte_at(s, flen, 0x15);
		break;
	case TYPE_SYSTEM:
		str(s, flen, end, 0x04, info->sys_manufacturer);
		str(s, flen, end, 0x05, info->sys_product);
		str(s, flen, end, 0x06, info->sys_version);
		str(s, flen, end, 0x07, info->sys_serial);
		str(s, flen, end, 0x19, info->sys_sku);
		str(s, flen, end, 0x1A, info->sys_family);
		if (flen >= 0x18)
			uuid(s + 0x08, info->sys_uuid, sizeof(info->sys_uuid));
		break;
	case TYPE_BOARD:
		str(s, flen, end, 0x04, info->board_manufacturer);
		str(s, flen, end, 0x05, info->board_product);
		str(s, flen, end, 0x06, info->board_version);
		str(s, flen, end, 0x07, info->board_serial);
		break;
	case TYPE_CHASSIS:
		str(s, flen, end, 0x04, info->chassis_manufacturer);
		info->chassis_type = byte_at(s, flen, 0x05) & 0x7F;
		break;
	case TYPE_CPU:
		cpu(info, s, flen, end);
		break;
	case TYPE_MEMDEV:
		memdev(info, s, flen, end);
		break;
	default:
		break;
	}
}

int smbios_parse_table(const uint8_t *tab, size_t len, struct smbios_info *info)
{
	uint32_t count = info->ep3 ? 0 : info->nstructs; /* 2.1: the entry point's count; 3.0 has none */
	uint32_t limit = count ? count : MAX_STRUCTS;
	size_t off = 0;
	uint32_t n = 0;
	int ended = 0;

	info->nstructs = 0;
	if (!tab || !info->valid)
		return 0;
	while (n < limit && off + HDR_LEN <= len) {
		const uint8_t *s = tab + off, *p, *end = tab + len;
		uint8_t flen = s[1];

		if (flen < HDR_LEN || off + flen > len) {
			problem(info, "structure %u (type %u) at offset %zu: length %u runs past the table", n, s[0],
				off, flen);
			break;
		}
		/* The string set ends with two NULs (a structure without strings has just those). */
		for (p = s + flen; p + 1 < end && (p[0] || p[1]); p++)
			;
		if (p + 1 >= end) {
			problem(info, "structure %u (type %u) at offset %zu: strings run past the table", n, s[0], off);
			break;
		}
		one(info, s, flen, p + 1);
		n++;
		off = (size_t)(p + 2 - tab);
		if (s[0] == TYPE_END) {
			ended = 1;
			break;
		}
	}
	/* Like dmidecode's "Wrong DMI structures count": a table cut short is said, not just shorter. */
	if (!ended && n < limit && count)
		problem(info, "table ends after %u of %u structures (no end-of-table structure)", n, count);
	else if (!ended && n < limit)
		problem(info, "table ends after %u structures (no end-of-table structure)", n);
	info->nstructs = n;
	return (int)n;
}

const char *smbios_mem_type_name(uint8_t type)
{
	static const char *const names[] = {
		[0x01] = "Other",  [0x02] = "Unknown", [0x03] = "DRAM",	  [0x04] = "EDRAM",
		[0x05] = "VRAM",   [0x06] = "SRAM",    [0x07] = "RAM",	  [0x08] = "ROM",
		[0x09] = "Flash",  [0x0A] = "EEPROM",  [0x0B] = "FEPROM", [0x0C] = "EPROM",
		[0x0D] = "CDRAM",  [0x0E] = "3DRAM",   [0x0F] = "SDRAM",  [0x10] = "SGRAM",
		[0x11] = "RDRAM",  [0x12] = "DDR",     [0x13] = "DDR2",	  [0x14] = "DDR2 FB-DIMM",
		[0x18] = "DDR3",   [0x19] = "FBD2",    [0x1A] = "DDR4",	  [0x1B] = "LPDDR",
		[0x1C] = "LPDDR2", [0x1D] = "LPDDR3",  [0x1E] = "LPDDR4", [0x1F] = "Logical non-volatile device",
		[0x20] = "HBM",	   [0x21] = "HBM2",    [0x22] = "DDR5",	  [0x23] = "LPDDR5",
		[0x24] = "HBM3",
	};

	return type < sizeof(names) / sizeof(names[0]) && names[type] ? names[type] : "Unknown";
}
