/* SPDX-License-Identifier: MIT */
/*
 * unit.h - what the host unit tests share: cmocka's includes, the UEFI
 * memory-type shorthands of the memory-map tests, one pseudo-random
 * generator, and panic() for the code under test (tests/unit/unit_panic.c,
 * linked into the tests whose code can panic).
 */
#ifndef ATLAS_TESTS_UNIT_H
#define ATLAS_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "memmap.h"

/* ---- UEFI memory types and attributes, as the map tests write them ---------- */

#define PG(n) ((uint64_t)(n) << EFI_PAGE_SHIFT)
#define MiB(n) ((uint64_t)(n) << 20)
#define GiB(n) ((uint64_t)(n) << 30)

#define CONV EFI_CONVENTIONAL_MEMORY
#define RSVD EFI_RESERVED_MEMORY_TYPE
#define LCODE EFI_LOADER_CODE
#define LDATA EFI_LOADER_DATA
#define BSCODE EFI_BOOT_SERVICES_CODE
#define BSDATA EFI_BOOT_SERVICES_DATA
#define RTCODE EFI_RUNTIME_SERVICES_CODE
#define RTDATA EFI_RUNTIME_SERVICES_DATA
#define ACPI EFI_ACPI_RECLAIM_MEMORY
#define NVS EFI_ACPI_MEMORY_NVS
#define MMIO EFI_MEMORY_MAPPED_IO
#define UNUSABLE EFI_UNUSABLE_MEMORY
#define PERSIST EFI_PERSISTENT_MEMORY
#define UNACCEPTED EFI_UNACCEPTED_MEMORY

/* ---- xorshift64 (Marsaglia 2003): reproducible streams for randomized tests -- */

/* Step the generator whose state is *s (never 0) and return the new state. */
static inline uint64_t unit_xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* The test file's own stream. */
static inline uint64_t *unit_rng(void)
{
	static uint64_t state = 1;

	return &state;
}

static inline uint64_t unit_rnd(void)
{
	return unit_xorshift(unit_rng());
}

/* Restart the stream from seed s (any value, 0 included). */
static inline void unit_seed(uint64_t s)
{
	*unit_rng() = s * 0x9E3779B97F4A7C15ULL + 1;
	unit_rnd();
}

/* ---- panic() for the code under test (tests/unit/unit_panic.c) ---------------- */

#define UNIT_PANIC_MSG 512
extern jmp_buf unit_panic_jmp;
extern int unit_panic_armed;
extern char unit_panic_msg[UNIT_PANIC_MSG]; /* the last panic's message */

/*
 * Run stmt, which must panic: its message is then in unit_panic_msg. A panic
 * nobody armed fails the test.
 */
#define UNIT_EXPECT_PANIC(stmt)                              \
	do {                                                 \
		unit_panic_msg[0] = 0;                       \
		unit_panic_armed = 1;                        \
		if (!setjmp(unit_panic_jmp)) {               \
			stmt;                                \
			unit_panic_armed = 0;                \
			fail_msg("no panic from %s", #stmt); \
		}                                            \
	} while (0)

#endif
