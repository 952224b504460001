/* SPDX-License-Identifier: MIT */
/*
 * lzpack.c - host tool: compress files into Atlas's LZ77 format, which
 * core/lib/lz.c decodes in the kernel (include/lz.h, docs/lz.md).
 *
 *   lzpack [-D DICT] IN OUT       compress IN into OUT, with the file DICT as the
 *                                 preset dictionary; then decode OUT with core/lib/lz.c
 *                                 and compare, so that a bad stream never leaves here
 *   lzpack -x [-D DICT] IN OUT    decompress
 *   lzpack -m OUT FILE...         write OUT: a preset dictionary for FILE... (below)
 *
 * The format, in short: "ALZ1", varint raw length, varint dictionary length,
 * FNV-1a-32 of the raw bytes (4 bytes, little-endian), then sequences. A
 * sequence is a token byte (high nibble: literal count, low nibble: match
 * length - 4; 15 in either continues in a varint), the literals, and then,
 * unless the output is complete, a varint offset (0: the previous offset
 * again) and the match length's varint. Offsets reach back through the
 * output into the dictionary, which precedes it.
 *
 * The compressor: hash chains over the dictionary and the input (4-byte
 * hash, nearest candidates first, CHAIN_MAX deep), and an optimal parse:
 * a forward pass over the input keeps, for each position, the cheapest
 * encoding (in bytes) found to reach it, trying a literal, every match length
 * the chains offer and the previous offset; then the cheapest path is
 * written out. Matches of NICE_LEN bytes or more are taken at once. Only
 * integer arithmetic and fixed tie-breaks: the same input gives the same
 * output on every host.
 *
 * The dictionary (-m): a concatenation of whole FILEs, chosen greedily. It
 * starts empty; each round adds the file that most lowers the sum over all
 * FILEs of their compressed size against the dictionary plus the
 * dictionary's own compressed size, until no file lowers it or DICT_MAX bytes
 * are reached. Ties go to the earlier file.
 *
 * Exit status 0, or 1 with a message naming the file. Built with
 * -DLZPACK_NO_MAIN, the file is only lz_compress() (include/lz.h), which the
 * host unit tests (tests/unit/test_lz.c) use.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lz.h"

#define HASH_BITS 16
#define CHAIN_MAX 1024 /* candidates looked at per position */
#define NICE_LEN 256   /* a match this long is taken without looking further */
#define CHAIN_QUICK 16 /* the same two while -m tries dictionaries */
#define NICE_QUICK 32
#define DICT_MAX (64 << 10) /* bytes of dictionary -m builds at most */
#define FILES_MAX 256
#define NONE (-1)

struct buf {
	uint8_t *p;
	size_t len, cap; /* cap: bytes allocated at p (streams being written) */
};

/* The cheapest known way to reach a position of the input. */
struct node {
	uint32_t price;	 /* bytes spent to get here */
	uint32_t len;	 /* how: 0 a literal, else a match of len bytes ... */
	uint32_t offset; /* ... at this offset (the real one, also for a repeat) */
	uint32_t run;	 /* literals since the last match on this path */
	uint32_t last;	 /* the offset of the last match on this path (0: none yet) */
	uint8_t rep;	 /* the match is coded as "previous offset" */
};

struct packer {
	const uint8_t *win; /* dictionary then input, contiguous */
	size_t dict_len, total;
	size_t chain, nice; /* candidates to look at per position; the length taken at once */
	int32_t *head, *prev;
};

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "lzpack: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

static unsigned vlen(size_t v)
{
	unsigned n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Extra bytes a literal run of n needs after its token. */
static unsigned run_ext(size_t n)
{
	return n < LZ_NIBBLE_MAX ? 0 : vlen(n - LZ_NIBBLE_MAX);
}

/* Bytes a match costs: its token, the offset code and the length's varint. */
static unsigned match_cost(size_t len, size_t offset_code)
{
	size_t code = len - LZ_MIN_MATCH;

	return 1 + vlen(offset_code) + (code < LZ_NIBBLE_MAX ? 0 : vlen(code - LZ_NIBBLE_MAX));
}

static uint32_t hash4(const uint8_t *p)
{
	uint32_t v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;

	return (v * 2654435761u) >> (32 - HASH_BITS);
}

static void insert(struct packer *pk, size_t pos)
{
	uint32_t h;

	if (pos + LZ_MIN_MATCH > pk->total)
		return;
	h = hash4(pk->win + pos);
	pk->prev[pos] = pk->head[h];
	pk->head[h] = (int32_t)pos;
}

static size_t common(const uint8_t *a, const uint8_t *b, size_t max)
{
	size_t n = 0;

	while (n < max && a[n] == b[n])
		n++;
	return n;
}

/*
 * The matches at window position pos: lens[k] strictly increasing, offs[k]
 * the nearest offset giving lens[k]. Returns how many.
 */
static int find_matches(const struct packer *pk, size_t pos, uint32_t *lens, uint32_t *offs, int max)
{
	size_t limit = pk->total - pos, best = LZ_MIN_MATCH - 1;
	int n = 0, depth = 0;

	if (limit < LZ_MIN_MATCH)
		return 0;
	for (int32_t c = pk->head[hash4(pk->win + pos)]; c != NONE && (size_t)depth < pk->chain;
	     c = pk->prev[c], depth++) {
		size_t len;

		/* A longer match must differ from the best so far at its last byte. */
		if (pk->win[c + best] != pk->win[pos + best])
			continue;
		len = common(pk->win + c, pk->win + pos, limit);
		if (len <= best)
			continue;
		best = len;
		if (n == max)
			n--;
		lens[n] = (uint32_t)len;
		offs[n] = (uint32_t)(pos - (size_t)c);
		n++;
		if (len >= pk->nice || len == limit)
			break;
	}
	return n;
}

/* Reach position to by a match (coded as a repeat when rep) if that is cheaper than the best way known. */
static void relax(struct node *nodes, size_t to, uint32_t price, uint32_t len, uint32_t offset, int rep)
{
	struct node *t = &nodes[to];

	if (price >= t->price)
		return;
	t->price = price;
	t->len = len;
	t->offset = offset;
	t->rep = (uint8_t)rep;
	t->run = 0;
	t->last = offset;
}

/* Make room for k more bytes in the stream being written. */
static void room(struct buf *o, size_t k)
{
	if (o->len + k <= o->cap)
		return;
	o->cap = o->len + k > 2 * o->cap ? o->len + k : 2 * o->cap;
	o->p = realloc(o->p, o->cap);
	if (!o->p)
		die("out of memory");
}

static void put_varint(struct buf *o, size_t v)
{
	room(o, vlen(v));
	while (v >= 0x80) {
		o->p[o->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	o->p[o->len++] = (uint8_t)v;
}

static void put_sequence(struct buf *o, const uint8_t *lit, size_t nlit, size_t len, size_t offset_code)
{
	size_t code = len ? len - LZ_MIN_MATCH : 0;
	unsigned hi = nlit < LZ_NIBBLE_MAX ? (unsigned)nlit : LZ_NIBBLE_MAX;
	unsigned lo = code < LZ_NIBBLE_MAX ? (unsigned)code : LZ_NIBBLE_MAX;

	room(o, 1);
	o->p[o->len++] = (uint8_t)(hi << 4 | lo);
	if (hi == LZ_NIBBLE_MAX)
		put_varint(o, nlit - LZ_NIBBLE_MAX);
	room(o, nlit);
	memcpy(o->p + o->len, lit, nlit);
	o->len += nlit;
	if (!len)
		return;
	put_varint(o, offset_code);
	if (lo == LZ_NIBBLE_MAX)
		put_varint(o, code - LZ_NIBBLE_MAX);
}

/* Compress in against dict; returns the stream (the caller frees .p). */
static struct buf compress(const uint8_t *dict, size_t dict_len, const uint8_t *in, size_t n, size_t chain, size_t nice)
{
	struct packer pk;
	struct node *nodes;
	struct buf o;
	uint8_t *win;
	uint32_t lens[64], offs[64], sum;
	size_t *path, npath = 0, start = 0;

	if (n > LZ_SIZE_MAX || dict_len > LZ_SIZE_MAX || n + dict_len > INT32_MAX)
		die("input too large");
	win = xmalloc(dict_len + n);
	if (dict_len)
		memcpy(win, dict, dict_len);
	if (n)
		memcpy(win + dict_len, in, n);
	pk.win = win;
	pk.dict_len = dict_len;
	pk.chain = chain;
	pk.nice = nice;
	pk.total = dict_len + n;
	pk.head = xmalloc(sizeof(int32_t) << HASH_BITS);
	pk.prev = xmalloc(sizeof(int32_t) * (pk.total + 1));
	for (size_t i = 0; i < (1u << HASH_BITS); i++)
		pk.head[i] = NONE;
	for (size_t i = 0; i < dict_len; i++)
		insert(&pk, i);

	nodes = xmalloc(sizeof(*nodes) * (n + 1));
	for (size_t i = 0; i <= n; i++)
		nodes[i] = (struct node){ .price = UINT32_MAX };
	nodes[0] = (struct node){ 0 };
	for (size_t i = 0; i < n;) {
		const struct node *c = &nodes[i];
		size_t w = dict_len + i;
		int k = find_matches(&pk, w, lens, offs, (int)(sizeof(lens) / sizeof(lens[0])));
		uint32_t lit = c->price + 1 + run_ext(c->run + 1) - run_ext(c->run);
		size_t lo = LZ_MIN_MATCH;

		if (lit < nodes[i + 1].price) {
			nodes[i + 1] = (struct node){ .price = lit, .run = c->run + 1, .last = c->last };
		}
		/* The previous offset, when it matches here. */
		if (c->last && c->last <= w) {
			size_t len = common(win + w - c->last, win + w, pk.total - w);

			for (size_t l = LZ_MIN_MATCH; l <= len && l <= nice; l++)
				relax(nodes, i + l, c->price + match_cost(l, 0), (uint32_t)l, c->last, 1);
			if (len > nice)
				relax(nodes, i + len, c->price + match_cost(len, 0), (uint32_t)len, c->last, 1);
		}
		for (int j = 0; j < k; j++) {
			for (size_t l = lo; l <= lens[j] && l <= nice; l++)
				relax(nodes, i + l, c->price + match_cost(l, offs[j]), (uint32_t)l, offs[j], 0);
			if (lens[j] > nice)
				relax(nodes, i + lens[j], c->price + match_cost(lens[j], offs[j]), lens[j], offs[j], 0);
			lo = lens[j] + 1;
		}
		insert(&pk, w);
		if (k && lens[k - 1] >= nice) {
			/* Take the long match: the positions inside it are only hashed. */
			size_t end = i + lens[k - 1];

			for (size_t p = i + 1; p < end; p++)
				insert(&pk, dict_len + p);
			i = end;
			continue;
		}
		i++;
	}

	/* Walk back from the end collecting where each match ends, then write the sequences front to back. */
	path = xmalloc(sizeof(size_t) * (n + 1));
	for (size_t pos = n; pos > 0; pos -= nodes[pos].len ? nodes[pos].len : 1)
		if (nodes[pos].len)
			path[npath++] = pos;
	o.cap = LZ_HEADER_MAX + n / 2 + 64; /* room() grows it */
	o.p = xmalloc(o.cap);
	memcpy(o.p, LZ_MAGIC, LZ_MAGIC_LEN);
	o.len = LZ_MAGIC_LEN;
	put_varint(&o, n);
	put_varint(&o, dict_len);
	sum = lz_checksum(in, n);
	room(&o, 4);
	for (int b = 0; b < 4; b++)
		o.p[o.len++] = (uint8_t)(sum >> (8 * b));
	while (npath) {
		size_t end = path[--npath];
		const struct node *t = &nodes[end];

		/* Literals from start, then the match that ends at end. */
		put_sequence(&o, in + start, end - t->len - start, t->len, t->rep ? 0 : t->offset);
		start = end;
	}
	if (start < n)
		put_sequence(&o, in + start, n - start, 0, 0);
	free(path);
	free(nodes);
	free(pk.head);
	free(pk.prev);
	free(win);
	return o;
}

size_t lz_compress(const void *dict, size_t dict_len, const void *in, size_t n, uint8_t **out)
{
	struct buf s = compress(dict, dict_len, in, n, CHAIN_MAX, NICE_LEN);

	*out = s.p;
	return s.len;
}

#ifndef LZPACK_NO_MAIN
static struct buf read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { NULL, 0, 0 };
	size_t cap = 0, got;

	if (!f) {
		fprintf(stderr, "lzpack: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	do {
		if (b.len == cap) {
			cap = cap ? 2 * cap : 65536;
			b.p = realloc(b.p, cap);
			if (!b.p)
				die("out of memory reading %s", path);
		}
		got = fread(b.p + b.len, 1, cap - b.len, f);
		b.len += got;
	} while (got);
	if (ferror(f))
		die("%s: read error", path);
	fclose(f);
	return b;
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(p, 1, n, f) != n || fclose(f)) {
		fprintf(stderr, "lzpack: %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

/* Decode s against dict into a new buffer, or exit naming what. */
static struct buf decode(const struct buf *s, const struct buf *dict, const char *what)
{
	struct lz_header h;
	struct buf o;
	long r;

	if (lz_header(s->p, s->len, &h)) {
		fprintf(stderr, "lzpack: %s: not an ALZ1 stream\n", what);
		exit(1);
	}
	o.p = xmalloc(h.raw_len);
	r = lz_decompress(o.p, h.raw_len, s->p, s->len, dict->p, dict->len);
	if (r < 0) {
		fprintf(stderr, "lzpack: %s: %s (%ld)\n", what, lz_strerror(r), r);
		exit(1);
	}
	o.len = (size_t)r;
	return o;
}

static size_t packed_size(const struct buf *dict, const struct buf *in)
{
	struct buf s = compress(dict->p, dict->len, in->p, in->len, CHAIN_QUICK, NICE_QUICK);
	size_t n = s.len;

	free(s.p);
	return n;
}

/* Total bytes of every file against dict, plus dict against nothing. */
static size_t cost_with(const struct buf *dict, const struct buf *files, int nfiles)
{
	struct buf none = { NULL, 0, 0 };
	size_t sum = packed_size(&none, dict);

	for (int i = 0; i < nfiles; i++)
		sum += packed_size(dict, &files[i]);
	return sum;
}

static void make_dict(const char *out, char **paths, int n)
{
	struct buf files[FILES_MAX], dict = { NULL, 0, 0 };
	int used[FILES_MAX] = { 0 };
	size_t best_cost;

	if (n > FILES_MAX)
		die("more than %d files", FILES_MAX);
	for (int i = 0; i < n; i++)
		files[i] = read_file(paths[i]);
	best_cost = cost_with(&dict, files, n);
	for (;;) {
		int pick = -1;
		size_t pick_cost = best_cost;

		for (int i = 0; i < n; i++) {
			struct buf d;
			size_t c;

			if (used[i] || dict.len + files[i].len > DICT_MAX)
				continue;
			d.len = dict.len + files[i].len;
			d.p = xmalloc(d.len);
			if (dict.len)
				memcpy(d.p, dict.p, dict.len);
			memcpy(d.p + dict.len, files[i].p, files[i].len);
			c = cost_with(&d, files, n);
			free(d.p);
			if (c < pick_cost) {
				pick = i;
				pick_cost = c;
			}
		}
		if (pick < 0)
			break;
		dict.p = realloc(dict.p, dict.len + files[pick].len);
		if (!dict.p)
			die("out of memory");
		memcpy(dict.p + dict.len, files[pick].p, files[pick].len);
		dict.len += files[pick].len;
		used[pick] = 1;
		best_cost = pick_cost;
	}
	write_file(out, dict.p ? dict.p : (const uint8_t *)"", dict.len);
	for (int i = 0; i < n; i++)
		free(files[i].p);
	free(dict.p);
}

static void usage(void)
{
	fprintf(stderr, "usage: lzpack [-D DICT] IN OUT | lzpack -x [-D DICT] IN OUT | lzpack -m OUT FILE...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct buf dict = { NULL, 0, 0 }, in, s, back;
	int i = 1, extract = 0;

	if (argc >= 3 && !strcmp(argv[1], "-m")) {
		make_dict(argv[2], argv + 3, argc - 3);
		return 0;
	}
	if (i < argc && !strcmp(argv[i], "-x")) {
		extract = 1;
		i++;
	}
	if (i + 1 < argc && !strcmp(argv[i], "-D")) {
		dict = read_file(argv[i + 1]);
		i += 2;
	}
	if (argc - i != 2)
		usage();
	in = read_file(argv[i]);
	if (extract) {
		back = decode(&in, &dict, argv[i]);
		write_file(argv[i + 1], back.p, back.len);
		return 0;
	}
	s.len = lz_compress(dict.p, dict.len, in.p, in.len, &s.p);
	back = decode(&s, &dict, argv[i]);
	if (back.len != in.len || memcmp(back.p, in.p, in.len))
		die("%s: the stream does not decode back to the input (compressor bug)", argv[i]);
	write_file(argv[i + 1], s.p, s.len);
	free(s.p);
	free(back.p);
	free(in.p);
	free(dict.p);
	return 0;
}
#endif /* !LZPACK_NO_MAIN */
