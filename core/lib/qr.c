/* SPDX-License-Identifier: MIT */
/*
 * qr.c - QR Code encoder (see qr.h). Section numbers are ISO/IEC 18004:2015.
 *
 *   7.4   data: mode indicator 0100 (byte), count (8 bits up to version 9,
 *         16 after), the bytes, terminator, pad bytes 0xEC 0x11
 *   7.5   Reed-Solomon over GF(2^8) with x^8+x^4+x^3+x^2+1, generator
 *         roots alpha^0..alpha^(n-1)
 *   7.6   blocks interleaved, data then error correction (table 9, level M)
 *   7.7   function patterns, codewords placed in two-module columns from the
 *         bottom right, skipping the vertical timing column
 *   7.8   the mask with the lowest penalty (rules N1..N4)
 *   7.9   format information (BCH(15,5), XOR 101010000010010), version
 *         information from version 7 (BCH(18,6))
 */
#include "qr.h"

#include "kerrno.h"
#include "kstring.h"

#define GF_POLY 0x11d
#define MODE_BYTE 0x4
#define PAD0 0xec
#define PAD1 0x11
#define FORMAT_ECL_M 0 /* level M's two format bits */
#define FORMAT_GEN 0x537
#define FORMAT_XOR 0x5412
#define VERSION_GEN 0x1f25
#define ECC_MAX 30
/* Penalty weights (7.8.3.1, table 11). */
#define N1 3
#define N2 3
#define N3 40
#define N4 10

/* Table 9, level M: error correction codewords per block, and blocks, by version. */
static const uint8_t ecc_per_block[QR_VERSION_MAX + 1] = {
	0,  10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
	26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28,
};
static const uint8_t ecc_blocks[QR_VERSION_MAX + 1] = {
	0,  1,	1,  1,	2,  2,	4,  4,	4,  5,	5,  5,	8,  9,	9,  10, 10, 11, 13, 14, 16,
	17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49,
};

/* Modules left for codewords once the function patterns are drawn (7.7.1). */
static size_t raw_modules(int v)
{
	size_t n = (size_t)((16 * v + 128) * v + 64);

	if (v >= 2) {
		int align = v / 7 + 2;

		n -= (size_t)((25 * align - 10) * align - 55);
		if (v >= 7)
			n -= 36;
	}
	return n;
}

static size_t data_codewords(int v)
{
	return raw_modules(v) / 8 - (size_t)ecc_per_block[v] * ecc_blocks[v];
}

size_t qr_capacity(int version)
{
	size_t head;

	if (version < QR_VERSION_MIN || version > QR_VERSION_MAX)
		return 0;
	head = version < 10 ? 2 : 3; /* 4 mode bits + 8 or 16 count bits, rounded up to bytes */
	return data_codewords(version) - head;
}

/* ---- GF(256) and Reed-Solomon ------------------------------------------------ */

static uint8_t gf_mul(uint8_t a, uint8_t b)
{
	unsigned r = 0;

	for (int i = 7; i >= 0; i--) {
		r = (r << 1) ^ ((r >> 7) * GF_POLY);
		r ^= ((b >> i) & 1u) * a;
	}
	return (uint8_t)r;
}

/* The generator polynomial of degree n (coefficients high to low, the leading 1 left out). */
static void rs_generator(int n, uint8_t *gen)
{
	uint8_t root = 1;

	memset(gen, 0, (size_t)n);
	gen[n - 1] = 1;
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < n; j++) {
			gen[j] = gf_mul(gen[j], root);
			if (j + 1 < n)
				gen[j] ^= gen[j + 1];
		}
		root = gf_mul(root, 0x02);
	}
}

/* The remainder of data(x) * x^n divided by gen: the n error correction codewords. */
static void rs_remainder(const uint8_t *data, size_t len, const uint8_t *gen, int n, uint8_t *out)
{
	memset(out, 0, (size_t)n);
	for (size_t i = 0; i < len; i++) {
		uint8_t factor = data[i] ^ out[0];

		memmove(out, out + 1, (size_t)n - 1);
		out[n - 1] = 0;
		for (int j = 0; j < n; j++)
			out[j] ^= gf_mul(gen[j], factor);
	}
}

/* ---- the matrix -------------------------------------------------------------- */

static void set(struct qr *q, int x, int y, int dark, int function)
{
	q->dark[y * q->size + x] = (uint8_t) !!dark;
	if (function)
		q->function[y * q->size + x] = 1;
}

int qr_module(const struct qr *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->size || y >= q->size)
		return 0;
	return q->dark[y * q->size + x];
}

static void finder(struct qr *q, int cx, int cy)
{
	for (int dy = -4; dy <= 4; dy++) {
		for (int dx = -4; dx <= 4; dx++) {
			int x = cx + dx, y = cy + dy, adx = dx < 0 ? -dx : dx, ady = dy < 0 ? -dy : dy;
			int dist = adx > ady ? adx : ady;

			if (x >= 0 && y >= 0 && x < q->size && y < q->size)
				set(q, x, y, dist != 2 && dist != 4, 1);
		}
	}
}

static void alignment(struct qr *q, int cx, int cy)
{
	for (int dy = -2; dy <= 2; dy++) {
		for (int dx = -2; dx <= 2; dx++) {
			int adx = dx < 0 ? -dx : dx, ady = dy < 0 ? -dy : dy;

			set(q, cx + dx, cy + dy, (adx > ady ? adx : ady) != 1, 1);
		}
	}
}

/* Annex E: the centres of the alignment patterns, ascending. Returns how many coordinates. */
static int alignment_positions(int v, int *pos)
{
	int n, step, size = QR_SIZE(v);

	if (v == 1)
		return 0;
	n = v / 7 + 2;
	step = v == 32 ? 26 : (v * 4 + n * 2 + 1) / (n * 2 - 2) * 2;
	pos[0] = 6;
	for (int i = n - 1, p = size - 7; i >= 1; i--, p -= step)
		pos[i] = p;
	return n;
}

static void format_bits(struct qr *q, int mask)
{
	unsigned data = FORMAT_ECL_M << 3 | (unsigned)mask, rem = data, bits;
	int s = q->size;

	for (int i = 0; i < 10; i++)
		rem = (rem << 1) ^ ((rem >> 9) * FORMAT_GEN);
	bits = (data << 10 | rem) ^ FORMAT_XOR;
	/* Around the top-left finder... */
	for (int i = 0; i <= 5; i++)
		set(q, 8, i, (bits >> i) & 1, 1);
	set(q, 8, 7, (bits >> 6) & 1, 1);
	set(q, 8, 8, (bits >> 7) & 1, 1);
	set(q, 7, 8, (bits >> 8) & 1, 1);
	for (int i = 9; i < 15; i++)
		set(q, 14 - i, 8, (bits >> i) & 1, 1);
	/* ...and split between the other two. */
	for (int i = 0; i < 8; i++)
		set(q, s - 1 - i, 8, (bits >> i) & 1, 1);
	for (int i = 8; i < 15; i++)
		set(q, 8, s - 15 + i, (bits >> i) & 1, 1);
	set(q, 8, s - 8, 1, 1); /* the dark module */
}

static void version_bits(struct qr *q)
{
	unsigned rem = (unsigned)q->version, bits;

	if (q->version < 7)
		return;
	for (int i = 0; i < 12; i++)
		rem = (rem << 1) ^ ((rem >> 11) * VERSION_GEN);
	bits = (unsigned)q->version << 12 | rem;
	for (int i = 0; i < 18; i++) {
		int a = q->size - 11 + i % 3, b = i / 3, bit = (bits >> i) & 1;

		set(q, a, b, bit, 1);
		set(q, b, a, bit, 1);
	}
}

static void function_patterns(struct qr *q)
{
	int pos[7], n = alignment_positions(q->version, pos);

	for (int i = 0; i < q->size; i++) {
		set(q, 6, i, i % 2 == 0, 1);
		set(q, i, 6, i % 2 == 0, 1);
	}
	finder(q, 3, 3);
	finder(q, q->size - 4, 3);
	finder(q, 3, q->size - 4);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			if (!((i == 0 && j == 0) || (i == 0 && j == n - 1) || (i == n - 1 && j == 0)))
				alignment(q, pos[i], pos[j]);
	format_bits(q, 0); /* reserves the format areas; drawn for real once the mask is known */
	version_bits(q);
}

/* 7.7.3: codewords in two-module columns, upwards and downwards in turn, right to left. */
static void place(struct qr *q, const uint8_t *cw, size_t n)
{
	size_t bit = 0;

	for (int right = q->size - 1; right >= 1; right -= 2) {
		if (right == 6)
			right = 5;
		for (int vert = 0; vert < q->size; vert++) {
			for (int j = 0; j < 2; j++) {
				int x = right - j, up = ((right + 1) & 2) == 0, y = up ? q->size - 1 - vert : vert;

				if (q->function[y * q->size + x] || bit >= n * 8)
					continue;
				set(q, x, y, (cw[bit >> 3] >> (7 - (bit & 7))) & 1, 0);
				bit++;
			}
		}
	}
}

static int mask_bit(int mask, int x, int y)
{
	switch (mask) {
	case 0:
		return (x + y) % 2 == 0;
	case 1:
		return y % 2 == 0;
	case 2:
		return x % 3 == 0;
	case 3:
		return (x + y) % 3 == 0;
	case 4:
		return (x / 3 + y / 2) % 2 == 0;
	case 5:
		return x * y % 2 + x * y % 3 == 0;
	case 6:
		return (x * y % 2 + x * y % 3) % 2 == 0;
	default:
		return ((x + y) % 2 + x * y % 3) % 2 == 0;
	}
}

/* XOR mask onto the data modules (twice undoes it). */
static void apply_mask(struct qr *q, int mask)
{
	for (int y = 0; y < q->size; y++)
		for (int x = 0; x < q->size; x++)
			if (!q->function[y * q->size + x] && mask_bit(mask, x, y))
				q->dark[y * q->size + x] ^= 1;
}

/* Module i of row or column k. */
static int at(const struct qr *q, int k, int i, int column)
{
	return column ? q->dark[i * q->size + k] : q->dark[k * q->size + i];
}

long qr_penalty(const struct qr *q)
{
	static const uint8_t finder_a[11] = { 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0 };
	static const uint8_t finder_b[11] = { 0, 0, 0, 0, 1, 0, 1, 1, 1, 0, 1 };
	int s = q->size;
	long score = 0, dark = 0, total = (long)s * s, k;

	for (int column = 0; column < 2; column++) {
		for (int r = 0; r < s; r++) {
			int run = 1;

			/* N1: five or more of one colour in a row. */
			for (int i = 1; i <= s; i++) {
				if (i < s && at(q, r, i, column) == at(q, r, i - 1, column)) {
					run++;
					continue;
				}
				if (run >= 5)
					score += N1 + (run - 5);
				run = 1;
			}
			/* N3: 1:1:3:1:1 with four light modules on one side. */
			for (int i = 0; i + 11 <= s; i++) {
				int ma = 1, mb = 1;

				for (int j = 0; j < 11; j++) {
					ma &= at(q, r, i + j, column) == finder_a[j];
					mb &= at(q, r, i + j, column) == finder_b[j];
				}
				score += (ma + mb) * N3;
			}
		}
	}
	/* N2: 2x2 blocks of one colour. */
	for (int y = 0; y + 1 < s; y++)
		for (int x = 0; x + 1 < s; x++) {
			int c = q->dark[y * s + x];

			if (c == q->dark[y * s + x + 1] && c == q->dark[(y + 1) * s + x] &&
			    c == q->dark[(y + 1) * s + x + 1])
				score += N2;
		}
	/* N4: 10 points per 5% of dark modules away from half. */
	for (long i = 0; i < total; i++)
		dark += q->dark[i];
	k = ((dark * 20 - total * 10 < 0 ? total * 10 - dark * 20 : dark * 20 - total * 10) + total - 1) / total - 1;
	return score + k * N4;
}

/* 7.4 and 7.6: the data bit stream, padded, split into blocks with their ECC, interleaved into q->codewords. */
static size_t codewords(struct qr *q, const uint8_t *data, size_t len)
{
	int v = q->version, ecc = ecc_per_block[v], nblocks = ecc_blocks[v];
	size_t ndata = data_codewords(v), raw = raw_modules(v) / 8, at = 0;
	size_t short_len = raw / (size_t)nblocks, nshort = (size_t)nblocks - raw % (size_t)nblocks;
	uint8_t *d = q->scratch, gen[ECC_MAX], rem[ECC_MAX];
	unsigned acc = 0, nbits = 0;
	size_t out = 0, off = 0;

	memset(d, 0, ndata);
#define PUT(value, bits)                                         \
	do {                                                     \
		acc = acc << (bits) | (unsigned)(value);         \
		nbits += (bits);                                 \
		while (nbits >= 8) {                             \
			d[at++] = (uint8_t)(acc >> (nbits - 8)); \
			nbits -= 8;                              \
		}                                                \
		acc &= (1u << nbits) - 1;                        \
	} while (0)
	PUT(MODE_BYTE, 4);
	if (v >= 10)
		PUT(len >> 8, 8);
	PUT(len & 0xff, 8);
	for (size_t i = 0; i < len; i++)
		PUT(data[i], 8);
	/* Terminator (up to four zero bits) and zero bits to the byte boundary. */
	if (at < ndata)
		PUT(0, nbits ? 8 - nbits : 0);
#undef PUT
	for (int i = 0; at < ndata; i++)
		d[at++] = i % 2 ? PAD1 : PAD0;
	rs_generator(ecc, gen);
	/* Data codewords column by column over the blocks (short blocks have one fewer), then ECC. */
	for (size_t i = 0; i < short_len - (size_t)ecc + 1; i++) {
		off = 0;
		for (size_t b = 0; b < (size_t)nblocks; b++) {
			size_t blen = short_len - (size_t)ecc + (b >= nshort);

			if (i < blen)
				q->codewords[out++] = d[off + i];
			off += blen;
		}
	}
	off = 0;
	for (size_t b = 0; b < (size_t)nblocks; b++) {
		size_t blen = short_len - (size_t)ecc + (b >= nshort);

		rs_remainder(d + off, blen, gen, ecc, rem);
		for (int i = 0; i < ecc; i++)
			q->codewords[out + (size_t)i * (size_t)nblocks + b] = rem[i];
		off += blen;
	}
	return out + (size_t)ecc * (size_t)nblocks;
}

int qr_encode(const uint8_t *data, size_t len, int min_version, int max_version, int mask, struct qr *q)
{
	int v;
	size_t n;

	if ((!data && len) || min_version < QR_VERSION_MIN || max_version > QR_VERSION_MAX ||
	    min_version > max_version || mask < QR_MASK_AUTO || mask > 7)
		return -EINVAL;
	for (v = min_version; v <= max_version && qr_capacity(v) < len; v++)
		;
	if (v > max_version)
		return -EMSGSIZE;
	memset(q->dark, 0, sizeof(q->dark));
	memset(q->function, 0, sizeof(q->function));
	q->version = v;
	q->size = QR_SIZE(v);
	function_patterns(q);
	n = codewords(q, data, len);
	place(q, q->codewords, n);
	if (mask == QR_MASK_AUTO) {
		long best = -1;

		for (int m = 0; m < 8; m++) {
			long p;

			apply_mask(q, m);
			format_bits(q, m);
			p = qr_penalty(q);
			if (best < 0 || p < best) {
				best = p;
				mask = m;
			}
			apply_mask(q, m);
		}
	}
	apply_mask(q, mask);
	format_bits(q, mask);
	q->mask = mask;
	return 0;
}
