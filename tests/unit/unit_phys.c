/* SPDX-License-Identifier: MIT */
/*
 * unit_phys.c - fake physical memory from captured firmware tables
 * (tests/unit/unit_phys.h).
 */
#include "unit_phys.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct unit_phys *cur;
static uint64_t approved;
static int have_approved;

static uint8_t *alloc_copy(const uint8_t *src, uint32_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	if (src)
		memcpy(p, src, len);
	else
		memset(p, 0, len);
	return p;
}

void unit_phys_load(struct unit_phys *m, const char *name)
{
	char path[512];
	uint8_t hdr[12];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", UNIT_FIXTURES, name);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	m->n = 0;
	while (fread(hdr, 1, sizeof(hdr), f) == sizeof(hdr)) {
		struct unit_chunk *c;

		assert_true(m->n < UNIT_PHYS_MAX);
		c = &m->c[m->n++];
		memcpy(&c->phys, hdr, 8);
		memcpy(&c->len, hdr + 8, 4);
		c->buf = alloc_copy(NULL, c->len);
		if (fread(c->buf, 1, c->len, f) != c->len)
			fail_msg("%s: chunk at %#llx is cut short", path, (unsigned long long)c->phys);
	}
	fclose(f);
	assert_true(m->n > 0);
}

void unit_phys_copy(struct unit_phys *dst, const struct unit_phys *src)
{
	dst->n = src->n;
	for (int i = 0; i < src->n; i++) {
		dst->c[i] = src->c[i];
		dst->c[i].buf = alloc_copy(src->c[i].buf, src->c[i].len);
	}
}

void unit_phys_free(struct unit_phys *m)
{
	for (int i = 0; i < m->n; i++)
		free(m->c[i].buf);
	m->n = 0;
	if (cur == m)
		cur = NULL;
}

struct unit_chunk *unit_phys_chunk(struct unit_phys *m, uint64_t phys)
{
	for (int i = 0; i < m->n; i++)
		if (m->c[i].phys == phys)
			return &m->c[i];
	fail_msg("no chunk at %#llx", (unsigned long long)phys);
	return NULL;
}

uint8_t *unit_phys_add(struct unit_phys *m, uint64_t phys, uint32_t len)
{
	struct unit_chunk *c;

	assert_true(m->n < UNIT_PHYS_MAX);
	c = &m->c[m->n++];
	c->phys = phys;
	c->len = len;
	c->buf = alloc_copy(NULL, len);
	return c->buf;
}

void unit_phys_cut(struct unit_phys *m, uint64_t phys, uint32_t len)
{
	struct unit_chunk *c = unit_phys_chunk(m, phys);
	uint8_t *b;

	assert_true(len <= c->len);
	b = alloc_copy(c->buf, len);
	free(c->buf);
	c->buf = b;
	c->len = len;
}

void unit_phys_use(struct unit_phys *m)
{
	cur = m;
	have_approved = 0;
}

static struct unit_chunk *find(uint64_t phys, uint64_t len)
{
	for (int i = 0; cur && i < cur->n; i++) {
		struct unit_chunk *c = &cur->c[i];

		if (phys >= c->phys && phys - c->phys <= c->len && len <= c->len - (phys - c->phys))
			return c;
	}
	return NULL;
}

int unit_phys_ok(uint64_t phys, uint64_t len)
{
	if (!len || !find(phys, len))
		return 0;
	approved = phys;
	have_approved = 1;
	return 1;
}

const void *unit_phys_p2v(uint64_t phys)
{
	struct unit_chunk *c = find(phys, 1);

	if (!have_approved || approved != phys)
		fail_msg("phys_to_virt(%#llx) without ok() first", (unsigned long long)phys);
	have_approved = 0;
	if (!c)
		fail_msg("phys_to_virt(%#llx): nothing there", (unsigned long long)phys);
	return c->buf + (phys - c->phys);
}

void unit_fix_sum(uint8_t *p, size_t len, size_t off)
{
	uint8_t s = 0;

	p[off] = 0;
	for (size_t i = 0; i < len; i++)
		s += p[i];
	p[off] = (uint8_t)-s;
}
