/* SPDX-License-Identifier: MIT */
/*
 * lapic.c - the local APIC in xAPIC mode: bring-up, the periodic timer for
 * preemptive scheduling, EOI; and the 8259 PICs, remapped and masked so they
 * can never deliver anything. Register names follow the Intel SDM Vol. 3A
 * (APIC chapter); the 8259 sequence follows the 8259A data sheet.
 *
 * Every register access goes through a volatile uint32_t pointer into the
 * uncached "[lapic]" page of the kernel MMIO window. Every wait is bounded:
 * calibration spins on the TSC for a fixed 10 ms, and the EOI drain issues
 * at most one EOI per vector.
 *
 * The timer is calibrated with divide-by-16, one-shot and masked (the
 * counter falls even when the LVT entry is masked), against the TSC: the TSC
 * is read on both sides of the initial-count write and of the current-count
 * read, and the midpoints bracket the counted interval, so slow MMIO exits
 * under a hypervisor do not bias the result. Normally that interval is the
 * boot's calibration window (drivers/clockcal.c), which other work fills;
 * without one, three fixed 10 ms runs and their median.
 *
 * This code never sets RFLAGS.IF.
 */
#include "lapic.h"

#include <stdint.h>

#include "clockfreq.h"
#include "kernel.h"
#include "kerrno.h"
#include "kvm.h"
#include "trap.h"
#include "tsc.h"
#include "x86.h"

/* core/x86/idt.c installs the gates under trap.h's names: both must agree with what is programmed here. */
#ifdef VEC_TIMER
_Static_assert(VEC_TIMER == LAPIC_TIMER_VECTOR, "trap.h VEC_TIMER != LAPIC_TIMER_VECTOR");
#endif
#ifdef VEC_SPURIOUS
_Static_assert(VEC_SPURIOUS == LAPIC_SPURIOUS_VECTOR, "trap.h VEC_SPURIOUS != LAPIC_SPURIOUS_VECTOR");
#endif

/* 8259A programmable interrupt controllers: master and slave. */
#define PIC1_CMD 0x20
#define PIC1_DATA 0x21
#define PIC2_CMD 0xA0
#define PIC2_DATA 0xA1
#define PIC_IO_WAIT_PORT 0x80 /* POST code port: a write takes ~1 us, time for an old PIC */
#define ICW1_ICW4 0x01	      /* ICW4 follows */
#define ICW1_INIT 0x10	      /* start initialization (edge triggered, cascaded, interval 8) */
#define ICW3_MASTER_SLAVE_ON_IRQ2 (1U << 2)
#define ICW3_SLAVE_ID 2 /* the slave's cascade identity: the master's IRQ 2 */
#define ICW4_8086 0x01	/* 8086/88 mode, normal EOI */
#define OCW1_MASK_ALL 0xFF
#define PIC_LINES 8

/* Calibration. */
#define LAPIC_CALIBRATE_MS 10
#define LAPIC_CALIBRATE_RUNS 3
#define LAPIC_CALIBRATE_COUNT 0xFFFFFFFFU
#define LAPIC_ALL_ONES 0xFFFFFFFFU /* what a read of a page with no device behind it returns */
#define LAPIC_VECTORS 256	   /* at most one EOI per vector drains every ISR bit */

static volatile uint32_t *regs; /* the mapped register page; NULL until first mapped */
static uint64_t regs_phys;
static int ready;		/* lapic_init() succeeded */
static uint64_t timer_hz;	/* counter rate at divide-by-16; 0 = not calibrated */
static uint64_t tick_hz;	/* periodic rate now running; 0 = stopped */
static volatile uint64_t ticks; /* written by the timer interrupt handler */
static uint64_t win_a, win_b;	/* TSC just before and after the window's initial-count write; 0: none */

static uint32_t lapic_read(uint32_t reg)
{
	return regs[reg / sizeof(uint32_t)];
}

static void lapic_write(uint32_t reg, uint32_t v)
{
	regs[reg / sizeof(uint32_t)] = v;
}

/*
 * Leave IA32_APIC_BASE globally enabled in xAPIC mode and put its value in
 * *msr. x2APIC -> xAPIC directly faults (#GP): go through the disabled state,
 * which also resets the APIC to its power-up state.
 */
static int enable_xapic(uint64_t *msr)
{
	uint64_t base = rdmsr(MSR_APIC_BASE);

	if (base & APIC_BASE_EXTD) {
		base &= ~(APIC_BASE_EXTD | APIC_BASE_ENABLE);
		wrmsr(MSR_APIC_BASE, base);
	}
	if (!(base & APIC_BASE_ENABLE)) {
		wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
		base = rdmsr(MSR_APIC_BASE);
	}
	if (!(base & APIC_BASE_ENABLE) || (base & APIC_BASE_EXTD))
		return -ENODEV;
	*msr = base;
	return 0;
}

/* Map the register page at phys, replacing a mapping of another page. */
static int map_regs(uint64_t phys)
{
	uint64_t va;

	if (regs && regs_phys == phys)
		return 0;
	if (regs) {
		kvm_unmap((uint64_t)(uintptr_t)regs, LAPIC_MMIO_SIZE);
		regs = NULL;
	}
	va = kvm_map_mmio(phys, LAPIC_MMIO_SIZE, VM_READ | VM_WRITE | VM_UC, "[lapic]");
	if (!va)
		return -ENOMEM;
	regs = (volatile uint32_t *)(uintptr_t)va;
	regs_phys = phys;
	return 0;
}

static void lvt_mask(uint32_t reg)
{
	lapic_write(reg, lapic_read(reg) | LAPIC_LVT_MASKED);
}

/*
 * Mask every local interrupt source Atlas does not handle, and the timer
 * until lapic_timer_start(). LINT0 is the PICs' ExtINT virtual wire; LINT1
 * keeps the firmware's NMI routing. Entries past Max LVT Entry do not exist.
 */
static void mask_lvts(void)
{
	uint32_t maxlvt = (lapic_read(LAPIC_REG_VERSION) >> LAPIC_VERSION_MAXLVT_SHIFT) & LAPIC_VERSION_MAXLVT_MASK;

	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_ONESHOT | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	lvt_mask(LAPIC_REG_LVT_LINT0);
	lvt_mask(LAPIC_REG_LVT_ERROR);
	if (maxlvt >= LAPIC_MAXLVT_PERF)
		lvt_mask(LAPIC_REG_LVT_PERF);
	if (maxlvt >= LAPIC_MAXLVT_THERMAL)
		lvt_mask(LAPIC_REG_LVT_THERMAL);
	if (maxlvt >= LAPIC_MAXLVT_CMCI)
		lvt_mask(LAPIC_REG_LVT_CMCI);
}

static void pic_io_wait(void)
{
	outb(PIC_IO_WAIT_PORT, 0);
}

/*
 * Reinitialize both 8259s with their vectors at PIC_VECTOR_BASE (so a
 * spurious IRQ 7 or 15 lands on 0x27 / 0x2F, not on an exception vector),
 * then mask every line. ICW1 clears the mask register, so the final OCW1
 * matters; LINT0 is masked before this, so nothing leaks out meanwhile.
 */
static void pic_disable(void)
{
	outb(PIC1_CMD, ICW1_INIT | ICW1_ICW4);
	pic_io_wait();
	outb(PIC2_CMD, ICW1_INIT | ICW1_ICW4);
	pic_io_wait();
	outb(PIC1_DATA, PIC_VECTOR_BASE);
	pic_io_wait();
	outb(PIC2_DATA, PIC_VECTOR_BASE + PIC_LINES);
	pic_io_wait();
	outb(PIC1_DATA, ICW3_MASTER_SLAVE_ON_IRQ2);
	pic_io_wait();
	outb(PIC2_DATA, ICW3_SLAVE_ID);
	pic_io_wait();
	outb(PIC1_DATA, ICW4_8086);
	pic_io_wait();
	outb(PIC2_DATA, ICW4_8086);
	pic_io_wait();
	outb(PIC1_DATA, OCW1_MASK_ALL);
	outb(PIC2_DATA, OCW1_MASK_ALL);
}

static int isr_pending(void)
{
	for (uint32_t i = 0; i < LAPIC_ISR_REGS; i++)
		if (lapic_read(LAPIC_REG_ISR0 + i * LAPIC_ISR_STRIDE))
			return 1;
	return 0;
}

/*
 * An interrupt the firmware left in service would block every vector of its
 * priority class and below. Each EOI clears the highest ISR bit.
 */
static void drain_isr(void)
{
	unsigned n = 0;

	while (n < LAPIC_VECTORS && isr_pending()) {
		lapic_write(LAPIC_REG_EOI, 0);
		n++;
	}
	if (n)
		kdebug("lapic: %u interrupt(s) left in service by the firmware, EOIed\n", n);
}

int lapic_init(void)
{
	uint32_t a, b, c, d, svr;
	uint64_t base;
	int err;

	cpuid(CPUID_FEATURES, 0, &a, &b, &c, &d);
	if (!(d & CPUID_1_EDX_APIC))
		return -ENODEV;
	ready = 0;
	err = enable_xapic(&base);
	if (err)
		return err;
	err = map_regs(base & APIC_BASE_ADDR_MASK);
	if (err)
		return err;
	if (lapic_read(LAPIC_REG_VERSION) == LAPIC_ALL_ONES)
		return -ENODEV;
	mask_lvts();
	tick_hz = 0;
	pic_disable();
	lapic_write(LAPIC_REG_TPR, 0);
	svr = lapic_read(LAPIC_REG_SVR) & ~LAPIC_SVR_VECTOR_MASK;
	lapic_write(LAPIC_REG_SVR, svr | LAPIC_SVR_ENABLE | LAPIC_SPURIOUS_VECTOR);
	drain_isr();
	ready = 1;
	return 0;
}

/*
 * One calibration run: the counter's rate in *hz, measured over
 * LAPIC_CALIBRATE_MS of TSC time at tsc_freq. Leaves the timer stopped.
 */
static int calibrate_once(uint64_t tsc_freq, uint64_t *hz)
{
	uint64_t wait = tsc_freq * LAPIC_CALIBRATE_MS / 1000;
	uint64_t t0a, t0b, t1a, t1b, dt;
	uint32_t cur, counted;

	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_ONESHOT | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV_16);
	t0a = rdtsc();
	lapic_write(LAPIC_REG_TIMER_INIT, LAPIC_CALIBRATE_COUNT);
	t0b = rdtsc();
	while (rdtsc() - t0a < wait)
		pause();
	t1a = rdtsc();
	cur = lapic_read(LAPIC_REG_TIMER_CUR);
	t1b = rdtsc();
	lapic_write(LAPIC_REG_TIMER_INIT, 0);

	counted = LAPIC_CALIBRATE_COUNT - cur;
	/* cur == 0: ran out (> 400 GHz, impossible); counted == 0: not counting. */
	if (!cur || !counted)
		return -EIO;
	/* Midpoint to midpoint; needs dt < 2^32 so the remainder product fits (about 1 s at 4 GHz). */
	dt = ((t1a - t0a) + (t1b - t0b)) / 2;
	if (!dt || dt > UINT32_MAX)
		return -EIO;
	*hz = clock_rate(counted, dt, tsc_freq);
	return 0;
}

int lapic_calib_begin(void)
{
	if (!ready)
		return -ENODEV;
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_ONESHOT | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV_16);
	win_a = rdtsc();
	lapic_write(LAPIC_REG_TIMER_INIT, LAPIC_CALIBRATE_COUNT);
	win_b = rdtsc();
	return 0;
}

int lapic_calib_end(uint64_t tsc_freq)
{
	uint64_t t1a, t1b, dt;
	uint32_t cur, counted;

	if (!ready)
		return -ENODEV;
	if (!win_a || !tsc_freq)
		return -EIO;
	t1a = rdtsc();
	cur = lapic_read(LAPIC_REG_TIMER_CUR);
	t1b = rdtsc();
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	counted = LAPIC_CALIBRATE_COUNT - cur;
	dt = ((t1a - win_a) + (t1b - win_b)) / 2;
	win_a = win_b = 0;
	/* dt < 2^32 keeps clock_rate exact (about 1.8 s at 2.3 GHz); a longer window leaves it to calibrate(). */
	if (!cur || !counted || !dt || dt > UINT32_MAX)
		return -EIO;
	timer_hz = clock_rate(counted, dt, tsc_freq);
	kdebug("lapic: timer %llu Hz at divide-by-%d over a %llu-tick window\n", (unsigned long long)timer_hz,
	       LAPIC_TIMER_DIVISOR, (unsigned long long)dt);
	return timer_hz ? 0 : -EIO;
}

void lapic_set_timer_hz(uint64_t hz)
{
	timer_hz = hz;
}

static int calibrate(void)
{
	uint64_t tsc_freq = tsc_hz(), run[LAPIC_CALIBRATE_RUNS], t;

	if (!tsc_freq)
		tsc_freq = tsc_calibrate();
	if (!tsc_freq)
		return -ETIMEDOUT;
	for (unsigned i = 0; i < LAPIC_CALIBRATE_RUNS; i++) {
		int err = calibrate_once(tsc_freq, &run[i]);

		if (err)
			return err;
	}
	/* Insertion sort, then take the median. */
	for (unsigned i = 1; i < LAPIC_CALIBRATE_RUNS; i++)
		for (unsigned j = i; j > 0 && run[j - 1] > run[j]; j--) {
			t = run[j];
			run[j] = run[j - 1];
			run[j - 1] = t;
		}
	timer_hz = run[LAPIC_CALIBRATE_RUNS / 2];
	kdebug("lapic: timer %llu Hz at divide-by-%d (runs %llu..%llu Hz, TSC %llu Hz)\n", (unsigned long long)timer_hz,
	       LAPIC_TIMER_DIVISOR, (unsigned long long)run[0], (unsigned long long)run[LAPIC_CALIBRATE_RUNS - 1],
	       (unsigned long long)tsc_freq);
	return 0;
}

int lapic_timer_start(unsigned hz)
{
	uint64_t count;
	int err;

	if (!ready)
		return -ENODEV;
	if (!hz || hz > LAPIC_TIMER_MAX_HZ)
		return -EINVAL;
	if (!timer_hz) {
		err = calibrate();
		if (err)
			return err;
	}
	count = (timer_hz + hz / 2) / hz;
	if (!count)
		return -EINVAL;
	if (count > UINT32_MAX)
		return -ERANGE;
	/* Stop, then divider, LVT (periodic, unmasked) and last the initial count, whose write starts it. */
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_ONESHOT | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	lapic_write(LAPIC_REG_TIMER_DIV, LAPIC_TIMER_DIV_16);
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_TIMER_PERIODIC | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_REG_TIMER_INIT, (uint32_t)count);
	tick_hz = (timer_hz + count / 2) / count;
	return 0;
}

void lapic_timer_stop(void)
{
	if (!ready)
		return;
	lapic_write(LAPIC_REG_LVT_TIMER, LAPIC_LVT_MASKED | LAPIC_TIMER_ONESHOT | LAPIC_TIMER_VECTOR);
	lapic_write(LAPIC_REG_TIMER_INIT, 0);
	tick_hz = 0;
}

void lapic_eoi(void)
{
	if (ready)
		lapic_write(LAPIC_REG_EOI, 0);
}

void lapic_tick(void)
{
	ticks = ticks + 1;
}

uint64_t lapic_ticks(void)
{
	return ticks;
}

uint32_t lapic_id(void)
{
	uint32_t a, b, c, d;

	if (ready)
		return lapic_read(LAPIC_REG_ID) >> LAPIC_ID_SHIFT;
	cpuid(CPUID_FEATURES, 0, &a, &b, &c, &d);
	return b >> CPUID_1_EBX_APIC_ID_SHIFT;
}

uint64_t lapic_timer_hz(void)
{
	return timer_hz;
}

void lapic_state(struct lapic_state *st)
{
	st->ready = ready;
	st->base = regs_phys;
	st->id = lapic_id();
	st->timer_hz = timer_hz;
	st->tick_hz = tick_hz;
	st->ticks = ticks;
}
