/* SPDX-License-Identifier: MIT */
/*
 * serial.c - polled 16550 driver.
 *
 * Real PCs often have no COM1: port 0x3F8 then floats and reads 0xFF (or
 * 0x00), so a loop waiting for LSR.THRE would spin forever. The probe
 * checks the scratch register and a loopback round trip before the port is
 * used, and every wait afterwards gives up after a bounded number of polls.
 *
 * A port that was there can stop taking bytes for a while: a terminal that
 * stops reading (flow control, a host stall), a console server, QEMU's
 * chardev with nobody draining it. Timeouts are counted per burst (one
 * serial_write); a byte whose wait timed out is tried again, and the
 * UART_BURST_TIMEOUTS-th timeout in a burst marks the port stalled and
 * drops the rest of the burst, that byte included. While stalled, writes return at once (their
 * bytes are counted as dropped) until a quiet period has passed; then the
 * next write looks at LSR once, and goes on writing if the transmitter has
 * room. A byte arriving on the receive side ends the stall at once. So a
 * dead port costs one LSR read per quiet period, never a wait, and a port
 * that comes back is used again; the serial line says how much it missed.
 */
#include "serial.h"

#include "kerrno.h"
#include "kprintf.h"
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
#define UART_WAIT_MS 100      /* the same, by the clock, once serial_set_tsc_hz gave its rate */
#define UART_BURST_TIMEOUTS 2 /* timeouts in one burst that make the port count as stalled */
#define UART_QUIET_MS 500     /* a stalled port is looked at again after this long */
#define MS_PER_S 1000
/* Until serial_set_tsc_hz: a guess on the low side (a real 3 GHz TSC makes the quiet period shorter). */
#define UART_DEFAULT_TSC_HZ 1000000000ULL

static struct {
	uint16_t port;		/* I/O-port UART */
	volatile uint8_t *mmio; /* or memory-mapped UART (SPCR, serial=mmio:) */
	unsigned stride;	/* bytes between MMIO registers: 1 or 4 */
	uint64_t mmio_phys;
	int present;
	int stalled;		/* the last burst timed out: writes are dropped until the port answers */
	uint64_t stalled_since; /* TSC when it stalled (or was last found still stalled) */
	uint64_t tsc_hz;
	int tsc_known; /* tsc_hz is measured, not the default guess */
	struct serial_stats stats;
} uart = { .tsc_hz = UART_DEFAULT_TSC_HZ };

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

/*
 * Wait for an LSR bit: at most UART_WAIT_MS by the TSC once its rate is
 * known (a slow or descheduled CPU then waits no longer), UART_POLL_LIMIT
 * polls before that.
 */
static int wait_lsr(uint8_t bit)
{
	uint64_t end = uart.tsc_known ? rdtsc() + uart.tsc_hz / MS_PER_S * UART_WAIT_MS : 0;

	for (int i = 0; end || i < UART_POLL_LIMIT; i++) {
		if (reg_in(UART_LSR) & bit)
			return 0;
		if (end && rdtsc() > end)
			break;
		pause();
	}
	uart.stats.timeouts++;
	return -ETIMEDOUT;
}

static void stall(void)
{
	uart.stalled = 1;
	uart.stalled_since = rdtsc();
	uart.stats.stalls++;
}

/* The port answered again: say on it what it missed (the screen and its scrollback have it all). */
static void recover(void)
{
	char note[96];
	int n;

	n = ksnprintf(note, sizeof(note),
		      "\r\n[serial: the port stalled; %llu bytes of output were dropped so far]\r\n",
		      (unsigned long long)uart.stats.dropped_bytes);
	/* The note goes out whole, or the port is still stuck: then it stays stalled and says it next time. */
	for (int i = 0; i < n && i < (int)sizeof(note) - 1; i++) {
		if (wait_lsr(LSR_THRE)) {
			uart.stalled_since = rdtsc();
			return;
		}
		reg_out(UART_THR, (uint8_t)note[i]);
	}
	uart.stalled = 0;
	uart.stats.recoveries++;
}

/*
 * Whether a write may go ahead: 1 when the port is not stalled, or was
 * stalled and the quiet period is over and the transmitter has room again.
 */
static int writable(void)
{
	if (!uart.stalled)
		return 1;
	if (rdtsc() - uart.stalled_since < uart.tsc_hz / MS_PER_S * UART_QUIET_MS)
		return 0;
	if (!(reg_in(UART_LSR) & LSR_THRE)) {
		uart.stalled_since = rdtsc(); /* still stuck: another quiet period */
		return 0;
	}
	recover();
	return !uart.stalled;
}

/* Probe and program whatever uart now points at (port or MMIO). */
static int probe(void)
{
	uint8_t got;
	int i;

	uart.present = 0;
	uart.stalled = 0;

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

/*
 * One byte. A wait that times out is tried again with the same byte: only
 * when the burst reaches UART_BURST_TIMEOUTS does the port count as stalled
 * and the byte go (counted as dropped by serial_write, and said in the
 * stall note). Dropping it on the first timeout lost single characters
 * mid-record when QEMU's chardev reader was descheduled on a loaded host.
 * Returns 0, or -ETIMEDOUT when the port stalled. *timeouts counts the burst's.
 */
static int put(char c, unsigned *timeouts)
{
	while (wait_lsr(LSR_THRE) != 0) {
		if (++*timeouts >= UART_BURST_TIMEOUTS) {
			stall();
			return -ETIMEDOUT;
		}
	}
	reg_out(UART_THR, (uint8_t)c);
	return 0;
}

void serial_write(const char *s, size_t n)
{
	unsigned timeouts = 0;
	size_t i;

	if (!uart.present)
		return;
	if (!writable()) {
		uart.stats.dropped_bytes += n;
		return;
	}
	for (i = 0; i < n && !uart.stalled; i++) {
		if (s[i] == '\n')
			put('\r', &timeouts);
		if (!uart.stalled)
			put(s[i], &timeouts);
	}
	if (uart.stalled)
		uart.stats.dropped_bytes += n - i + 1;
}

void serial_set_tsc_hz(uint64_t hz)
{
	if (hz) {
		uart.tsc_hz = hz;
		uart.tsc_known = 1;
	}
}

void serial_get_stats(struct serial_stats *st)
{
	*st = uart.stats;
	st->stalled = uart.stalled;
}

int serial_read_byte(void)
{
	uint8_t lsr;

	if (!uart.present)
		return -1;
	lsr = reg_in(UART_LSR);
	if (!(lsr & LSR_DR))
		return -1;
	if (uart.stalled)
		recover(); /* someone typed: the line is alive */
	/* A damaged byte (or a break's NUL) is read, which clears it, and dropped. */
	if (lsr & LSR_RX_BAD) {
		(void)reg_in(UART_RBR);
		return -1;
	}
	return reg_in(UART_RBR);
}

void serial_drain(void)
{
	if (uart.present && !uart.stalled)
		(void)wait_lsr(LSR_TEMT);
}
