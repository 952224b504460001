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

#endif
