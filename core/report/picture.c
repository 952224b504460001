/* SPDX-License-Identifier: MIT */
/*
 * picture.c - proportional and logarithmic pixel budgets for the pictures.
 *
 * Proportional widths use the largest-remainder method, so a bar adds up to
 * its width exactly and no segment is more than one pixel from its true
 * share: the screendump tests measure segment widths against the memtype
 * records, and rounding every segment down would lose up to n pixels.
 */
#include "picture.h"

#include "kerrno.h"

#define PIC_MAX_PARTS 256 /* remainders kept on the stack */

/*
 * Share total pixels by weights w[] (largest remainder); the caller checks
 * sum > 0. The kernel has no 128-bit division (no libgcc), so weights are
 * scaled down until sum * total fits in 64 bits: that costs precision only
 * past 2^48 pages, far below a pixel.
 */
static void share(const uint64_t *w_in, size_t n, uint64_t sum, uint32_t total, uint32_t *out)
{
	uint64_t rem[PIC_MAX_PARTS], w[PIC_MAX_PARTS];
	uint32_t given = 0;
	unsigned shift = 0;

	while (total && (sum >> shift) > UINT64_MAX / total)
		shift++;
	sum = 0;
	for (size_t i = 0; i < n; i++) {
		w[i] = w_in[i] >> shift;
		if (w_in[i] && !w[i])
			w[i] = 1;
		sum += w[i];
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t p = w[i] * total;

		out[i] = (uint32_t)(p / sum);
		rem[i] = p % sum;
		given += out[i];
	}
	/* Hand the leftover pixels to the largest remainders, earliest first on ties. */
	while (given < total) {
		size_t best = n;

		for (size_t i = 0; i < n; i++)
			if (w[i] && (best == n || rem[i] > rem[best]))
				best = i;
		if (best == n)
			break;
		out[best]++;
		rem[best] = 0;
		given++;
	}
}

int pic_bar_widths(const uint64_t *v, size_t n, uint32_t width, uint32_t *out)
{
	uint64_t sum = 0;
	int big = 0;

	for (size_t i = 0; i < n; i++) {
		out[i] = 0;
		if (sum + v[i] < sum)
			big = 1;
		sum += v[i];
	}
	if (n > PIC_MAX_PARTS)
		return -EINVAL;
	if (big) {
		/* Sums past 2^64 (byte counts near the top of the address space): work in pages. */
		uint64_t w[PIC_MAX_PARTS];

		sum = 0;
		for (size_t i = 0; i < n; i++) {
			w[i] = v[i] >> 12;
			sum += w[i];
		}
		if (!sum)
			return -EINVAL;
		share(w, n, sum, width, out);
		return 0;
	}
	if (!sum)
		return -EINVAL;
	share(v, n, sum, width, out);
	return 0;
}

uint32_t pic_log_weight(uint64_t bytes)
{
	uint64_t pages = bytes >> 12;
	uint32_t w = 1;

	while (pages > 1) {
		pages >>= 1;
		w++;
	}
	return w;
}

int pic_column_heights(const uint64_t *size, size_t n, uint32_t height, uint32_t min_h, uint32_t *out)
{
	uint64_t w[PIC_MAX_PARTS], sum = 0;

	if (n > PIC_MAX_PARTS || (uint64_t)n * min_h > height)
		return -ENOSPC;
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		w[i] = pic_log_weight(size[i]);
		sum += w[i];
	}
	share(w, n, sum, height - (uint32_t)n * min_h, out);
	for (size_t i = 0; i < n; i++)
		out[i] += min_h;
	return 0;
}
