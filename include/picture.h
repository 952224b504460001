/* SPDX-License-Identifier: MIT */
/*
 * picture.h - the arithmetic behind the layout pictures (core/report/screen.c):
 * how many pixels each bar segment and each column box gets. Pure integer
 * code without the framebuffer, so the host tests check it exhaustively.
 */
#ifndef ATLAS_PICTURE_H
#define ATLAS_PICTURE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Split width pixels among n values in proportion (largest remainder): out[i]
 * is floor or ceil of width * v[i] / sum, and the out[] add up to exactly
 * width. Zero values get zero pixels. Returns 0, or -EINVAL when every value
 * is zero (out[] all zero then).
 */
int pic_bar_widths(const uint64_t *v, size_t n, uint32_t width, uint32_t *out);

/*
 * The weight of a size on a logarithmic axis: 1 + floor(log2(bytes / 4 KiB)),
 * so a 4 KiB page weighs 1 and a 128 TiB gap 36. 0 bytes weigh 1.
 */
uint32_t pic_log_weight(uint64_t bytes);

/*
 * Heights of n boxes stacked in a column of height pixels on a broken,
 * logarithmic axis: every box gets min_h, and what is left is shared in
 * proportion to pic_log_weight(size[i]). out[] adds up to exactly height.
 * Returns 0, or -ENOSPC when n * min_h > height (nothing written then).
 */
int pic_column_heights(const uint64_t *size, size_t n, uint32_t height, uint32_t min_h, uint32_t *out);

#endif
