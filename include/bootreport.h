/* SPDX-License-Identifier: MIT */
/* bootreport.h - the report printed right after ExitBootServices. */
#ifndef ATLAS_BOOTREPORT_H
#define ATLAS_BOOTREPORT_H

/* The firmware map (UEFI shell `memmap` style) and per-type totals. */
void report_memmap(void);
/* Where the kernel runs: load addresses, EBS tries, live RIP/RSP/CR3. */
void report_boot(void);
/*
 * The boot timeline from the TSC stamps: efi_main, final GetMemoryMap,
 * ExitBootServices, kernel entry, own page tables live, first ring-3
 * instruction; {"rec":"timeline"} with ns when the TSC is calibrated.
 */
void report_timeline(void);

/*
 * What the pre-boot menu (efi/menu.c, menu=on) did: {"rec":"menu"} with how
 * it ended and the words it appended to the options, and a human line when it
 * was shown.
 */
void report_menu(void);

/* Option warnings efi/ collected, replayed after the console changed hands. */
void report_option_warnings(void);

#endif
