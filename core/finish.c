/* SPDX-License-Identifier: MIT */
/*
 * finish.c - the end of a run, as on_finish says:
 *   exit     - QEMU's isa-debug-exit port (QEMU exits with (code << 1) | 1);
 *              when no such device answers, fall back to shutdown
 *   shutdown - UEFI ResetSystem(EfiResetShutdown) on the runtime table; if
 *              that returns or faults, ACPI S5 through the FADT's PM1
 *              control registers and the DSDT's \_S5
 *   reboot   - UEFI ResetSystem(EfiResetCold); then the ACPI reset
 *              register, the keyboard controller, and a triple fault
 *   halt     - stop here with interrupts off (screen and monitor stay live)
 *   monitor  - the serial command monitor (core/report/monitor.c) until its
 *              shutdown or reboot command, which end the run as above
 * A panic halts unless on_finish=exit: a real machine keeps the message.
 */
#include "finish.h"

#include "acpi.h"
#include "efirt.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "monitor.h"
#include "serial.h"
#include "x86.h"

#define QEMU_DEBUG_EXIT_PORT 0xF4
#define KBC_STATUS_PORT 0x64
#define KBC_STATUS_IBF 0x02 /* input buffer full */
#define KBC_CMD_PULSE_RESET 0xFE
#define KBC_POLL_LIMIT 100000

static __attribute__((noreturn)) void halt_forever(void)
{
	for (;;) {
		cli();
		hlt();
	}
}

static int acpi_ready(struct acpi_info *ai)
{
	int err = acpi_init_kernel(ai);

	if (!g_boot || !g_boot->rsdp) {
		kprintf("finish: no ACPI RSDP from the firmware\n");
		return 0;
	}
	if (err && !ai->fadt) {
		kprintf("finish: ACPI tables unusable (%d)\n", err);
		return 0;
	}
	return 1;
}

static __attribute__((noreturn)) void acpi_poweroff(void)
{
	struct acpi_info ai;
	int err = -ENODEV;

	if (acpi_ready(&ai))
		err = acpi_shutdown(&ai);
	kprintf("finish: ACPI S5 power-off failed (%d); halting instead\n", err);
	serial_drain();
	halt_forever();
}

static void do_shutdown(void)
{
	kprintf("Atlas: powering off\n");
	serial_drain();
	efirt_reset(EFI_RESET_SHUTDOWN, acpi_poweroff);
}

static __attribute__((noreturn)) void legacy_reset(void)
{
	struct acpi_info ai;
	struct desc_ptr none = { 0, 0 };

	if (acpi_ready(&ai) && ai.reset_supported)
		acpi_reset(&ai);
	/* 8042 pulse-reset, after waiting (bounded) for its input buffer. */
	for (int i = 0; i < KBC_POLL_LIMIT && (inb(KBC_STATUS_PORT) & KBC_STATUS_IBF); i++)
		pause();
	outb(KBC_STATUS_PORT, KBC_CMD_PULSE_RESET);
	for (int i = 0; i < KBC_POLL_LIMIT; i++)
		pause();
	/* Last resort: an exception with no IDT is a triple fault, i.e. a reset. */
	lidt(&none);
	__asm__ volatile("int3");
	halt_forever();
}

static void do_reboot(void)
{
	kprintf("Atlas: rebooting\n");
	serial_drain();
	efirt_reset(EFI_RESET_COLD, legacy_reset);
}

void finish(unsigned code)
{
	enum on_finish how = g_boot ? g_boot->opts.on_finish : FINISH_HALT;

	serial_drain();
	if (how == FINISH_EXIT) {
		outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)code);
		kprintf("finish: no isa-debug-exit device answered; shutting down instead\n");
		do_shutdown();
	}
	if (code == EXIT_PANIC) {
		kprintf("Atlas: halted after panic\n");
		serial_drain();
		halt_forever();
	}
	if (how == FINISH_MONITOR)
		how = monitor_run(code);
	switch (how) {
	case FINISH_REBOOT:
		do_reboot();
		break;
	case FINISH_HALT:
		kprintf("Atlas: halted (on_finish=halt)\n");
		serial_drain();
		halt_forever();
		break;
	default:
		do_shutdown();
	}
	halt_forever();
}
