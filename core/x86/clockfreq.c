/* SPDX-License-Identifier: MIT */
/*
 * clockfreq.c - clock rates from CPUID leaves 0x15/0x16 (Intel SDM Vol. 2A,
 * CPUID, "Time Stamp Counter and Nominal Core Crystal Clock Information"
 * and "Processor Frequency Information"), and from counts.
 */
#include "clockfreq.h"

#include "kstring.h"
#include "x86.h"

uint64_t clock_from_cpuid(const struct cpuid_clock *c, uint64_t *crystal_hz)
{
	uint64_t crystal;

	*crystal_hz = 0;
	if (!c->intel || c->max_leaf < CPUID_TSC_LEAF || !c->l15_eax || !c->l15_ebx)
		return 0;
	crystal = c->l15_ecx;
	/* Leaf 0x15 without the crystal (Skylake, Kaby Lake): the base frequency is crystal x ratio. */
	if (!crystal && c->max_leaf >= CPUID_FREQ_LEAF)
		crystal = (uint64_t)c->l16_eax * 1000000ULL * c->l15_eax / c->l15_ebx;
	if (!crystal)
		return 0;
	*crystal_hz = crystal;
	return crystal * c->l15_ebx / c->l15_eax;
}

void clock_read_cpuid(struct cpuid_clock *c)
{
	uint32_t a, b, d, x;
	char vendor[12];

	memset(c, 0, sizeof(*c));
	cpuid(CPUID_VENDOR, 0, &a, &b, &x, &d);
	c->max_leaf = a;
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &x, 4);
	c->intel = !memcmp(vendor, "GenuineIntel", sizeof(vendor));
	if (c->max_leaf >= CPUID_TSC_LEAF)
		cpuid(CPUID_TSC_LEAF, 0, &c->l15_eax, &c->l15_ebx, &c->l15_ecx, &d);
	if (c->max_leaf >= CPUID_FREQ_LEAF)
		cpuid(CPUID_FREQ_LEAF, 0, &c->l16_eax, &b, &x, &d);
}

uint64_t clock_rate(uint64_t ticks, uint64_t ref_ticks, uint64_t ref_hz)
{
	if (!ref_ticks)
		return 0;
	return ticks * (ref_hz / ref_ticks) + ticks * (ref_hz % ref_ticks) / ref_ticks;
}
