/* SPDX-License-Identifier: MIT */
/*
 * cpu.c - what the processor offers (CPUID) and what Atlas turns on.
 */
#include "cpu.h"

#include "kernel.h"
#include "kstring.h"
#include "x86.h"

/*
 * PAT layout: the power-on default (WB, WT, UC-, UC, WB, WT, UC-, UC) with
 * entry 1 changed from WT to WC, as Linux does, so that PWT alone selects
 * write-combining in 4 KiB and large entries alike.
 */
#define PAT_WC_ENTRY 1
#define ATLAS_PAT                                                                                                    \
	(PAT_ENTRY(0, PAT_WB) | PAT_ENTRY(PAT_WC_ENTRY, PAT_WC) | PAT_ENTRY(2, PAT_UCMINUS) | PAT_ENTRY(3, PAT_UC) | \
	 PAT_ENTRY(4, PAT_WB) | PAT_ENTRY(5, PAT_WT) | PAT_ENTRY(6, PAT_UCMINUS) | PAT_ENTRY(7, PAT_UC))

static struct cpu_features feat;
static int pat_programmed;

static void wbinvd(void)
{
	__asm__ volatile("wbinvd" ::: "memory");
}

void cpu_detect(void)
{
	uint32_t a, b, c, d;

	memset(&feat, 0, sizeof(feat));
	cpuid(CPUID_VENDOR, 0, &a, &b, &c, &d);
	feat.max_leaf = a;
	memcpy(feat.vendor, &b, 4);
	memcpy(feat.vendor + 4, &d, 4);
	memcpy(feat.vendor + 8, &c, 4);
	cpuid(CPUID_FEATURES, 0, &a, &b, &c, &d);
	feat.stepping = a & 0xF;
	feat.model = ((a >> 4) & 0xF) | (((a >> 16) & 0xF) << 4);
	feat.family = ((a >> 8) & 0xF) + ((a >> 20) & 0xFF);
	feat.pge = !!(d & CPUID_1_EDX_PGE);
	feat.pat = !!(d & CPUID_1_EDX_PAT);
	feat.rdrand = !!(c & CPUID_1_ECX_RDRAND);
	if (feat.max_leaf >= CPUID_EXT_FEATURE_FLAGS) {
		cpuid(CPUID_EXT_FEATURE_FLAGS, 0, &a, &b, &c, &d);
		feat.smep = !!(b & CPUID_7_EBX_SMEP);
		feat.smap = !!(b & CPUID_7_EBX_SMAP);
		feat.rdseed = !!(b & CPUID_7_EBX_RDSEED);
		feat.umip = !!(c & CPUID_7_ECX_UMIP);
		feat.la57 = !!(c & CPUID_7_ECX_LA57);
	}
	cpuid(CPUID_EXT_BASE, 0, &a, &b, &c, &d);
	feat.max_ext_leaf = a;
	if (a >= CPUID_EXT_FEATURES) {
		cpuid(CPUID_EXT_FEATURES, 0, &a, &b, &c, &d);
		feat.nx = !!(d & CPUID_80000001_EDX_NX);
		feat.pdpe1gb = !!(d & CPUID_80000001_EDX_PDPE1GB);
	}
	if (feat.max_ext_leaf >= CPUID_BRAND_LAST) {
		for (uint32_t l = CPUID_BRAND_FIRST; l <= CPUID_BRAND_LAST; l++) {
			uint32_t r[4];
			cpuid(l, 0, &r[0], &r[1], &r[2], &r[3]);
			memcpy(feat.brand + (l - CPUID_BRAND_FIRST) * 16, r, 16);
		}
	}
	if (feat.max_ext_leaf >= CPUID_POWER_MGMT) {
		cpuid(CPUID_POWER_MGMT, 0, &a, &b, &c, &d);
		feat.invariant_tsc = !!(d & CPUID_80000007_EDX_INVTSC);
	}
	feat.phys_bits = 36;
	feat.virt_bits = 48;
	if (feat.max_ext_leaf >= CPUID_ADDR_SIZES) {
		cpuid(CPUID_ADDR_SIZES, 0, &a, &b, &c, &d);
		feat.phys_bits = a & 0xFF;
		feat.virt_bits = (a >> 8) & 0xFF;
	}
}

const struct cpu_features *cpu(void)
{
	return &feat;
}

void cpu_enable_features(void)
{
	uint64_t cr4 = read_cr4();

	write_cr0(read_cr0() | CR0_WP);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_NXE);
	if (feat.pge)
		cr4 |= CR4_PGE;
	if (feat.smep)
		cr4 |= CR4_SMEP;
	if (feat.smap)
		cr4 |= CR4_SMAP;
	if (feat.umip)
		cr4 |= CR4_UMIP;
	write_cr4(cr4);
	if (feat.pat && rdmsr(MSR_PAT) != ATLAS_PAT) {
		/* SDM 11.12.4: flush caches and TLBs around a PAT change. */
		wbinvd();
		wrmsr(MSR_PAT, ATLAS_PAT);
		wbinvd();
		write_cr3(read_cr3());
	}
	pat_programmed = feat.pat;
}

int cpu_pat_wc_entry(void)
{
	return pat_programmed ? PAT_WC_ENTRY : -1;
}
