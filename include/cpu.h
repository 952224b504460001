/* SPDX-License-Identifier: MIT */
/* cpu.h - CPU features Atlas reads with CPUID, and the control registers it set. */
#ifndef ATLAS_CPU_H
#define ATLAS_CPU_H

#include <stdint.h>

struct cpu_features {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping;
	uint32_t max_leaf, max_ext_leaf;
	uint8_t phys_bits, virt_bits;
	unsigned nx : 1, pdpe1gb : 1, pge : 1, pat : 1, smep : 1, smap : 1, umip : 1, la57 : 1, rdrand : 1, rdseed : 1,
		invariant_tsc : 1;
};

/* Read CPUID into the global feature set. Call once, early. */
void cpu_detect(void);
/* The feature set cpu_detect() found. */
const struct cpu_features *cpu(void);
/*
 * Turn on what Atlas uses where present: CR0.WP, CR4.PGE, SMEP, SMAP,
 * UMIP, EFER.NXE, and the PAT layout with WC at index 1 (PWT). Flushes
 * caches and the TLB when the PAT changes. Call on Atlas's own tables only.
 */
void cpu_enable_features(void);
/*
 * The PAT entry that holds write-combining once cpu_enable_features() ran
 * (1: PWT alone selects it, in 4 KiB and large pages alike), or -1 when the
 * CPU has no PAT.
 */
int cpu_pat_wc_entry(void);

#endif
