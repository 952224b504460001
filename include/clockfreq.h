/* SPDX-License-Identifier: MIT */
/*
 * clockfreq.h - clock rates from CPUID, and from a count against a
 * reference clock. Pure arithmetic (the host tests build it);
 * drivers/clockcal.c does the measuring.
 */
#ifndef ATLAS_CLOCKFREQ_H
#define ATLAS_CLOCKFREQ_H

#include <stdint.h>

#define CPUID_TSC_LEAF 0x15U  /* EAX/EBX: TSC/crystal ratio; ECX: crystal Hz (0: not enumerated) */
#define CPUID_FREQ_LEAF 0x16U /* EAX: base frequency, MHz */

/* What clock_from_cpuid() reads: the vendor and leaves 0x0, 0x15 and 0x16 (absent leaves all zero). */
struct cpuid_clock {
	int intel; /* "GenuineIntel": other vendors' leaves 0x15/0x16 mean nothing here */
	uint32_t max_leaf;
	uint32_t l15_eax, l15_ebx, l15_ecx; /* denominator, numerator, crystal Hz */
	uint32_t l16_eax;		    /* base MHz */
};

/*
 * The TSC rate the CPU enumerates, as Linux's native_calibrate_tsc reads it:
 * crystal x EBX / EAX of leaf 0x15, the crystal taken from leaf 0x16's base
 * frequency when 0x15 leaves it out. Returns Hz, 0 when the leaves do not say;
 * *crystal_hz gets the core crystal (which clocks the local APIC timer on these
 * CPUs) or 0.
 */
uint64_t clock_from_cpuid(const struct cpuid_clock *c, uint64_t *crystal_hz);

/* Fill *c from the running CPU. */
void clock_read_cpuid(struct cpuid_clock *c);

/*
 * The rate of a counter that advanced `ticks` while a reference clock of
 * ref_hz advanced ref_ticks: ticks x ref_hz / ref_ticks, rounded down, without
 * a 128-bit product (exact while ticks x ref_ticks < 2^64). 0 when ref_ticks
 * is 0.
 */
uint64_t clock_rate(uint64_t ticks, uint64_t ref_ticks, uint64_t ref_hz);

/* How far a wrapping counter of `bits` bits went from a to b (b read after a, less than one wrap apart). */
static inline uint64_t clock_delta(uint64_t a, uint64_t b, unsigned bits)
{
	uint64_t mask = bits >= 64 ? ~0ULL : (1ULL << bits) - 1;

	return (b - a) & mask;
}

#endif
