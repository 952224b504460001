/* SPDX-License-Identifier: MIT */
/*
 * test_lz.c - the ALZ1 format: core/lib/lz.c (the kernel's decoder) against
 * tools/lzpack.c (the host compressor, built with -DLZPACK_NO_MAIN), and
 * against streams written here byte by byte.
 *
 * Every decode goes through decode(): the stream, the dictionary and the
 * output each live in a heap block of exactly their size, so that ASan
 * reports any access outside them. Round trips cover random and structured
 * buffers, with and without a dictionary, and the empty buffer; the
 * hand-written streams pin down each rule of the format (docs/lz.md) and
 * each reason for rejection; every truncation of valid streams must be
 * rejected, and random corruption must be rejected or decode to the
 * original bytes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kerrno.h"
#include "lz.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define SEED 0x2545f4914f6cdd1dULL
#define FUZZ_ROUNDS 3000 /* corruptions per stream */
#define FUZZ_MAX_EDITS 3
#define GARBAGE_ROUNDS 20000
#define STREAM_MAX 4096 /* bytes a hand-written stream may take */

static uint64_t next_random(uint64_t *s)
{
	/* xorshift64* */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void fill_random(uint8_t *p, size_t n, uint64_t *rng)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)next_random(rng);
}

static void *dup_exact(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	assert_non_null(q);
	if (n)
		memcpy(q, p, n);
	return q;
}

/*
 * lz_decompress() with src, dict and dst in exact-size heap blocks. *out
 * (when out is not NULL) gets the dst block, which the caller frees.
 * Returns what lz_decompress() returned.
 */
static long decode(const uint8_t *src, size_t src_len, const uint8_t *dict, size_t dict_len, size_t cap, uint8_t **out)
{
	uint8_t *s = dup_exact(src, src_len), *d = dict && dict_len ? dup_exact(dict, dict_len) : NULL;
	uint8_t *o = malloc(cap ? cap : 1);
	long r;

	assert_non_null(o);
	r = lz_decompress(cap ? o : NULL, cap, s, src_len, d, dict_len);
	free(s);
	free(d);
	if (out)
		*out = o;
	else
		free(o);
	return r;
}

/* Compress in against dict, check that it decodes back; returns the stream (free it) and its length. */
static uint8_t *round_trip(const uint8_t *dict, size_t dict_len, const uint8_t *in, size_t n, size_t *len)
{
	uint8_t *s, *back;
	struct lz_header h;
	long r;

	*len = lz_compress(dict, dict_len, in, n, &s);
	assert_int_equal(lz_header(s, *len, &h), 0);
	assert_int_equal(h.raw_len, n);
	assert_int_equal(h.dict_len, dict_len);
	assert_int_equal(h.checksum, lz_checksum(in, n));
	r = decode(s, *len, dict, dict_len, n, &back);
	assert_int_equal(r, (long)n);
	if (n)
		assert_memory_equal(back, in, n);
	free(back);
	/* One byte of room too few. */
	if (n)
		assert_int_equal(decode(s, *len, dict, dict_len, n - 1, NULL), -ENOSPC);
	return s;
}

static void round_trip_free(const uint8_t *dict, size_t dict_len, const uint8_t *in, size_t n, size_t *len)
{
	free(round_trip(dict, dict_len, in, n, len));
}

/* ---- streams written by hand ---------------------------------------------- */

struct sb {
	uint8_t b[STREAM_MAX];
	size_t len;
};

static void put(struct sb *s, uint8_t v)
{
	assert_true(s->len < sizeof(s->b));
	s->b[s->len++] = v;
}

static void put_bytes(struct sb *s, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		put(s, ((const uint8_t *)p)[i]);
}

static void put_varint(struct sb *s, size_t v)
{
	while (v >= 0x80) {
		put(s, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	put(s, (uint8_t)v);
}

/* The header of a stream decoding to raw[0..raw_len) against a dict_len-byte dictionary. */
static void put_header(struct sb *s, const void *raw, size_t raw_len, size_t dict_len)
{
	uint32_t c = lz_checksum(raw, raw_len);

	s->len = 0;
	put_bytes(s, LZ_MAGIC, LZ_MAGIC_LEN);
	put_varint(s, raw_len);
	put_varint(s, dict_len);
	for (int i = 0; i < 4; i++)
		put(s, (uint8_t)(c >> (8 * i)));
}

/* Decode s (against dict) expecting want (a string) or, when want is NULL, the error err. */
static void expect(const struct sb *s, const char *dict, const char *want, long err)
{
	size_t dict_len = dict ? strlen(dict) : 0, n = want ? strlen(want) : 64;
	uint8_t *out;
	long r = decode(s->b, s->len, (const uint8_t *)dict, dict_len, n, &out);

	if (want) {
		assert_int_equal(r, (long)n);
		if (n)
			assert_memory_equal(out, want, n);
	} else {
		assert_int_equal(r, err);
	}
	free(out);
}

static void test_checksum(void **state)
{
	(void)state;
	/* FNV-1a 32-bit reference values. */
	assert_int_equal(lz_checksum("", 0), 0x811c9dc5u);
	assert_int_equal(lz_checksum("a", 1), 0xe40c292cu);
	assert_int_equal(lz_checksum("foobar", 6), 0xbf9cf968u);
}

static void test_header(void **state)
{
	struct lz_header h;
	struct sb s;

	(void)state;
	put_header(&s, "hello", 5, 300);
	assert_int_equal(lz_header(s.b, s.len, &h), 0);
	assert_int_equal(h.raw_len, 5);
	assert_int_equal(h.dict_len, 300);
	assert_int_equal(h.checksum, lz_checksum("hello", 5));
	assert_int_equal(h.header_len, s.len);
	/* Every shorter header is rejected, and so is a NULL stream. */
	for (size_t n = 0; n < s.len; n++) {
		uint8_t *p = dup_exact(s.b, n);

		assert_int_equal(lz_header(p, n, &h), -EINVAL);
		free(p);
	}
	assert_int_equal(lz_header(NULL, 10, &h), -EINVAL);
	s.b[3] = '2';
	assert_int_equal(lz_header(s.b, s.len, &h), -EINVAL);
}

static void test_literals(void **state)
{
	struct sb s;

	(void)state;
	put_header(&s, "hello", 5, 0);
	put(&s, 0x50);
	put_bytes(&s, "hello", 5);
	expect(&s, NULL, "hello", 0);

	/* 15 literals: nibble 15 and an extension of 0; 16: extension 1. */
	put_header(&s, "abcdefghijklmno", 15, 0);
	put(&s, 0xf0);
	put_varint(&s, 0);
	put_bytes(&s, "abcdefghijklmno", 15);
	expect(&s, NULL, "abcdefghijklmno", 0);
	put_header(&s, "abcdefghijklmnop", 16, 0);
	put(&s, 0xf0);
	put_varint(&s, 1);
	put_bytes(&s, "abcdefghijklmnop", 16);
	expect(&s, NULL, "abcdefghijklmnop", 0);

	/* The empty stream: a header and nothing else. */
	put_header(&s, "", 0, 0);
	expect(&s, NULL, "", 0);
	put(&s, 0x00);
	expect(&s, NULL, NULL, -EINVAL);
}

static void test_matches(void **state)
{
	struct sb s;

	(void)state;
	/* Offset 1 repeats the last byte; offset 2 a pair (overlapping copies). */
	put_header(&s, "aaaaaaaaaaa", 11, 0);
	put(&s, 0x16);
	put(&s, 'a');
	put_varint(&s, 1);
	expect(&s, NULL, "aaaaaaaaaaa", 0);
	put_header(&s, "ababababa", 9, 0);
	put(&s, 0x23);
	put_bytes(&s, "ab", 2);
	put_varint(&s, 2);
	expect(&s, NULL, "ababababa", 0);

	/* A match, then literals to finish. */
	put_header(&s, "abcdabcdXY", 10, 0);
	put(&s, 0x40);
	put_bytes(&s, "abcd", 4);
	put_varint(&s, 4);
	put(&s, 0x20);
	put_bytes(&s, "XY", 2);
	expect(&s, NULL, "abcdabcdXY", 0);

	/* Match length 19 (nibble 15, extension 0) and 20 (extension 1). */
	put_header(&s, "zzzzzzzzzzzzzzzzzzzz", 20, 0);
	put(&s, 0x1f);
	put(&s, 'z');
	put_varint(&s, 1);
	put_varint(&s, 0);
	expect(&s, NULL, "zzzzzzzzzzzzzzzzzzzz", 0);
	/* Complete after a match: nothing may follow, not even an empty token. */
	put(&s, 0x00);
	expect(&s, NULL, NULL, -EINVAL);
	put_header(&s, "zzzzzzzzzzzzzzzzzzzzz", 21, 0);
	put(&s, 0x1f);
	put(&s, 'z');
	put_varint(&s, 1);
	put_varint(&s, 1);
	expect(&s, NULL, "zzzzzzzzzzzzzzzzzzzzz", 0);
	/* One byte short of raw_len when the stream ends. */
	s.b[s.len - 1] = 0;
	expect(&s, NULL, NULL, -EINVAL);
}

static void test_dictionary(void **state)
{
	struct sb s;

	(void)state;
	/* A match that starts in the dictionary and runs on into the output. */
	put_header(&s, "XYZXY", 5, 3);
	put(&s, 0x01);
	put_varint(&s, 3);
	expect(&s, "XYZ", "XYZXY", 0);
	/* Offset out + dict_len reaches the dictionary's first byte; one more is before it. */
	put_header(&s, "qXYZq", 5, 3);
	put(&s, 0x10);
	put(&s, 'q');
	put_varint(&s, 4);
	expect(&s, "XYZ", "qXYZq", 0);
	s.b[s.len - 1] = 5;
	expect(&s, "XYZ", NULL, -EINVAL);
	/* The same stream without its dictionary, or with another length of one. */
	s.b[s.len - 1] = 4;
	expect(&s, NULL, NULL, -EINVAL);
	expect(&s, "XYZW", NULL, -EINVAL);
	/* The right length but other bytes: decodes, and the checksum catches it. */
	expect(&s, "XYW", NULL, -EBADMSG);
}

static void test_repeat_offset(void **state)
{
	struct sb s;

	(void)state;
	/* "abcd", a match at offset 4, "-", then offset 0: offset 4 again, which copies "bcd-". */
	put_header(&s, "abcdabcd-bcd-", 13, 0);
	put(&s, 0x40);
	put_bytes(&s, "abcd", 4);
	put_varint(&s, 4);
	put(&s, 0x10);
	put(&s, '-');
	put_varint(&s, 0);
	expect(&s, NULL, "abcdabcd-bcd-", 0);
	/* Offset 0 with no match before it. */
	put_header(&s, "aaaaa", 5, 0);
	put(&s, 0x10);
	put(&s, 'a');
	put_varint(&s, 0);
	expect(&s, NULL, NULL, -EINVAL);
}

static void test_malformed(void **state)
{
	struct sb s;

	(void)state;
	/* More literals than raw_len, or than the stream holds. */
	put_header(&s, "abc", 3, 0);
	put(&s, 0x40);
	put_bytes(&s, "abcd", 4);
	expect(&s, NULL, NULL, -EINVAL);
	put_header(&s, "abcdef", 6, 0);
	put(&s, 0x60);
	put_bytes(&s, "abc", 3);
	expect(&s, NULL, NULL, -EINVAL);
	/* A match past raw_len. */
	put_header(&s, "aaaaa", 5, 0);
	put(&s, 0x11);
	put(&s, 'a');
	put_varint(&s, 1);
	expect(&s, NULL, NULL, -EINVAL);
	/* The last literals with a match nibble. */
	put_header(&s, "ab", 2, 0);
	put(&s, 0x21);
	put_bytes(&s, "ab", 2);
	expect(&s, NULL, NULL, -EINVAL);
	/* Bytes after the end. */
	put_header(&s, "ab", 2, 0);
	put(&s, 0x20);
	put_bytes(&s, "ab", 2);
	put(&s, 0);
	expect(&s, NULL, NULL, -EINVAL);
	/* A non-minimal varint (1 spelled 0x81 0x00), and one of LZ_VARINT_MAX + 1 bytes. */
	put_header(&s, "aaaaa", 5, 0);
	put(&s, 0x10);
	put(&s, 'a');
	put(&s, 0x81);
	put(&s, 0x00);
	expect(&s, NULL, NULL, -EINVAL);
	put_header(&s, "aaaaa", 5, 0);
	put(&s, 0x10);
	put(&s, 'a');
	for (int i = 0; i < LZ_VARINT_MAX; i++)
		put(&s, 0x81);
	put(&s, 0x01);
	expect(&s, NULL, NULL, -EINVAL);
	/* raw_len larger than the room given. */
	put_header(&s, "hello, world", 12, 0);
	put(&s, 0xc0);
	put_bytes(&s, "hello, world", 12);
	assert_int_equal(decode(s.b, s.len, NULL, 0, 11, NULL), -ENOSPC);
	assert_int_equal(decode(s.b, s.len, NULL, 0, 12, NULL), 12);
	/* A wrong checksum. */
	s.b[s.len - 1] ^= 1;
	expect(&s, NULL, NULL, -EBADMSG);
	/* raw_len above LZ_SIZE_MAX cannot be spelled in LZ_VARINT_MAX bytes. */
	s.len = 0;
	put_bytes(&s, LZ_MAGIC, LZ_MAGIC_LEN);
	put_varint(&s, (size_t)LZ_SIZE_MAX + 1);
	put_varint(&s, 0);
	put_bytes(&s, "\0\0\0\0", 4);
	expect(&s, NULL, NULL, -EINVAL);
}

static void test_strerror(void **state)
{
	(void)state;
	assert_string_equal(lz_strerror(-EINVAL), "malformed stream");
	assert_string_equal(lz_strerror(-ENOSPC), "output buffer too small");
	assert_string_equal(lz_strerror(-EBADMSG), "checksum mismatch");
	assert_string_equal(lz_strerror(-EIO), "?");
}

/* ---- round trips ------------------------------------------------------------ */

/* Test inputs: shape k of n bytes into p. */
enum shape { RANDOM, ZEROS, PERIODS, TEXT, PAGES, MIXED, NSHAPES };

static void make_input(uint8_t *p, size_t n, enum shape k, uint64_t *rng)
{
	static const char *const words[] = { "kernel ", "page ", "fault ", "map ", "ring3 ", "atlas ", "\n" };

	switch (k) {
	case RANDOM:
		fill_random(p, n, rng);
		break;
	case ZEROS:
		memset(p, 0, n);
		break;
	case PERIODS:
		/* Runs repeating with periods 1..64. */
		for (size_t i = 0; i < n;) {
			size_t period = 1 + next_random(rng) % 64, run = 1 + next_random(rng) % 2000;
			uint8_t pat[64];

			fill_random(pat, period, rng);
			for (size_t j = 0; j < run && i < n; j++, i++)
				p[i] = pat[j % period];
		}
		break;
	case TEXT:
		for (size_t i = 0; i < n;) {
			const char *w = words[next_random(rng) % COUNT(words)];

			for (size_t j = 0; w[j] && i < n; j++)
				p[i++] = (uint8_t)w[j];
		}
		break;
	case PAGES:
		/* Like an ELF file: segments of random bytes, each padded with zeros to 4 KiB. */
		for (size_t i = 0; i < n; i += 4096) {
			size_t used = next_random(rng) % 4096, m = n - i < 4096 ? n - i : 4096;

			memset(p + i, 0, m);
			fill_random(p + i, used < m ? used : m, rng);
		}
		break;
	default:
		/* Random bytes with copies of earlier pieces, at every distance. */
		fill_random(p, n, rng);
		for (size_t i = 64; i < n; i += 1 + next_random(rng) % 200) {
			size_t from = next_random(rng) % i, len = 4 + next_random(rng) % 300;

			for (size_t j = 0; j < len && i + j < n; j++)
				p[i + j] = p[from + j];
		}
		break;
	}
}

static const size_t sizes[] = { 0, 1, 3, 4, 5, 14, 15, 16, 19, 20, 34, 35, 127, 128, 129, 4095, 4096, 20000, 70000 };

static void test_round_trips(void **state)
{
	uint64_t rng = SEED;

	(void)state;
	for (int k = 0; k < NSHAPES; k++) {
		for (size_t i = 0; i < COUNT(sizes); i++) {
			size_t n = sizes[i], len;
			uint8_t *in = malloc(n ? n : 1);

			assert_non_null(in);
			make_input(in, n, (enum shape)k, &rng);
			round_trip_free(NULL, 0, in, n, &len);
			/* Zeros and periodic data must shrink a lot: the matcher is at work. */
			if ((k == ZEROS || k == PERIODS) && n >= 4096)
				assert_true(len < n / 8);
			if (k == RANDOM)
				assert_true(len <= LZ_HEADER_MAX + n + n / LZ_NIBBLE_MAX + 2);
			free(in);
		}
	}
}

static void test_round_trips_dict(void **state)
{
	uint64_t rng = SEED + 1;
	size_t dn = 40000, n = 30000, with, without, len;
	uint8_t *dict = malloc(dn), *in = malloc(n);

	(void)state;
	assert_non_null(dict);
	assert_non_null(in);
	fill_random(dict, dn, &rng);
	/*
	 * The input: pieces of the (random) dictionary, none twice, its first and
	 * last bytes included, between new random bytes: about 23,800 of the
	 * 30,000 bytes can only be matched in the dictionary.
	 */
	fill_random(in, n, &rng);
	memcpy(in, dict, 3000);
	memcpy(in + 5000, dict + dn - 4000, 4000);
	for (size_t i = 10000, from = 3000; i + 600 < n; i += 700, from += 1200)
		memcpy(in + i, dict + from, 600);
	round_trip_free(dict, dn, in, n, &with);
	round_trip_free(NULL, 0, in, n, &without);
	assert_true(without > 29000);
	assert_true(with < 7000);
	/* The whole dictionary as input: almost nothing left. */
	round_trip_free(dict, dn, dict, dn, &len);
	assert_true(len < 64);
	/* Empty input against a dictionary, and a one-byte dictionary. */
	round_trip_free(dict, dn, in, 0, &len);
	round_trip_free(dict, 1, in, n, &len);
	/* Shapes against a dictionary of another shape. */
	for (int k = 0; k < NSHAPES; k++) {
		make_input(in, n, (enum shape)k, &rng);
		round_trip_free(dict, dn, in, n, &len);
	}
	free(dict);
	free(in);
}

static void test_empty(void **state)
{
	uint8_t *s;
	size_t len;

	(void)state;
	s = round_trip(NULL, 0, (const uint8_t *)"", 0, &len);
	assert_int_equal(lz_decompress(NULL, 0, s, len, NULL, 0), 0);
	free(s);
}

/* ---- hostile streams ---------------------------------------------------------- */

static void test_truncation(void **state)
{
	uint64_t rng = SEED + 2;
	size_t dn = 5000, n = 9000;
	uint8_t *dict = malloc(dn), *in = malloc(n);

	(void)state;
	assert_non_null(dict);
	assert_non_null(in);
	make_input(dict, dn, MIXED, &rng);
	for (int k = 0; k < NSHAPES; k++) {
		for (int use_dict = 0; use_dict < 2; use_dict++) {
			size_t len;
			uint8_t *s;

			make_input(in, n, (enum shape)k, &rng);
			if (k == MIXED)
				memcpy(in + 1000, dict + 100, 2000);
			s = round_trip(use_dict ? dict : NULL, use_dict ? dn : 0, in, n, &len);
			for (size_t cut = 0; cut < len; cut++)
				assert_true(decode(s, cut, use_dict ? dict : NULL, use_dict ? dn : 0, n, NULL) < 0);
			free(s);
		}
	}
	free(dict);
	free(in);
}

/* Change 1..FUZZ_MAX_EDITS bytes of s (random values, bit flips, small numbers). */
static void corrupt(uint8_t *s, size_t len, uint64_t *rng)
{
	unsigned edits = 1 + next_random(rng) % FUZZ_MAX_EDITS;

	for (unsigned e = 0; e < edits; e++) {
		uint64_t r = next_random(rng);
		size_t at = (size_t)(r >> 16) % len;

		switch (r & 3) {
		case 0:
			s[at] = (uint8_t)(r >> 8);
			break;
		case 1:
			s[at] ^= (uint8_t)(1u << ((r >> 8) & 7));
			break;
		case 2:
			s[at] = (uint8_t)((r >> 8) & 3);
			break;
		default:
			s[at] = 0xff;
			break;
		}
	}
}

static void test_corruption(void **state)
{
	uint64_t rng = SEED + 3;
	size_t dn = 3000, n = 6000;
	uint8_t *dict = malloc(dn), *in = malloc(n);

	(void)state;
	assert_non_null(dict);
	assert_non_null(in);
	make_input(dict, dn, TEXT, &rng);
	for (int k = 0; k < NSHAPES; k++) {
		for (int use_dict = 0; use_dict < 2; use_dict++) {
			const uint8_t *d = use_dict ? dict : NULL;
			size_t len, dl = use_dict ? dn : 0;
			uint8_t *s, *bad;

			make_input(in, n, (enum shape)k, &rng);
			s = round_trip(d, dl, in, n, &len);
			bad = malloc(len);
			assert_non_null(bad);
			for (int round = 0; round < FUZZ_ROUNDS; round++) {
				uint8_t *out;
				long r;

				memcpy(bad, s, len);
				corrupt(bad, len, &rng);
				/* Room for twice the bytes: a header that grew raw_len may still fit. */
				r = decode(bad, len, d, dl, 2 * n, &out);
				/* Either rejected, or (the edits cancelled out) the original bytes. */
				if (r >= 0) {
					assert_int_equal(r, (long)n);
					assert_memory_equal(out, in, n);
				} else {
					assert_true(r == -EINVAL || r == -EBADMSG || r == -ENOSPC);
				}
				free(out);
			}
			free(bad);
			free(s);
		}
	}
	free(dict);
	free(in);
}

/* Random token bytes after a valid header: never an access outside the buffers. */
static void test_garbage(void **state)
{
	uint64_t rng = SEED + 4;
	uint8_t dict[64];

	(void)state;
	fill_random(dict, sizeof(dict), &rng);
	for (int round = 0; round < GARBAGE_ROUNDS; round++) {
		size_t raw = next_random(&rng) % 200, body = next_random(&rng) % 64;
		int use_dict = (int)(next_random(&rng) & 1);
		struct sb s;
		long r;

		s.len = 0;
		put_bytes(&s, LZ_MAGIC, LZ_MAGIC_LEN);
		put_varint(&s, raw);
		put_varint(&s, use_dict ? sizeof(dict) : 0);
		for (size_t i = 0; i < 4 + body; i++) {
			uint64_t v = next_random(&rng);

			/* Small values half the time, so that offsets and lengths are often plausible. */
			put(&s, (uint8_t)((v & 1) ? (v >> 8) % 8 : v >> 8));
		}
		r = decode(s.b, s.len, use_dict ? dict : NULL, use_dict ? sizeof(dict) : 0, raw, NULL);
		assert_true(r == (long)raw || r == -EINVAL || r == -EBADMSG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),    cmocka_unit_test(test_header),
		cmocka_unit_test(test_literals),    cmocka_unit_test(test_matches),
		cmocka_unit_test(test_dictionary),  cmocka_unit_test(test_repeat_offset),
		cmocka_unit_test(test_malformed),   cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_round_trips), cmocka_unit_test(test_round_trips_dict),
		cmocka_unit_test(test_empty),	    cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_corruption),  cmocka_unit_test(test_garbage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
