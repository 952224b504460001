/* SPDX-License-Identifier: MIT */
/*
 * cpu.c - what the processor offers (CPUID) and what Atlas turns on.
 */
#include "cpu.h"

#include "acpi.h"
#include "kvm.h"
#include "memlayout.h"

#include "json.h"
#include "kernel.h"
#include "kstring.h"
#include "paging.h"
#include "record.h"
#include "x86.h"

/*
 * PAT layout: the power-on default (WB, WT, UC-, UC, WB, WT, UC-, UC) with
 * entry 1 changed from WT to WC, as Linux does, so that PWT alone selects
 * write-combining in 4 KiB and large entries alike.
 */
#define PAT_UC 0x00ULL
#define PAT_WC 0x01ULL
#define PAT_WT 0x04ULL
#define PAT_WB 0x06ULL
#define PAT_UCMINUS 0x07ULL
#define PAT_ENTRY(i, t) ((t) << ((i)*8))
#define ATLAS_PAT                                                                                         \
	(PAT_ENTRY(0, PAT_WB) | PAT_ENTRY(1, PAT_WC) | PAT_ENTRY(2, PAT_UCMINUS) | PAT_ENTRY(3, PAT_UC) | \
	 PAT_ENTRY(4, PAT_WB) | PAT_ENTRY(5, PAT_WT) | PAT_ENTRY(6, PAT_UCMINUS) | PAT_ENTRY(7, PAT_UC))

#define CPUID_VENDOR 0x0U
#define CPUID_FEATURES 0x1U
#define CPUID_EXT_FEATURE_FLAGS 0x7U
#define CPUID_BRAND_FIRST 0x80000002U
#define CPUID_BRAND_LAST 0x80000004U
#define CPUID_POWER_MGMT 0x80000007U
#define CPUID_ADDR_SIZES 0x80000008U
#define CPUID_7_EBX_RDSEED (1U << 18)
#define CPUID_7_ECX_LA57 (1U << 16)
#define CPUID_80000007_EDX_INVTSC (1U << 8)

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

uint64_t cpu_pat_wc_bits(void)
{
	return pat_programmed ? PTE_PWT : 0;
}

void cpu_report(void)
{
	uint64_t cr0 = read_cr0(), cr3 = read_cr3(), cr4 = read_cr4(), efer = rdmsr(MSR_EFER);
	const char *brand = feat.brand;
	struct jrec r;

	while (*brand == ' ')
		brand++;
	if (report_human()) {
		kprintf("\nCPU: %s %s (family %u model %u stepping %u), %u-bit physical, %u-bit virtual\n", feat.vendor,
			brand, feat.family, feat.model, feat.stepping, feat.phys_bits, feat.virt_bits);
		kprintf("  features:%s%s%s%s%s%s%s%s%s%s\n", feat.nx ? " nx" : "", feat.pdpe1gb ? " pdpe1gb" : "",
			feat.pge ? " pge" : "", feat.pat ? " pat" : "", feat.smep ? " smep" : "",
			feat.smap ? " smap" : "", feat.umip ? " umip" : "", feat.la57 ? " la57" : "",
			feat.rdrand ? " rdrand" : "", feat.rdseed ? " rdseed" : "");
		kprintf("  CR0 %016llx  CR3 %016llx  CR4 %016llx  EFER %016llx\n", (unsigned long long)cr0,
			(unsigned long long)cr3, (unsigned long long)cr4, (unsigned long long)efer);
	}
	jrec_begin(&r, "cpu");
	jrec_str(&r, "vendor", feat.vendor);
	jrec_str(&r, "brand", brand);
	jrec_u64(&r, "phys_bits", feat.phys_bits);
	jrec_bool(&r, "nx", feat.nx);
	jrec_bool(&r, "pdpe1gb", feat.pdpe1gb);
	jrec_bool(&r, "pge", feat.pge);
	jrec_bool(&r, "pat", feat.pat);
	jrec_bool(&r, "smep", feat.smep);
	jrec_bool(&r, "smap", feat.smap);
	jrec_bool(&r, "umip", feat.umip);
	jrec_bool(&r, "la57", feat.la57);
	jrec_bool(&r, "rdrand", feat.rdrand);
	jrec_hex(&r, "cr0", cr0);
	jrec_hex(&r, "cr3", cr3);
	jrec_hex(&r, "cr4", cr4);
	jrec_hex(&r, "efer", efer);
	report_emit(&r);
}

static const void *direct(uint64_t phys)
{
	return PHYS_TO_DIRECT(phys);
}

void smp_report(void)
{
	struct acpi_info ai;
	int cpus = -1;
	struct jrec r;

	if (g_boot->rsdp && acpi_init(&ai, g_boot->rsdp, direct, kvm_direct_ok) >= 0)
		cpus = acpi_madt_cpus(&ai, direct);
	if (report_human()) {
		if (cpus > 0)
			kprintf("CPUs: %d in the ACPI MADT; Atlas runs on this one", cpus);
		else
			kprintf("CPUs: no usable MADT (%d); Atlas runs on this one", cpus);
		kprintf("%s\n", g_boot->ap_init_sent ?
					", the others were sent INIT after ExitBootServices and stay parked" :
					" (no APIC to park the others with)");
	}
	jrec_begin(&r, "smp");
	jrec_i64(&r, "cpus", cpus);
	jrec_bool(&r, "ap_init", (int)g_boot->ap_init_sent);
	report_emit(&r);
}
