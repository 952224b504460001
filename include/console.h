/* SPDX-License-Identifier: MIT */
/*
 * console.h - where kprintf's text goes: a list of sinks (the UART, the
 * console log, the framebuffer console), fed in the order they were attached.
 *
 * The console log and the framebuffer console can only start once the page
 * allocator can give them memory (and the framebuffer is mapped), well after
 * the first lines are printed. So the console keeps the first
 * CONSOLE_EARLY_BYTES of its output, and a sink attached with replay gets
 * them first: the scrollback and the screen then hold the kernel's output
 * from its first line. core/lib/console.c.
 */
#ifndef ATLAS_CONSOLE_H
#define ATLAS_CONSOLE_H

#include <stddef.h>

#define CONSOLE_SINKS 4
#define CONSOLE_EARLY_BYTES 8192

/* Takes s[0..n), not NUL-terminated; must not print itself. */
typedef void (*console_sink_fn)(const char *s, size_t n);

/*
 * Add a sink. With replay, it first gets the kept early text (the first
 * CONSOLE_EARLY_BYTES written so far). Returns 0, or -ENOSPC when
 * CONSOLE_SINKS are attached already.
 */
int console_attach(console_sink_fn sink, int replay);

/*
 * Write s[0..n) to every sink, as kprintf does: for output that is not
 * formatted by kprintf, such as ring-3 programs' writes to the console.
 */
void console_write(const char *s, size_t n);

#endif
