/* SPDX-License-Identifier: MIT */
/*
 * clockcal.c - one calibration window for the TSC and the LAPIC timer
 * (include/clockcal.h).
 *
 * Each end of the window reads the reference clock between two TSC reads;
 * the midpoint of the pair stands for the moment of the read, so a slow port
 * read (a VM exit, or the host descheduling QEMU) costs accuracy only by half
 * the pair's spread. Each end takes the best of CLOCKCAL_TRIES reads (the
 * tightest pair). Over the 2 ms minimum the PM timer's 0.28 us step and
 * read jitter of a few microseconds stay near 0.1 %; a longer window, as
 * the boot usually gives, does better.
 */
#include "clockcal.h"

#include "acpi.h"
#include "clockfreq.h"
#include "kernel.h"
#include "kstring.h"
#include "lapic.h"
#include "tsc.h"
#include "x86.h"

#define CLOCKCAL_TRIES 3
#define PM_MASK_BITS(ext) ((ext) ? 32U : 24U)

static struct clockcal_info info;
static struct {
	int open;	 /* a window is open */
	uint64_t ref_hz; /* the reference's rate */
	unsigned bits;	 /* its counter width */
	uint64_t ref0;	 /* its count at the start */
	uint64_t tsc0;	 /* the TSC then (midpoint) */
} win;

static uint64_t read_ref(void)
{
	if (info.tsc_source == CLOCKCAL_ACPI_PM)
		return inl(info.pm_port);
	return (uint64_t)pit_window_read(); /* -1 (ran out) becomes all ones: checked by the caller */
}

/* The reference count at the best of CLOCKCAL_TRIES reads, and the TSC midpoint of that read in *tsc. */
static uint64_t stamp(uint64_t *tsc)
{
	uint64_t best = ~0ULL, ref = 0;

	for (int i = 0; i < CLOCKCAL_TRIES; i++) {
		uint64_t a = rdtsc(), r = read_ref(), b = rdtsc();

		if (b - a < best) {
			best = b - a;
			ref = r;
			*tsc = a + (b - a) / 2;
		}
	}
	return ref;
}

void clockcal_begin(void)
{
	struct cpuid_clock c;
	struct acpi_info ai;
	uint64_t crystal;

	memset(&info, 0, sizeof(info));
	win.open = 0;
	clock_read_cpuid(&c);
	info.tsc_hz = clock_from_cpuid(&c, &crystal);
	if (info.tsc_hz) {
		info.tsc_source = CLOCKCAL_CPUID;
		tsc_set_hz(info.tsc_hz);
		if (crystal) {
			info.lapic_from_cpuid = 1;
			info.lapic_hz = crystal / LAPIC_TIMER_DIVISOR;
			lapic_set_timer_hz(info.lapic_hz);
			return;
		}
	} else if (acpi_init_kernel(&ai) >= 0 && ai.pm_tmr) {
		info.tsc_source = CLOCKCAL_ACPI_PM;
		info.pm_port = ai.pm_tmr;
		win.ref_hz = ACPI_PM_TIMER_HZ;
		win.bits = PM_MASK_BITS(ai.pm_tmr_32bit);
	} else {
		info.tsc_source = CLOCKCAL_PIT;
		win.ref_hz = PIT_HZ;
		win.bits = 64;
		pit_window_start();
	}
	info.lapic_err = lapic_calib_begin();
	if (info.tsc_source != CLOCKCAL_CPUID)
		win.ref0 = stamp(&win.tsc0);
	else
		win.tsc0 = rdtsc();
	win.open = 1;
}

uint64_t clockcal_end(void)
{
	uint64_t min_ref, ref1 = 0, tsc1 = 0, counted = 0;

	if (!win.open)
		return tsc_hz();
	win.open = 0;
	if (info.tsc_source == CLOCKCAL_CPUID) {
		/* The TSC is known: the window only times the LAPIC; make it CLOCKCAL_MIN_US of TSC time. */
		while (rdtsc() - win.tsc0 < info.tsc_hz / 1000000 * CLOCKCAL_MIN_US)
			pause();
		info.window_ticks = rdtsc() - win.tsc0;
	} else {
		min_ref = win.ref_hz * CLOCKCAL_MIN_US / 1000000;
		for (;;) {
			ref1 = stamp(&tsc1);
			if (info.tsc_source == CLOCKCAL_PIT && ref1 == ~0ULL)
				break;
			counted = clock_delta(win.ref0, ref1, win.bits);
			if (counted >= min_ref)
				break;
			pause();
		}
		if (info.tsc_source == CLOCKCAL_PIT && ref1 == ~0ULL) {
			/* The work in the window outlasted the PIT's count: measure again, the fixed way. */
			info.tsc_source = CLOCKCAL_PIT_FIXED;
			info.tsc_hz = tsc_calibrate();
		} else {
			info.window_ticks = tsc1 - win.tsc0;
			info.tsc_hz = clock_rate(info.window_ticks, counted, win.ref_hz);
			tsc_set_hz(info.tsc_hz);
		}
		if (!info.tsc_hz)
			info.tsc_source = CLOCKCAL_NONE;
	}
	if (!info.lapic_err)
		info.lapic_err = lapic_calib_end(info.tsc_hz);
	info.lapic_hz = lapic_timer_hz();
	return info.tsc_hz;
}

const struct clockcal_info *clockcal_info(void)
{
	return &info;
}

const char *clockcal_source_name(enum clockcal_source s)
{
	static const char *const names[] = { "none", "cpuid", "acpi_pm", "pit", "pit_fixed" };

	return (unsigned)s < ARRAY_SIZE(names) ? names[s] : "none";
}
