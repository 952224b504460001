/* SPDX-License-Identifier: MIT */
/*
 * json.c - building one JSON-lines record in a fixed buffer. A record that
 * would not fit is refused whole: a reader must never see half an object.
 */
#include "json.h"

#include "kprintf.h"
#include "kstring.h"

static void raw(struct jrec *r, const char *s, size_t n)
{
	if (r->overflow || r->len + n + 3 > sizeof(r->buf)) { /* keep room for "}\n\0" */
		r->overflow = 1;
		return;
	}
	memcpy(r->buf + r->len, s, n);
	r->len += n;
}

static void rawz(struct jrec *r, const char *s)
{
	raw(r, s, strlen(s));
}

/* Bytes of the UTF-8 sequence starting at s[0] (n bytes left), or 0 when it is not a valid one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] >= 0xC2 && s[0] <= 0xDF ? 2 :
		     s[0] >= 0xE0 && s[0] <= 0xEF ? 3 :
		     s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 :
						    0;

	if (!len || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

/*
 * n bytes of arbitrary data as a JSON string: what quoted() does, plus NUL
 * bytes kept (\u0000) and every byte that is not part of valid UTF-8
 * written as the code point of the same value (\u0080..\u00ff), so the
 * record stays valid JSON and nothing is lost.
 */
static void quoted_bytes(struct jrec *r, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	raw(r, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		size_t u;

		if (c == '"' || c == '\\') {
			e[1] = (char)c;
			raw(r, e, 2);
		} else if (c == '\n') {
			raw(r, "\\n", 2);
		} else if (c < 0x20 || c == 0x7f) {
			raw(r, e, 6);
		} else if (c < 0x80) {
			raw(r, (const char *)&c, 1);
		} else if ((u = utf8_len((const unsigned char *)s + i, n - i)) != 0) {
			raw(r, s + i, u);
			i += u - 1;
		} else {
			raw(r, e, 6);
		}
	}
	raw(r, "\"", 1);
}

/* A C string as a JSON string: quoted_bytes() over its length, so bytes that are not UTF-8 stay valid JSON. */
static void quoted(struct jrec *r, const char *s)
{
	quoted_bytes(r, s, strlen(s));
}

static void key(struct jrec *r, const char *k)
{
	raw(r, ",", 1);
	quoted(r, k);
	raw(r, ":", 1);
}

void jrec_begin(struct jrec *r, const char *name)
{
	r->len = 0;
	r->overflow = 0;
	rawz(r, "{\"rec\":");
	quoted(r, name);
}

void jrec_str(struct jrec *r, const char *k, const char *val)
{
	key(r, k);
	quoted(r, val ? val : "");
}

size_t jrec_strn_size(const char *s, size_t n)
{
	size_t out = 2;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		size_t u;

		if (c == '"' || c == '\\' || c == '\n')
			out += 2;
		else if (c < 0x20 || c == 0x7f)
			out += 6;
		else if (c < 0x80)
			out++;
		else if ((u = utf8_len((const unsigned char *)s + i, n - i)) != 0)
			out += u, i += u - 1;
		else
			out += 6;
	}
	return out;
}

void jrec_strn(struct jrec *r, const char *k, const char *val, size_t n)
{
	key(r, k);
	quoted_bytes(r, val, n);
}

void jrec_hex(struct jrec *r, const char *k, uint64_t v)
{
	char b[24];

	key(r, k);
	raw(r, b, (size_t)ksnprintf(b, sizeof(b), "\"0x%llx\"", (unsigned long long)v));
}

void jrec_hex_array(struct jrec *r, const char *k, const uint64_t *v, size_t n)
{
	char b[24];

	key(r, k);
	raw(r, "[", 1);
	for (size_t i = 0; i < n; i++)
		raw(r, b, (size_t)ksnprintf(b, sizeof(b), "%s\"0x%llx\"", i ? "," : "", (unsigned long long)v[i]));
	raw(r, "]", 1);
}

void jrec_u64(struct jrec *r, const char *k, uint64_t v)
{
	char b[24];

	key(r, k);
	raw(r, b, (size_t)ksnprintf(b, sizeof(b), "%llu", (unsigned long long)v));
}

void jrec_i64(struct jrec *r, const char *k, int64_t v)
{
	char b[24];

	key(r, k);
	raw(r, b, (size_t)ksnprintf(b, sizeof(b), "%lld", (long long)v));
}

void jrec_bool(struct jrec *r, const char *k, int v)
{
	key(r, k);
	rawz(r, v ? "true" : "false");
}

const char *jrec_end(struct jrec *r)
{
	if (r->overflow)
		return NULL;
	r->buf[r->len++] = '}';
	r->buf[r->len++] = '\n';
	r->buf[r->len] = 0;
	return r->buf;
}
