/* SPDX-License-Identifier: MIT */
/*
 * json.h - JSON-lines records: one object per line, "rec" first, 64-bit
 * numbers that may exceed 2^53 (addresses, attributes) as "0x..." strings.
 * The schema of every record is in docs/records.md.
 */
#ifndef ATLAS_JSON_H
#define ATLAS_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JREC_MAX 1024

struct jrec {
	char buf[JREC_MAX];
	size_t len;
	int overflow;
};

/* Start {"rec":"<name>" */
void jrec_begin(struct jrec *r, const char *name);
/* ,"key":"value" with the value escaped (quotes, backslash, control chars). */
void jrec_str(struct jrec *r, const char *key, const char *val);
/*
 * ,"key":"value" for n bytes of any data (a program's output): NUL bytes are
 * kept as \u0000, bytes that are not valid UTF-8 become \u0080..\u00ff.
 */
void jrec_strn(struct jrec *r, const char *key, const char *val, size_t n);
/* Bytes jrec_strn writes for val (its quotes included). */
size_t jrec_strn_size(const char *val, size_t n);
/* ,"key":"0x<hex>" */
void jrec_hex(struct jrec *r, const char *key, uint64_t v);
/* ,"key":<decimal> */
void jrec_u64(struct jrec *r, const char *key, uint64_t v);
void jrec_i64(struct jrec *r, const char *key, int64_t v);
/* ,"key":["0x<hex>",...] with n values */
void jrec_hex_array(struct jrec *r, const char *key, const uint64_t *v, size_t n);
/* ,"key":true|false */
void jrec_bool(struct jrec *r, const char *key, int v);
/*
 * Close the object and return the finished line (with "\n"), or NULL when it
 * did not fit in JREC_MAX (the caller reports that instead of a torn record).
 */
const char *jrec_end(struct jrec *r);

#endif
