/* SPDX-License-Identifier: MIT */
/*
 * vtscreen.h - the screen model's operations, shared by its two halves:
 * drivers/vt.c (the grid, text, controls, ESC sequences, modes) and
 * drivers/vt_csi.c (the CSI sequences). Not for other users: they go
 * through vt.h. Every operation keeps the cursor on the screen and marks
 * what it changed dirty; none clears wrap_pending unless it says so.
 */
#ifndef ATLAS_VTSCREEN_H
#define ATLAS_VTSCREEN_H

#include <stdint.h>

#include "vt.h"
#include "vtparse.h"

/* Rows [r0, r1) changed. */
void vt_touch(struct vt *vt, uint32_t r0, uint32_t r1);
/* Cells [c0, c1) of row r, and rows [r0, r1), blank in the current background. */
void vt_erase_cells(struct vt *vt, uint32_t r, uint32_t c0, uint32_t c1);
void vt_erase_rows(struct vt *vt, uint32_t r0, uint32_t r1);
/* Rows [top, bottom] up by n (n < 0: down), the rows that come in blank; hooks->scrolled first. */
void vt_scroll(struct vt *vt, uint32_t top, uint32_t bottom, int n);
/* The cursor to (c, r), clamped to the screen; clears wrap_pending. */
void vt_go(struct vt *vt, uint32_t c, uint32_t r);
/* Line feed (down, scrolling the region at its bottom) and reverse index (up, scrolling at its top). */
void vt_line_feed(struct vt *vt);
void vt_reverse_index(struct vt *vt);
/* n blanks at column c of the cursor's row, the cells after it moving right (the last ones lost). */
void vt_insert_cells(struct vt *vt, uint32_t c, uint32_t n);
/* One character at the cursor in the current colours, wrapping first when one is pending. */
void vt_print(struct vt *vt, uint32_t cp);
/* The cursor to the n-th next (previous) tab stop, or the last (first) column. */
void vt_tab_forward(struct vt *vt, uint32_t n);
void vt_tab_back(struct vt *vt, uint32_t n);
/* DECSC / DECRC, one slot per screen. */
void vt_save_cursor(struct vt *vt);
void vt_restore_cursor(struct vt *vt);
/* Show the alternate (alt 1) or main screen, blanking the one switched to when clear. */
void vt_use_screen(struct vt *vt, int alt, int clear);

/* drivers/vt_csi.c: act on one CSI sequence. */
void vt_csi(struct vt *vt, const struct vtp_action *a);
/* An answer for the host: fmt with up to two numbers, through hooks->reply. */
void vt_reply(struct vt *vt, const char *fmt, uint32_t a, uint32_t b);

#endif
