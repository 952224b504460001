/* SPDX-License-Identifier: MIT */
/*
 * lz.c - the decoder of Atlas's LZ77 format (include/lz.h, docs/lz.md).
 *
 * Built into the kernel, the host tests and tools/lzpack (which checks its
 * own output with it): no libc beyond kstring.h, no allocation. The stream
 * is untrusted. Every count read from it is checked against what is left of
 * the input and of the declared output before a byte moves, so that no
 * stream makes the decoder read outside src or dict or write outside
 * dst[0..raw_len).
 */
#include <stddef.h>
#include <stdint.h>

#include "kerrno.h"
#include "kstring.h"
#include "lz.h"

#define FNV32_OFFSET 0x811c9dc5u
#define FNV32_PRIME 0x01000193u

struct reader {
	const uint8_t *p, *end;
};

static size_t left(const struct reader *r)
{
	return (size_t)(r->end - r->p);
}

/* A minimal varint of at most LZ_VARINT_MAX bytes into *v. Returns 0 or -EINVAL. */
static int get_varint(struct reader *r, size_t *v)
{
	size_t x = 0;

	for (int i = 0; i < LZ_VARINT_MAX; i++) {
		uint8_t b;

		if (r->p == r->end)
			return -EINVAL;
		b = *r->p++;
		x |= (size_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80)) {
			/* A last group of 0 after others would make a second spelling of the same value. */
			if (i > 0 && b == 0)
				return -EINVAL;
			*v = x;
			return 0;
		}
	}
	return -EINVAL;
}

/* A nibble of the token, extended by a varint when it is LZ_NIBBLE_MAX. Returns 0 or -EINVAL. */
static int get_count(struct reader *r, unsigned nibble, size_t *v)
{
	size_t ext;

	*v = nibble;
	if (nibble < LZ_NIBBLE_MAX)
		return 0;
	if (get_varint(r, &ext))
		return -EINVAL;
	*v += ext;
	return 0;
}

uint32_t lz_checksum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t h = FNV32_OFFSET;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * FNV32_PRIME;
	return h;
}

int lz_header(const void *src, size_t src_len, struct lz_header *h)
{
	struct reader r = { src, (const uint8_t *)src + (src ? src_len : 0) };

	memset(h, 0, sizeof(*h));
	if (!src || src_len < LZ_MAGIC_LEN || memcmp(src, LZ_MAGIC, LZ_MAGIC_LEN))
		return -EINVAL;
	r.p += LZ_MAGIC_LEN;
	if (get_varint(&r, &h->raw_len) || get_varint(&r, &h->dict_len) || left(&r) < 4)
		return -EINVAL;
	h->checksum = (uint32_t)r.p[0] | (uint32_t)r.p[1] << 8 | (uint32_t)r.p[2] << 16 | (uint32_t)r.p[3] << 24;
	r.p += 4;
	h->header_len = (size_t)(r.p - (const uint8_t *)src);
	return 0;
}

/*
 * Most literal runs and matches are a few bytes long: a plain loop for those,
 * memcpy's string instructions for the long ones (under QEMU's TCG a rep
 * prefix costs more than a short loop; the kernel ELF decodes ~2x faster).
 */
static inline void copy_short(uint8_t *d, const uint8_t *s, size_t n)
{
	if (n > 16) {
		memcpy(d, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++)
		d[i] = s[i];
}

/*
 * Copy len bytes from offset bytes before dst[out] to dst[out..]: first what
 * lies in the dictionary, then the rest from dst itself, byte by byte where
 * source and destination overlap (offset < len repeats the last offset bytes).
 * The caller has checked offset <= out + dict_len and len <= raw_len - out.
 */
static void copy_match(uint8_t *dst, size_t out, size_t offset, size_t len, const uint8_t *dict, size_t dict_len)
{
	if (offset > out) {
		size_t back = offset - out, n = back < len ? back : len;

		memcpy(dst + out, dict + dict_len - back, n);
		out += n;
		len -= n;
	}
	if (!len)
		return;
	if (offset == 1) {
		memset(dst + out, dst[out - 1], len);
	} else if (offset >= len) {
		copy_short(dst + out, dst + out - offset, len);
	} else {
		for (size_t i = 0; i < len; i++)
			dst[out + i] = dst[out + i - offset];
	}
}

long lz_decompress(void *dst, size_t dst_cap, const void *src, size_t src_len, const void *dict, size_t dict_len)
{
	struct lz_header h;
	struct reader r;
	uint8_t *o = dst;
	size_t out = 0, last = 0;

	if (lz_header(src, src_len, &h))
		return -EINVAL;
	if (h.dict_len != dict_len || (dict_len && !dict) || h.raw_len > LZ_SIZE_MAX)
		return -EINVAL;
	if (h.raw_len > dst_cap || (h.raw_len && !dst))
		return -ENOSPC;
	r.p = (const uint8_t *)src + h.header_len;
	r.end = (const uint8_t *)src + src_len;
	while (out < h.raw_len) {
		size_t lit, offset, len;
		uint8_t token;

		if (r.p == r.end)
			return -EINVAL;
		token = *r.p++;
		if (get_count(&r, token >> 4, &lit) || lit > h.raw_len - out || lit > left(&r))
			return -EINVAL;
		copy_short(o + out, r.p, lit);
		r.p += lit;
		out += lit;
		if (out == h.raw_len) {
			/* The last sequence is literals only: its match nibble must be 0. */
			if (token & 0xf)
				return -EINVAL;
			break;
		}
		/* Offset 0 repeats the previous match's offset (there must be one). */
		if (get_varint(&r, &offset))
			return -EINVAL;
		if (offset == 0)
			offset = last;
		if (offset == 0 || offset > out + dict_len)
			return -EINVAL;
		last = offset;
		if (get_count(&r, token & 0xf, &len))
			return -EINVAL;
		len += LZ_MIN_MATCH;
		if (len > h.raw_len - out)
			return -EINVAL;
		copy_match(o, out, offset, len, dict, dict_len);
		out += len;
	}
	if (r.p != r.end)
		return -EINVAL;
	if (lz_checksum(o, out) != h.checksum)
		return -EBADMSG;
	return (long)out;
}

const char *lz_strerror(long err)
{
	switch (err) {
	case -EINVAL:
		return "malformed stream";
	case -ENOSPC:
		return "output buffer too small";
	case -EBADMSG:
		return "checksum mismatch";
	default:
		return "?";
	}
}
