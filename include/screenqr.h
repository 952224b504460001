/* SPDX-License-Identifier: MIT */
/*
 * screenqr.h - the run's summary as QR codes on the layout screen
 * (core/report/screenqr.c).
 */
#ifndef ATLAS_SCREENQR_H
#define ATLAS_SCREENQR_H

#include <stddef.h>
#include <stdint.h>

/*
 * The summary as text: "tests: P passed, F failed", "failed: NAMES" (when
 * any), "RAM: BYTES bytes (SIZE)", "map: N regions, BYTES bytes described",
 * "CPU: VENDOR BRAND", "firmware: VENDOR rev 0xREV, UEFI M.m", "faults: N
 * caught in P processes", one per line. Writes like snprintf; returns the
 * length the whole text needs.
 */
size_t screenqr_text(char *buf, size_t size);

/*
 * Draw the summary as QR codes at the right end of the box (x, y, w, h),
 * taking at most half its width: one code, or up to four side by side when
 * one would be too fine (each part then starts "Atlas result i/n"). Emits a
 * {"rec":"qr"} record per code. Returns the width used (0: none fitted).
 */
uint32_t screenqr_draw(uint32_t x, uint32_t y, uint32_t w, uint32_t h);

#endif
