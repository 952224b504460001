/* SPDX-License-Identifier: MIT */
/*
 * lapic.h - the local APIC of this CPU in xAPIC (MMIO) mode: the periodic
 * timer that drives preemptive scheduling, EOI, and the legacy 8259 PICs
 * remapped and masked out of the way. Names follow the Intel SDM Vol. 3A,
 * "Advanced Programmable Interrupt Controller (APIC)".
 *
 * Vectors Atlas uses:
 *   0x20       LAPIC_TIMER_VECTOR: the periodic timer; its handler calls
 *              lapic_tick() and lapic_eoi()
 *   0xFF       LAPIC_SPURIOUS_VECTOR: spurious interrupts, which take no EOI
 * The 8259 PICs are remapped to 0x20-0x2F (so that a spurious IRQ 7 or 15
 * cannot look like an exception), then every PIC line is masked, and so is
 * LINT0, the wire through which they reach the CPU. So the PICs can deliver
 * nothing, and the timer can reuse 0x20.
 *
 * Nothing here enables interrupts: the kernel does that when it enters ring 3.
 */
#ifndef ATLAS_LAPIC_H
#define ATLAS_LAPIC_H

#include <stdint.h>

/* IA32_APIC_BASE and the CPUID bits are include/x86.h's. */

/* xAPIC register offsets from the base ("Local APIC Register Address Map"): 32-bit registers, 16-byte aligned. */
#define LAPIC_MMIO_SIZE 0x1000
#define LAPIC_REG_ID 0x020
#define LAPIC_REG_VERSION 0x030
#define LAPIC_REG_TPR 0x080
#define LAPIC_REG_EOI 0x0B0
#define LAPIC_REG_SVR 0x0F0
#define LAPIC_REG_ISR0 0x100 /* in-service bits 31:0; ISR n at 0x100 + 0x10 * n, n = 0..7 */
#define LAPIC_REG_ESR 0x280
#define LAPIC_REG_LVT_CMCI 0x2F0
#define LAPIC_REG_LVT_TIMER 0x320
#define LAPIC_REG_LVT_THERMAL 0x330
#define LAPIC_REG_LVT_PERF 0x340
#define LAPIC_REG_LVT_LINT0 0x350
#define LAPIC_REG_LVT_LINT1 0x360
#define LAPIC_REG_LVT_ERROR 0x370
#define LAPIC_REG_TIMER_INIT 0x380
#define LAPIC_REG_TIMER_CUR 0x390
#define LAPIC_REG_TIMER_DIV 0x3E0
#define LAPIC_ISR_REGS 8
#define LAPIC_ISR_STRIDE 0x10

/* ID register: the xAPIC ID is bits 31:24. */
#define LAPIC_ID_SHIFT 24
/* Version register: version in bits 7:0, Max LVT Entry (entries - 1) in bits 23:16. */
#define LAPIC_VERSION_MASK 0xFFU
#define LAPIC_VERSION_MAXLVT_SHIFT 16
#define LAPIC_VERSION_MAXLVT_MASK 0xFFU
#define LAPIC_MAXLVT_PERF 4    /* P6 and later: performance-counter LVT */
#define LAPIC_MAXLVT_THERMAL 5 /* Pentium 4 and later: thermal-sensor LVT */
#define LAPIC_MAXLVT_CMCI 6    /* Nehalem and later: CMCI LVT */

/* Spurious-interrupt vector register ("Spurious Interrupt") */
#define LAPIC_SVR_VECTOR_MASK 0xFFU
#define LAPIC_SVR_ENABLE (1U << 8) /* APIC software enable */

/* Local vector table entries ("Local Vector Table") */
#define LAPIC_LVT_VECTOR_MASK 0xFFU
#define LAPIC_LVT_MASKED (1U << 16)
#define LAPIC_TIMER_ONESHOT (0U << 17)
#define LAPIC_TIMER_PERIODIC (1U << 17)
#define LAPIC_TIMER_TSC_DEADLINE (2U << 17)

/* Divide configuration register ("APIC Timer"): bits 0, 1 and 3. */
#define LAPIC_TIMER_DIV_16 0x3U
#define LAPIC_TIMER_DIVISOR 16

/* Atlas's vectors (see the table above). */
#define LAPIC_TIMER_VECTOR 0x20
#define LAPIC_SPURIOUS_VECTOR 0xFF
#define PIC_VECTOR_BASE 0x20 /* master IRQ 0-7 -> 0x20-0x27, slave IRQ 8-15 -> 0x28-0x2F; all masked */
#define PIC_VECTOR_COUNT 16

/* lapic_timer_start() accepts 1..LAPIC_TIMER_MAX_HZ ticks per second. */
#define LAPIC_TIMER_MAX_HZ 10000

/*
 * Bring up the local APIC of this CPU. Checks CPUID.1:EDX.APIC, reads
 * IA32_APIC_BASE and makes sure the APIC is globally enabled in xAPIC mode
 * (firmware that left x2APIC on is switched back through the disabled state,
 * the only legal x2APIC -> xAPIC path), maps the 4 KiB register page uncached as
 * "[lapic]", masks the timer, LINT0 (the PICs' ExtINT virtual wire), error,
 * performance-counter, thermal and CMCI entries (LINT1 keeps the firmware's
 * NMI setting), remaps the 8259 PICs to 0x20-0x2F and masks all their lines,
 * sets TPR = 0 and SVR = software enable | LAPIC_SPURIOUS_VECTOR, and drains
 * any in-service interrupt the firmware left behind (bounded EOIs). Safe to
 * call again (the mapping is kept). Interrupts are not enabled. Returns 0,
 * -ENODEV (no APIC, it cannot be enabled, or its registers read all-ones) or
 * -ENOMEM (the MMIO window could not map it).
 */
int lapic_init(void);

/*
 * A calibration window shared with the TSC's (drivers/clockcal.c): begin
 * starts the timer counting down from 2^32 - 1 (divide by 16, one-shot,
 * masked), stamping the TSC on both sides of the start; end reads the count,
 * likewise stamped, and takes counted / elapsed TSC time at tsc_freq as the
 * timer's rate. Each returns 0, -ENODEV (lapic_init() not done) or, for end,
 * -EIO (no window begun, the timer did not count, or the window is too long
 * to compute).
 */
int lapic_calib_begin(void);
int lapic_calib_end(uint64_t tsc_freq);
/* Take the timer's rate at divide-by-16 from elsewhere (the core crystal CPUID enumerates, / 16). */
void lapic_set_timer_hz(uint64_t hz);

/*
 * Run the timer periodic at hz on LAPIC_TIMER_VECTOR; when no window or
 * CPUID gave its rate, calibrate it first (divide by 16, one-shot and masked,
 * against the TSC over 10 ms, median of three runs; calls tsc_calibrate()
 * when tsc_hz() is 0). The interrupt
 * stays pending until the kernel enables interrupts. Returns 0, -ENODEV
 * (lapic_init() not done), -EINVAL (hz is 0, above LAPIC_TIMER_MAX_HZ or
 * above the timer's rate), -ERANGE (hz so low the count overflows 32 bits),
 * -ETIMEDOUT (no TSC frequency: the PIT did not answer) or -EIO (the timer
 * did not count, or the measurement was disturbed).
 */
int lapic_timer_start(unsigned hz);

/* Stop the timer: LVT masked, initial count 0. Keeps the calibration. */
void lapic_timer_stop(void);

/*
 * Signal end of interrupt for the vector in service (the timer's, say). Not
 * for LAPIC_SPURIOUS_VECTOR, which is never put in service.
 */
void lapic_eoi(void);

/* Count one timer interrupt; the handler of LAPIC_TIMER_VECTOR calls it. */
void lapic_tick(void);

/* Timer interrupts counted by lapic_tick() so far. */
uint64_t lapic_ticks(void);

/* The LAPIC ID of this CPU (from CPUID.1:EBX[31:24] before lapic_init()). */
uint32_t lapic_id(void);

/*
 * The timer's measured count rate in Hz: the bus clock divided by 16, i.e.
 * how fast the current-count register falls. 0 before calibration.
 */
uint64_t lapic_timer_hz(void);

/* Where the local APIC stands, for the report (core/report/hwreport.c). */
struct lapic_state {
	int ready;	   /* lapic_init() succeeded */
	uint64_t base;	   /* physical register page; 0 before lapic_init() mapped it */
	uint32_t id;	   /* lapic_id() */
	uint64_t timer_hz; /* lapic_timer_hz() */
	uint64_t tick_hz;  /* the periodic rate running now, 0 when stopped */
	uint64_t ticks;	   /* lapic_ticks() */
};
void lapic_state(struct lapic_state *st);

#endif
