/* SPDX-License-Identifier: MIT */
/*
 * lz.h - Atlas's LZ77 format ("ALZ1"): byte-aligned tokens, decoded by
 * core/lib/lz.c, written by tools/lzpack.c. The full description is in
 * docs/lz.md; in short:
 *
 *   stream   = "ALZ1" varint(raw_len) varint(dict_len) u32le(fnv1a32(raw)) sequence*
 *   sequence = token [varint(lit - 15)] literal[lit]
 *              [varint(offset) [varint(len - 4 - 15)]]   (absent after the last literals)
 *   token    = lit (0..15, 15: more in a varint) << 4 | len - 4 (0..15, 15: more in a varint)
 *
 * A varint is little-endian base 128 (bit 7: another byte follows), at most
 * LZ_VARINT_MAX bytes, minimal (no trailing zero groups). A match copies len
 * bytes from offset bytes back (offset 0: the previous match's offset again);
 * an offset may reach back past the start of the output into the preset
 * dictionary, which acts as the bytes just before it. Decoding stops when raw_len bytes are out; the stream must end
 * exactly there.
 */
#ifndef ATLAS_LZ_H
#define ATLAS_LZ_H

#include <stddef.h>
#include <stdint.h>

#define LZ_MAGIC "ALZ1"
#define LZ_MAGIC_LEN 4
#define LZ_MIN_MATCH 4	 /* shortest match a token can say */
#define LZ_NIBBLE_MAX 15 /* a token nibble at this value continues in a varint */
#define LZ_VARINT_MAX 4	 /* bytes: values below 2^28 */
#define LZ_SIZE_MAX ((1UL << 28) - 1)
#define LZ_HEADER_MAX (LZ_MAGIC_LEN + 2 * LZ_VARINT_MAX + 4)

/* What a stream's header says. */
struct lz_header {
	size_t raw_len;	   /* bytes the stream decodes to */
	size_t dict_len;   /* bytes of preset dictionary it was made against (0: none) */
	uint32_t checksum; /* lz_checksum() of the decoded bytes */
	size_t header_len; /* bytes the header takes at the start of the stream */
};

/*
 * Read the header of src[0..src_len) into *h. Returns 0, or -EINVAL when the
 * magic is wrong or the header is truncated or malformed.
 */
int lz_header(const void *src, size_t src_len, struct lz_header *h);

/*
 * Decode the stream src[0..src_len) into dst[0..dst_cap), with
 * dict[0..dict_len) as the preset dictionary (dict may be NULL when dict_len
 * is 0). Reads only inside src and dict and writes only inside
 * dst[0..raw_len), whatever the stream holds. Returns the bytes written
 * (raw_len), or -EINVAL for a malformed stream (bad header or varint,
 * truncated token, literals or match past raw_len, offset before the
 * dictionary's start, offset 0 with no match before, bytes after the end, dict_len other than the header's),
 * -ENOSPC when raw_len > dst_cap, -EBADMSG when the checksum of the decoded
 * bytes is wrong. On failure dst holds garbage.
 */
long lz_decompress(void *dst, size_t dst_cap, const void *src, size_t src_len, const void *dict, size_t dict_len);

/* FNV-1a (32-bit) of p[0..n), the checksum a stream's header carries. Returns it. */
uint32_t lz_checksum(const void *p, size_t n);

/* The words for an lz_decompress() error ("malformed stream"...); "?" for other values. Returns a static string. */
const char *lz_strerror(long err);

/*
 * Host only (tools/lzpack.c): compress in[0..n) against dict[0..dict_len)
 * into a new malloc'd stream at *out, which the caller frees. Returns the
 * stream's length. Exits the process when out of memory or n or dict_len
 * exceeds LZ_SIZE_MAX.
 */
size_t lz_compress(const void *dict, size_t dict_len, const void *in, size_t n, uint8_t **out);

#endif
