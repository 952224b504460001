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

/* Stop using the UART (serial=off, or after repeated timeouts). */
void serial_disable(void);

/* 1 when serial_init found a UART and it has not been disabled. */
int serial_present(void);

/* The port in use, 0 when none. */
uint16_t serial_port(void);

/* Write n bytes, turning "\n" into "\r\n". Drops output when absent. */
void serial_write(const char *s, size_t n);

/* Wait (bounded) until the transmitter is empty: call before power-off. */
void serial_drain(void);

#endif
