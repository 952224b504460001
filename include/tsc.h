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
/* Take a rate measured elsewhere (drivers/clockcal.c) as the TSC's. */
void tsc_set_hz(uint64_t hz);

#define PIT_HZ 1193182ULL
/*
 * A measuring window on PIT channel 2 (speaker off): pit_window_start()
 * starts a count of 65,535 ticks at PIT_HZ, and pit_window_read() returns how
 * many have passed, or -1 once the count ran out (54.9 ms). Channel 2 is
 * the one tsc_calibrate() uses too: one at a time.
 */
void pit_window_start(void);
long pit_window_read(void);
/* ticks -> nanoseconds at tsc_hz(); 0 when uncalibrated. */
uint64_t tsc_to_ns(uint64_t ticks);

#endif
