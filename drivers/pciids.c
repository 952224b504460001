/* SPDX-License-Identifier: MIT */
/*
 * pciids.c - lookups in pci.ids (include/pciids.h). The text comes from the
 * ESP, so it is input like any other: a line without a newline at the end of
 * the file, a bad hex digit, a vendor out of order or a name too long for the
 * caller's buffer must not take a lookup out of bounds.
 */
#include "pciids.h"

#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"

/* n hex digits at p (inside [p, end)) into *v; 0 or -1. */
static int hexn(const char *p, const char *end, int n, uint32_t *v)
{
	uint32_t x = 0;

	if (end - p < n)
		return -1;
	for (int i = 0; i < n; i++) {
		int d = hex_digit_value(p[i]);

		if (d < 0)
			return -1;
		x = x << 4 | (uint32_t)d;
	}
	*v = x;
	return 0;
}

/* The start of the line after the one at off (len when none). */
static size_t next_line(const struct pciids *db, size_t off)
{
	const char *p = db->text + off, *end = db->text + db->len;

	/* Eight bytes at a time through long names: the walk over the whole file is the boot-time cost. */
	while (end - p >= 8) {
		uint64_t w, x;

		memcpy(&w, p, 8);
		x = w ^ 0x0A0A0A0A0A0A0A0AULL;
		if ((x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL)
			break;
		p += 8;
	}
	while (p < end && *p != '\n')
		p++;
	return p < end ? (size_t)(p - db->text) + 1 : db->len;
}

static void add(struct pciids_ent *t, uint32_t *n, uint32_t cap, uint16_t id, size_t off, int *full)
{
	if (*n == cap) {
		*full = 1;
		return;
	}
	t[*n].id = id;
	t[*n].off = (uint32_t)off;
	(*n)++;
}

int pciids_init(struct pciids *db, const char *text, size_t len, struct pciids_ent *idx, uint32_t cap)
{
	const char *end = text + len;
	int full = 0;
	uint32_t half = cap / 4 * 3; /* ~2500 vendors, ~25 classes: vendors get the most room */

	memset(db, 0, sizeof(*db));
	if (!text || !len || !idx || cap < 4 || len > UINT32_MAX)
		return -EINVAL;
	db->text = text;
	db->len = len;
	db->vendors = idx;
	db->classes = idx + half;
	db->cap = cap;
	for (size_t off = 0; off < len; off = next_line(db, off)) {
		const char *p = text + off;
		uint32_t v;

		if (*p == '\t' || *p == '#' || *p == '\n')
			continue;
		if (p[0] == 'C' && end - p > 2 && p[1] == ' ' && !hexn(p + 2, end, 2, &v)) {
			add(db->classes, &db->nclasses, cap - half, (uint16_t)v, off, &full);
			continue;
		}
		if (!hexn(p, end, 4, &v) && end - p > 4 && p[4] == ' ') {
			if (db->nvendors && db->vendors[db->nvendors - 1].id >= v)
				db->unsorted++;
			add(db->vendors, &db->nvendors, half, (uint16_t)v, off, &full);
		}
	}
	return full ? -ENOSPC : (int)db->nvendors;
}

/* Copy the name after "ID  " on the line at off (id_len characters of ID at indent tabs). */
static const char *name_at(const struct pciids *db, size_t off, size_t skip, char *buf, size_t size)
{
	const char *p = db->text + off + skip, *end = db->text + db->len;
	size_t n = 0;

	while (p < end && *p == ' ')
		p++;
	while (p + n < end && p[n] != '\n' && p[n] != '\r')
		n++;
	if (!size)
		return NULL;
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = 0;
	return buf;
}

static const struct pciids_ent *find(const struct pciids_ent *t, uint32_t n, uint16_t id, int sorted)
{
	uint32_t lo = 0, hi = n;

	if (!sorted) {
		for (uint32_t i = 0; i < n; i++)
			if (t[i].id == id)
				return &t[i];
		return NULL;
	}
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (t[mid].id == id)
			return &t[mid];
		if (t[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * Search the lines below the entry at off, at indent tabs, for id (digits hex
 * digits; id2 too when id2_digits): the line's offset, or 0. Stops at the next
 * line of a smaller indent.
 */
static size_t find_child(const struct pciids *db, size_t off, int indent, int digits, uint32_t id, int id2_digits,
			 uint32_t id2)
{
	const char *end = db->text + db->len;

	for (off = next_line(db, off); off < db->len; off = next_line(db, off)) {
		const char *p = db->text + off;
		int tabs = 0;
		uint32_t v, v2;

		if (*p == '#' || *p == '\n')
			continue;
		while (tabs <= indent && p + tabs < end && p[tabs] == '\t')
			tabs++;
		if (tabs < indent)
			return 0; /* past the parent's children */
		if (tabs > indent)
			continue; /* a child of a sibling */
		if (hexn(p + tabs, end, digits, &v) || v != id)
			continue;
		if (id2_digits &&
		    (p + tabs + digits >= end || hexn(p + tabs + digits + 1, end, id2_digits, &v2) || v2 != id2))
			continue;
		return off;
	}
	return 0;
}

const char *pciids_vendor(const struct pciids *db, uint16_t vendor, char *buf, size_t size)
{
	const struct pciids_ent *e = db && db->text ? find(db->vendors, db->nvendors, vendor, !db->unsorted) : NULL;

	return e ? name_at(db, e->off, 4, buf, size) : NULL;
}

const char *pciids_device(const struct pciids *db, uint16_t vendor, uint16_t device, char *buf, size_t size)
{
	const struct pciids_ent *e = db && db->text ? find(db->vendors, db->nvendors, vendor, !db->unsorted) : NULL;
	size_t off = e ? find_child(db, e->off, 1, 4, device, 0, 0) : 0;

	return off ? name_at(db, off, 1 + 4, buf, size) : NULL;
}

const char *pciids_subsystem(const struct pciids *db, uint16_t vendor, uint16_t device, uint16_t subv, uint16_t subd,
			     char *buf, size_t size)
{
	const struct pciids_ent *e = db && db->text ? find(db->vendors, db->nvendors, vendor, !db->unsorted) : NULL;
	size_t off = e ? find_child(db, e->off, 1, 4, device, 0, 0) : 0;

	off = off ? find_child(db, off, 2, 4, subv, 4, subd) : 0;
	return off ? name_at(db, off, 2 + 4 + 1 + 4, buf, size) : NULL;
}

const char *pciids_class(const struct pciids *db, uint8_t cls, char *buf, size_t size)
{
	const struct pciids_ent *e = db && db->text ? find(db->classes, db->nclasses, cls, 0) : NULL;

	return e ? name_at(db, e->off, 2 + 2, buf, size) : NULL;
}

const char *pciids_subclass(const struct pciids *db, uint8_t cls, uint8_t sub, char *buf, size_t size)
{
	const struct pciids_ent *e = db && db->text ? find(db->classes, db->nclasses, cls, 0) : NULL;
	size_t off = e ? find_child(db, e->off, 1, 2, sub, 0, 0) : 0;

	return off ? name_at(db, off, 1 + 2, buf, size) : NULL;
}

const char *pciids_progif(const struct pciids *db, uint8_t cls, uint8_t sub, uint8_t progif, char *buf, size_t size)
{
	const struct pciids_ent *e = db && db->text ? find(db->classes, db->nclasses, cls, 0) : NULL;
	size_t off = e ? find_child(db, e->off, 1, 2, sub, 0, 0) : 0;

	off = off ? find_child(db, off, 2, 2, progif, 0, 0) : 0;
	return off ? name_at(db, off, 2 + 2, buf, size) : NULL;
}

const char *pciids_describe(const struct pciids *db, uint16_t vendor, uint16_t device, char *buf, size_t size)
{
	char v[96], d[128];

	if (!pciids_vendor(db, vendor, v, sizeof(v)))
		ksnprintf(buf, size, "Device %04x:%04x", vendor, device);
	else if (!pciids_device(db, vendor, device, d, sizeof(d)))
		ksnprintf(buf, size, "%s Device %04x", v, device);
	else
		ksnprintf(buf, size, "%s %s", v, d);
	return buf;
}

const char *pciids_class_text(const struct pciids *db, uint8_t cls, uint8_t sub, char *buf, size_t size)
{
	if (pciids_subclass(db, cls, sub, buf, size) || pciids_class(db, cls, buf, size))
		return buf;
	ksnprintf(buf, size, "Class %02x%02x", cls, sub);
	return buf;
}
