/* SPDX-License-Identifier: MIT */
/*
 * tsc.c - the TSC's rate, and the 8254 PIT as a reference clock: a fixed
 * 10 ms calibration as Linux's pit_calibrate_tsc does (channel 2, gated by
 * port 0x61, mode 0, a poll of OUT2 until the count runs out), and an open
 * window on channel 2 that drivers/clockcal.c reads when it has no better
 * reference.
 */
#include "tsc.h"

#include "x86.h"

#define PIT_CH2_DATA 0x42
#define PIT_COMMAND 0x43
#define PIT_CMD_CH2_LOHI_MODE0 0xB0
#define PIT_CMD_CH2_LATCH 0x80 /* counter latch command for channel 2 */
#define PIT_WINDOW_COUNT 0xFFFFU
#define PORT_B 0x61
#define PORT_B_GATE2 0x01
#define PORT_B_SPEAKER 0x02
#define PORT_B_OUT2 0x20
#define CALIBRATE_MS 10
/* Give up after this many ticks (~10 s at 1 GHz): no PIT, no answer. */
#define CALIBRATE_TIMEOUT_TICKS 10000000000ULL

static uint64_t hz;

uint64_t tsc_calibrate(void)
{
	uint32_t count = (uint32_t)(PIT_HZ * CALIBRATE_MS / 1000);
	uint64_t t0, t1;

	outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
	outb(PIT_COMMAND, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2_DATA, count & 0xFF);
	outb(PIT_CH2_DATA, (count >> 8) & 0xFF);
	t0 = rdtsc();
	do {
		t1 = rdtsc();
		if (t1 - t0 > CALIBRATE_TIMEOUT_TICKS)
			return hz = 0;
	} while (!(inb(PORT_B) & PORT_B_OUT2));
	hz = (t1 - t0) * 1000 / CALIBRATE_MS;
	return hz;
}

void tsc_set_hz(uint64_t new_hz)
{
	hz = new_hz;
}

uint64_t tsc_hz(void)
{
	return hz;
}

void pit_window_start(void)
{
	outb(PORT_B, (inb(PORT_B) & ~(PORT_B_SPEAKER | PORT_B_GATE2)));
	outb(PIT_COMMAND, PIT_CMD_CH2_LOHI_MODE0);
	outb(PIT_CH2_DATA, PIT_WINDOW_COUNT & 0xFF);
	outb(PIT_CH2_DATA, PIT_WINDOW_COUNT >> 8);
	/* The gate's rising edge starts the count in mode 0. */
	outb(PORT_B, (inb(PORT_B) & ~PORT_B_SPEAKER) | PORT_B_GATE2);
}

long pit_window_read(void)
{
	uint8_t lo, hi;

	if (inb(PORT_B) & PORT_B_OUT2)
		return -1; /* the count ran out: more than 54.9 ms */
	outb(PIT_COMMAND, PIT_CMD_CH2_LATCH);
	lo = inb(PIT_CH2_DATA);
	hi = inb(PIT_CH2_DATA);
	return (long)(PIT_WINDOW_COUNT - (uint32_t)(lo | hi << 8));
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	if (!hz)
		return 0;
	/* Split to avoid overflow for large tick counts. */
	return ticks / hz * 1000000000ULL + ticks % hz * 1000000000ULL / hz;
}
