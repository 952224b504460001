/* SPDX-License-Identifier: MIT */
/* tsc.h - turning TSC ticks into time. */
#ifndef ATLAS_TSC_H
#define ATLAS_TSC_H

#include <stdint.h>

/*
 * Measure the TSC frequency against the PIT (channel 2, ~10 ms). Returns Hz,
 * or 0 when no PIT answered within a bounded wait. Under QEMU TCG the guest
 * TSC runs at the host's rate, so this gives real time.
 */
uint64_t tsc_calibrate(void);
/* The last calibration (0 before one). */
uint64_t tsc_hz(void);
/* ticks -> nanoseconds at tsc_hz(); 0 when uncalibrated. */
uint64_t tsc_to_ns(uint64_t ticks);

#endif
