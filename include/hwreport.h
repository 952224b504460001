/* SPDX-License-Identifier: MIT */
/*
 * hwreport.h - the hardware reports (core/report/hwreport.c, usbreport.c,
 * conreport.c): a human line and a record each (docs/records.md).
 */
#ifndef ATLAS_HWREPORT_H
#define ATLAS_HWREPORT_H

#include "boot_info.h"

/* {"rec":"cpu"}: vendor, brand, features, CR0/CR3/CR4/EFER. */
void cpu_report(void);
/* {"rec":"smp"}: processors in the ACPI MADT, and whether efi/ parked the others with INIT. */
void smp_report(void);
/* {"rec":"serial"}: the console UART and where it came from. */
void serial_report(void);
/* {"rec":"ps2kbd"}: the PS/2 keyboard, present or not, and why (finds it first). */
void ps2kbd_report(void);
/* {"rec":"lapic"}: base, id, timer rate and divider, the periodic rate now, ticks so far. */
void lapic_report(void);
/* {"rec":"efirt"}: UEFI runtime services, regions mapped, Memory Attributes Table use. */
void efirt_report(void);
/* The "fb: ..." line (human only): the framebuffer console fbcon_init set up on bfb; nothing without one. */
void fb_report(const struct boot_fb *bfb);
/* {"rec":"xhci"} per controller and {"rec":"usb"} per device xhci_init_all found (usbreport.c). */
void usb_report(void);
/* {"rec":"conlog"}: what the console log holds and what keeping it cost (conreport.c). */
void conlog_report(void);

#endif
