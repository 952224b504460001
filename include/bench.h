/* SPDX-License-Identifier: MIT */
/* bench.h - bench=on measurements, as {"rec":"bench"} records. */
#ifndef ATLAS_BENCH_H
#define ATLAS_BENCH_H

#include <stdint.h>

/*
 * With bench=on: calibrate the TSC, then report the kernel-table build time
 * (kvm_build_ticks, measured by the caller), page-table pages per TiB mapped,
 * and PMM and kmalloc/kfree cost per operation (medians of 5 runs).
 */
void bench_memory(uint64_t kvm_build_ticks);

/* One {"rec":"bench"} figure (and a table row with report=human); ops 0: not a per-operation figure. */
void bench_rec(const char *name, uint64_t value, const char *unit, uint64_t ops);

/*
 * core/selftest/mmbench.c, from bench_memory: what stays flat as the work grows. The
 * demand-fault cost (uvm_fault, the kernel's part of a fault) after 64 MiB
 * and after 1 GiB of one process's pages (skipped when RAM is short), and
 * the cost of creating the 1st and the 1,000th process in a row.
 */
void bench_scale(void);

#endif
