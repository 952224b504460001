/* SPDX-License-Identifier: MIT */
/*
 * clockcal.h - the TSC's and the local APIC timer's rates, measured once at
 * boot in one window that other boot work fills (drivers/clockcal.c).
 *
 * Sources, best first: CPUID leaves 0x15/0x16 (no measuring at all for the
 * TSC, and none for the LAPIC when the crystal is enumerated too); the ACPI
 * power-management timer (3.579545 MHz, an I/O port the FADT names); PIT
 * channel 2 (1.193182 MHz, at most 54.9 ms). The window is at least
 * CLOCKCAL_MIN_US long: clockcal_end() waits for the rest when the work in
 * between took less.
 */
#ifndef ATLAS_CLOCKCAL_H
#define ATLAS_CLOCKCAL_H

#include <stdint.h>

#define CLOCKCAL_MIN_US 2000

enum clockcal_source { CLOCKCAL_NONE, CLOCKCAL_CPUID, CLOCKCAL_ACPI_PM, CLOCKCAL_PIT, CLOCKCAL_PIT_FIXED };

struct clockcal_info {
	enum clockcal_source tsc_source; /* where the TSC rate came from */
	int lapic_from_cpuid;		 /* the LAPIC timer's rate is the enumerated crystal / 16 */
	uint16_t pm_port;		 /* the ACPI PM timer's port, when that was the reference */
	uint64_t window_ticks;		 /* the measuring window's length in TSC ticks (0: none) */
	uint64_t tsc_hz, lapic_hz;	 /* results; 0 = unknown */
	int lapic_err;			 /* lapic_calib_end()'s result */
};

/*
 * Open the window: CPUID first; otherwise stamp the reference clock and the
 * TSC, and start the LAPIC timer counting (lapic_init() must have run for
 * that; without it the LAPIC is left to lapic_timer_start's own runs). Needs
 * the direct map (the FADT is read through it). Interrupts off.
 */
void clockcal_begin(void);

/*
 * Close it: wait until it is CLOCKCAL_MIN_US long, read the reference and
 * the LAPIC timer, set tsc_set_hz() and the LAPIC timer's rate. When the PIT
 * window ran out (the work took over 54.9 ms), the TSC falls back to
 * tsc_calibrate()'s fixed 10 ms. Returns the TSC rate (0: none could be
 * measured).
 */
uint64_t clockcal_end(void);

/* What the window found, for the report. */
const struct clockcal_info *clockcal_info(void);

/* "cpuid", "acpi_pm", "pit", "pit_fixed" or "none". */
const char *clockcal_source_name(enum clockcal_source s);

#endif
