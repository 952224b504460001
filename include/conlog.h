/* SPDX-License-Identifier: MIT */
/*
 * conlog.h - the console log: every line the consoles showed during the run,
 * the firmware stage's included, kept for the scrollback (Shift+PgUp/PgDn on
 * the framebuffer console) and the monitor's `log` pager.
 *
 * A ring of text plus a ring of line starts, both given by the caller once
 * (the kernel takes them from the page allocator at boot, conlog_start):
 * when either fills, the oldest lines go. Lines are numbered from 0 at the
 * first byte ever written and keep their numbers; conlog_first() says which
 * is the oldest still kept.
 *
 * The console's bytes are text mixed with terminal controls and escape
 * sequences; the log keeps the text as a line-oriented terminal would show
 * it, and never a control or a sequence:
 *  - '\n' (and VT, FF) ends a line; text is kept as written (UTF-8, tabs);
 *  - the unfinished line is edited as the screen's row is: carriage return,
 *    backspace, cursor left/right/column (CUB, CUF, CHA), erase in line
 *    (EL, and ED 0), insert, delete and erase characters (ICH, DCH, ECH).
 *    So a line the shell's line editor redrew is kept as it was entered;
 *  - a move to another row (CUP, CUU, CUD, VPA, IL, DL, index, ...) ends the
 *    line, and what follows goes on a new one (a full-screen program's rows
 *    end up one per line);
 *  - on the alternate screen (CSI ? 1049 h, as vi and less use it) nothing
 *    is kept, as xterm keeps no scrollback there;
 *  - ED 3 (erase saved lines, as `clear` sends it) starts the scrollback
 *    anew (conlog_scroll_first); the log itself keeps everything;
 *  - colours, modes and reports are dropped.
 *
 * Single CPU, no locking; writers are the console sinks only.
 */
#ifndef ATLAS_CONLOG_H
#define ATLAS_CONLOG_H

#include <stddef.h>
#include <stdint.h>

/*
 * What the kernel gives it: 256 KiB of text and 4096 lines, whichever runs
 * out first (288 KiB of pages). Twice Debian's printk ring (CONFIG_LOG_BUF_SHIFT
 * 17) and four times xterm's 1024 saved lines; a report=both run of the whole
 * suite is about 1,800 lines and 140 KB. It was 2 MiB and 16384 lines (2176 KiB,
 * the largest part of the kernel's memory after boot: issue 17).
 */
#define CONLOG_TEXT_BYTES (256u << 10)
#define CONLOG_LINES 4096u

/*
 * Start (or start over) with text[0..text_cap) and starts[0..max_lines)
 * (max_lines >= 2). Everything before is forgotten.
 */
void conlog_setup(char *text, size_t text_cap, uint64_t *starts, size_t max_lines);

/* 1 once conlog_setup ran. */
int conlog_ready(void);

/* Append s[0..n). Does nothing before conlog_setup. */
void conlog_write(const char *s, size_t n);

/* The oldest line kept, and one past the newest (the unfinished line counts once it has a byte). */
uint64_t conlog_first(void);
uint64_t conlog_end(void);
/* The first line the scrollback shows: conlog_first, or the line after the last ED 3. */
uint64_t conlog_scroll_first(void);

/*
 * Copy line n (without its '\n') into buf[0..size), NUL-terminated and cut
 * to fit. Returns the line's whole length, or -1 when line n is not kept.
 */
long conlog_line(uint64_t n, char *buf, size_t size);

/*
 * The first line in [from, conlog_end()) (dir > 0, going forward) or in
 * [conlog_first(), from] (dir < 0, going back) that contains pat (ASCII
 * letters in any case). Returns its number, or -1 when none does.
 */
long long conlog_search(uint64_t from, int dir, const char *pat);

/* Bytes given to conlog_write since setup, and the capacities (for reports). */
uint64_t conlog_bytes_written(void);
size_t conlog_text_cap(void);
size_t conlog_lines_cap(void);

/*
 * drivers/conlog_boot.c, the kernel's part: take the rings (CONLOG_TEXT_BYTES
 * of text, CONLOG_LINES line starts) from the page allocator, keep
 * fwlog[0..n) (the firmware stage's log, NUL-terminated or n long) as the
 * first lines, then attach the log as a console sink with replay, so it holds
 * the run from its first line. Call once, when pmm_alloc_pages and the direct
 * map work. Returns 0, or -ENOMEM / -ENOSPC (said on the console; no
 * scrollback, no `log` then).
 */
int conlog_start(const char *fwlog, size_t n);
/* Bytes conlog_start took from the page allocator (0 without the log). */
size_t conlog_memory(void);
/* TSC ticks the console sink spent in conlog_write so far (what the scrollback costs in time). */
uint64_t conlog_sink_ticks(void);

#endif
