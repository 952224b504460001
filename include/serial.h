/* SPDX-License-Identifier: MIT */
/*
 * serial.h - 16550 UART on an I/O port, polled. Every wait is bounded: a PC
 * without the UART must neither hang nor lose the rest of the output.
 */
#ifndef ATLAS_SERIAL_H
#define ATLAS_SERIAL_H

#include <stddef.h>
#include <stdint.h>

#define COM1_PORT 0x3F8

/*
 * Probe for a 16550 at port (scratch register, then loopback) and program it
 * for 115200 8N1 with FIFOs. Returns 0 when a UART answered, -ENODEV when
 * nothing did (the driver then stays silent).
 */
int serial_init(uint16_t port);

/*
 * The same for a memory-mapped 16550 (ACPI SPCR, serial=mmio:0xADDR): virt is
 * where the registers are mapped (uncached), phys their physical address (for
 * reports), stride 1 or 4 bytes between registers. Returns 0, -ENODEV or
 * -EINVAL (bad stride).
 */
int serial_init_mmio(uint64_t virt, uint64_t phys, unsigned stride);

/* Stop using the UART (serial=off). */
void serial_disable(void);

/* 1 when serial_init found a UART and it has not been disabled. */
int serial_present(void);

/* The I/O port in use, 0 when none (or when the UART is memory-mapped). */
uint16_t serial_port(void);
/* Physical address of the memory-mapped UART in use, 0 when none. */
uint64_t serial_mmio_base(void);

/*
 * Write n bytes, turning "\n" into "\r\n". Drops output when absent, and
 * while the port is stalled: two timeouts in one call stall it; the first
 * write after a quiet period (UART_QUIET_MS) or a received byte tries again.
 * Never waits longer than two bounded waits for LSR (100 ms each once the
 * TSC is calibrated).
 */
void serial_write(const char *s, size_t n);

/* What the UART went through (serial_get_stats). */
struct serial_stats {
	uint64_t timeouts;	/* waits for the transmitter that gave up */
	uint64_t stalls;	/* bursts that stalled the port */
	uint64_t recoveries;	/* stalls that ended (a quiet period passed, or a key came) */
	uint64_t dropped_bytes; /* bytes not sent because the port was stalled */
	int stalled;		/* stalled now */
};
void serial_get_stats(struct serial_stats *st);

/*
 * The TSC frequency: from then on each wait for the transmitter lasts at most
 * 100 ms by the clock (before: a count of polls), and the quiet period is
 * measured with it (before: assumes 1 GHz).
 */
void serial_set_tsc_hz(uint64_t hz);

/*
 * One received byte (0..255), or -1 when none is waiting, the byte arrived
 * damaged (parity or framing error, a break) or there is no UART. Never waits:
 * callers poll (with pause) and so stay in control of their own loop.
 */
int serial_read_byte(void);

/* Wait (bounded) until the transmitter is empty: call before power-off. */
void serial_drain(void);

/*
 * drivers/serialsel.c: choosing the console UART. serial_select_early(): the
 * port serial= names, or COM1 (serial=auto), probed; serial=off silences it.
 * serial_select_spcr(): after the kernel's tables exist, with serial=auto,
 * switch to the UART ACPI's SPCR names (I/O or MMIO) if it answers.
 * serial_source(): where the UART in use came from: "spcr", "com1",
 * "option", "off" or "none".
 */
void serial_select_early(void);
void serial_select_spcr(void);
const char *serial_source(void);

#endif
