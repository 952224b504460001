/* SPDX-License-Identifier: MIT */
/*
 * kernel.h - what every kernel file needs: boot_info, linker symbols, kprintf
 * and kdebug. (panic() is core/x86's: include/panic.h.)
 */
#ifndef ATLAS_KERNEL_H
#define ATLAS_KERNEL_H

#include <stddef.h>
#include <stdint.h>

#include "boot_info.h"
#include "kprintf.h"

/* boot_info through the direct map; set first thing in kmain. */
extern struct boot_info *g_boot;

/* Section bounds from core/kernel.ld.S. */
extern char __kernel_start[], __kernel_end[];
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __bss_start[], __bss_end[];
/* A linker symbol as an address: the symbols are distinct objects to C. */
#define SYM(s) ((uint64_t)(uintptr_t)(s))

/* kvprintf for the console. */
int kvprintf(const char *fmt, va_list ap);

/* Informational output that only log=debug shows. */
void kdebug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* What uname and /proc/version call this kernel. */
#define ATLAS_SYSNAME "Atlas"
#define ATLAS_RELEASE "0.2"
#define ATLAS_VERSION "#1 Atlas bare-metal UEFI kernel"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
