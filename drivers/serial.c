/* SPDX-License-Identifier: MIT */
/*
 * serial.c - polled 16550 driver.
 *
 * Real PCs often have no COM1: port 0x3F8 then floats and reads 0xFF (or
 * 0x00), so a loop waiting for LSR.THRE would spin forever. The probe
 * checks the scratch register and a loopback round trip before the port is
 * used, and every wait afterwards gives up after a bounded number of polls;
 * after too many timeouts the port is dropped for good.
 */
#include "serial.h"

#include "kerrno.h"
#include "x86.h"

/* Register offsets (PC16550D data sheet). */
#define UART_THR 0 /* transmit holding (write, DLAB=0) */
#define UART_RBR 0 /* receive buffer (read, DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_SCR 7

#define LCR_8N1 0x03
#define LCR_DLAB 0x80
#define FCR_ENABLE 0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_TRIGGER_14 0xC0
#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define LSR_DR 0x01   /* data ready */
#define LSR_THRE 0x20 /* transmit holding register empty */
#define LSR_TEMT 0x40 /* transmitter empty */
/* Parity error, framing error or break: the byte at the head of the receive FIFO is bad. */
#define LSR_RX_BAD 0x1C

#define UART_CLOCK_DIV_115200 1
/* Polls of LSR before a byte is given up: ~100 ms on real hardware. */
#define UART_POLL_LIMIT 100000
#define UART_MAX_TIMEOUTS 8

static struct {
	uint16_t port;		/* I/O-port UART */
	volatile uint8_t *mmio; /* or memory-mapped UART (SPCR, serial=mmio:) */
	unsigned stride;	/* bytes between MMIO registers: 1 or 4 */
	uint64_t mmio_phys;
	int present;
	unsigned timeouts;
} uart;

/* The one place registers are touched, so the driver works on ports and MMIO alike. */
static uint8_t reg_in(unsigned reg)
{
	if (uart.mmio)
		return uart.stride == 4 ? (uint8_t) * (volatile uint32_t *)(uart.mmio + reg * 4) : uart.mmio[reg];
	return inb((uint16_t)(uart.port + reg));
}

static void reg_out(unsigned reg, uint8_t v)
{
	if (!uart.mmio)
		outb((uint16_t)(uart.port + reg), v);
	else if (uart.stride == 4)
		*(volatile uint32_t *)(uart.mmio + reg * 4) = v;
	else
		uart.mmio[reg] = v;
}

static int wait_lsr(uint8_t bit)
{
	for (int i = 0; i < UART_POLL_LIMIT; i++) {
		if (reg_in(UART_LSR) & bit)
			return 0;
		pause();
	}
	if (++uart.timeouts >= UART_MAX_TIMEOUTS)
		uart.present = 0;
	return -ETIMEDOUT;
}

/* Probe and program whatever uart now points at (port or MMIO). */
static int probe(void)
{
	uint8_t got;
	int i;

	uart.present = 0;
	uart.timeouts = 0;

	/* A floating bus cannot hold a value written to the scratch register. */
	reg_out(UART_SCR, 0x5A);
	if (reg_in(UART_SCR) != 0x5A)
		return -ENODEV;
	reg_out(UART_SCR, 0xA5);
	if (reg_in(UART_SCR) != 0xA5)
		return -ENODEV;

	reg_out(UART_IER, 0);
	reg_out(UART_LCR, LCR_DLAB);
	reg_out(UART_DLL, UART_CLOCK_DIV_115200);
	reg_out(UART_DLM, 0);
	reg_out(UART_LCR, LCR_8N1);
	reg_out(UART_FCR, FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER_14);

	/* Loopback: what we send must come back on the receive side. */
	reg_out(UART_MCR, MCR_LOOP | MCR_OUT1 | MCR_OUT2 | MCR_RTS);
	while (reg_in(UART_LSR) & LSR_DR)
		(void)reg_in(UART_RBR);
	reg_out(UART_THR, 0xAE);
	for (i = 0; i < UART_POLL_LIMIT && !(reg_in(UART_LSR) & LSR_DR); i++)
		pause();
	got = reg_in(UART_RBR);
	reg_out(UART_MCR, MCR_DTR | MCR_RTS | MCR_OUT2);
	if (i == UART_POLL_LIMIT || got != 0xAE)
		return -ENODEV;
	uart.present = 1;
	return 0;
}

int serial_init(uint16_t port)
{
	uart.port = port;
	uart.mmio = NULL;
	uart.mmio_phys = 0;
	return probe();
}

int serial_init_mmio(uint64_t virt, uint64_t phys, unsigned stride)
{
	if (stride != 1 && stride != 4)
		return -EINVAL;
	uart.port = 0;
	uart.mmio = (volatile uint8_t *)(uintptr_t)virt;
	uart.mmio_phys = phys;
	uart.stride = stride;
	return probe();
}

uint64_t serial_mmio_base(void)
{
	return uart.present && uart.mmio ? uart.mmio_phys : 0;
}

void serial_disable(void)
{
	uart.present = 0;
}

int serial_present(void)
{
	return uart.present;
}

uint16_t serial_port(void)
{
	return uart.present && !uart.mmio ? uart.port : 0;
}

static void put(char c)
{
	if (wait_lsr(LSR_THRE) == 0)
		reg_out(UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n && uart.present; i++) {
		if (s[i] == '\n')
			put('\r');
		put(s[i]);
	}
}

int serial_read_byte(void)
{
	uint8_t lsr;

	if (!uart.present)
		return -1;
	lsr = reg_in(UART_LSR);
	if (!(lsr & LSR_DR))
		return -1;
	/* A damaged byte (or a break's NUL) is read, which clears it, and dropped. */
	if (lsr & LSR_RX_BAD) {
		(void)reg_in(UART_RBR);
		return -1;
	}
	return reg_in(UART_RBR);
}

void serial_drain(void)
{
	if (uart.present)
		(void)wait_lsr(LSR_TEMT);
}
