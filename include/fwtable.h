/* SPDX-License-Identifier: MIT */
/*
 * fwtable.h - reading firmware tables (ACPI, SMBIOS) as the byte arrays
 * they are: little-endian fields at any alignment, and the 8-bit sums their
 * checksums are defined by (ACPI 6.5 5.2.5.3 / 5.2.6, DSP0134 5.2: all bytes
 * of the structure, checksum included, add to 0 modulo 256).
 *
 * The one copy for the kernel's table parsers (drivers/acpi.c,
 * drivers/acpi_tables.c, drivers/smbios.c) and the firmware stage
 * (efi/hwfiles.c). Fields are copied out with memcpy because tables are
 * packed: a direct load of a misaligned uint32_t is undefined behaviour
 * (and UBSan says so in the host tests). x86 is little-endian, so the copy
 * is the value.
 */
#ifndef ATLAS_FWTABLE_H
#define ATLAS_FWTABLE_H

#include <stddef.h>
#include <stdint.h>

static inline uint16_t fw_le16(const uint8_t *p)
{
	uint16_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint32_t fw_le32(const uint8_t *p)
{
	uint32_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

static inline uint64_t fw_le64(const uint8_t *p)
{
	uint64_t v;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* The sum of p[0..len) modulo 256: 0 when a checksummed structure is intact. */
static inline uint8_t fw_sum8(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

#endif
