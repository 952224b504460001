/* SPDX-License-Identifier: MIT */
/*
 * acpi_tables.c - the survey of every ACPI table (include/acpi_tables.h).
 *
 * drivers/acpi.c takes the first valid FADT and MADT it needs to power off
 * and count CPUs, and skips anything broken. This file is the inspector's
 * view: it lists everything, broken tables included, says what is wrong with
 * each, and decodes the tables that describe physical address space. Like
 * acpi.c it trusts nothing: every range is approved by ok() before it is
 * read, every field only when the table's Length covers it.
 */
#include "acpi_tables.h"

#include <stddef.h>

#include "fwtable.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"

#define RSDP_SIG "RSD PTR "
#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_MAX_LEN 4096
#define RSDP_OFF_OEMID 9
#define RSDP_OFF_REV 15
#define RSDP_OFF_RSDT 16
#define RSDP_OFF_LENGTH 20
#define RSDP_OFF_XSDT 24

#define SDT_HDR 36
#define SDT_MAX_LEN (16U << 20)
#define SDT_OFF_LENGTH 4
#define SDT_OFF_REV 8
#define SDT_OFF_CSUM 9
#define SDT_OFF_OEMID 10
#define SDT_OFF_OEMTID 16
#define SDT_OFF_OEMREV 24
#define SDT_OFF_CREATOR 28
#define SDT_OFF_CREATORREV 32

#define FADT_OFF_FACS 36
#define FADT_OFF_DSDT 40
#define FADT_OFF_X_FACS 132
#define FADT_OFF_X_DSDT 140
#define FADT_MIN_LEN 116
#define FACS_MIN_LEN 64

#define MADT_OFF_LAPIC 36
#define MADT_OFF_ENTRIES 44
#define MADT_IOAPIC 1
#define MADT_IOAPIC_LEN 12
#define MADT_LAPIC_OVERRIDE 5
#define MADT_LAPIC_OVERRIDE_LEN 12

#define MCFG_OFF_ENTRIES 44
#define MCFG_ENTRY_LEN 16
#define HPET_OFF_ADDR 44 /* the Generic Address Structure's address, at 40 + 4 */
#define HPET_MIN_LEN 56

struct ctx {
	struct acpi_survey *s;
	const void *(*p2v)(uint64_t);
	acpi_phys_ok_fn ok;
};

static const uint8_t *map(const struct ctx *c, uint64_t phys, uint64_t len)
{
	if (!phys || phys > UINT64_MAX - len || !c->ok(phys, len))
		return NULL;
	return c->p2v(phys);
}

static void text(char *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[n] = 0;
}

static struct acpi_table_ent *new_ent(const struct ctx *c, uint64_t phys)
{
	struct acpi_survey *s = c->s;

	for (int i = 0; i < s->ntables; i++)
		if (s->t[i].phys == phys)
			return NULL; /* listed twice (RSDT and XSDT): once is enough */
	if (s->ntables == ACPI_MAX_TABLES) {
		s->dropped++;
		return NULL;
	}
	memset(&s->t[s->ntables], 0, sizeof(s->t[0]));
	s->t[s->ntables].phys = phys;
	return &s->t[s->ntables++];
}

static void problem(struct acpi_table_ent *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(struct acpi_table_ent *e, const char *fmt, ...)
{
	va_list ap;

	if (e->problem[0])
		return;
	va_start(ap, fmt);
	kvsnprintf(e->problem, sizeof(e->problem), fmt, ap);
	va_end(ap);
}

/*
 * List the table at phys (expected signature want, or NULL for any). Returns
 * its bytes when its header and length hold (the checksum may still be
 * wrong: e->checksum_ok says), NULL when it cannot be read as a table.
 */
static const uint8_t *add_sdt(const struct ctx *c, uint64_t phys, const char *want, struct acpi_table_ent **out)
{
	struct acpi_table_ent *e = new_ent(c, phys);
	const uint8_t *t;
	uint32_t len;

	*out = e;
	if (!e)
		return NULL;
	e->header = 1;
	t = map(c, phys, SDT_HDR);
	if (!t) {
		kstrlcpy(e->sig, want ? want : "????", sizeof(e->sig));
		problem(e, "header at 0x%llx is not readable RAM", (unsigned long long)phys);
		return NULL;
	}
	text(e->sig, t, 4);
	len = fw_le32(t + SDT_OFF_LENGTH);
	e->length = len;
	e->revision = t[SDT_OFF_REV];
	e->checksum = t[SDT_OFF_CSUM];
	text(e->oem_id, t + SDT_OFF_OEMID, 6);
	text(e->oem_table_id, t + SDT_OFF_OEMTID, 8);
	e->oem_revision = fw_le32(t + SDT_OFF_OEMREV);
	text(e->creator_id, t + SDT_OFF_CREATOR, 4);
	e->creator_revision = fw_le32(t + SDT_OFF_CREATORREV);
	if (want && memcmp(t, want, 4))
		problem(e, "expected signature %s", want);
	if (len < SDT_HDR || len >= SDT_MAX_LEN) {
		problem(e, "length %u is impossible", len);
		return NULL;
	}
	t = map(c, phys, len);
	if (!t) {
		problem(e, "body [0x%llx, +0x%x) is not readable RAM", (unsigned long long)phys, len);
		return NULL;
	}
	e->checksum_ok = !fw_sum8(t, len);
	e->want = (uint8_t)(e->checksum - fw_sum8(t, len));
	if (want && memcmp(t, want, 4))
		return NULL;
	return t;
}

/* ---- decoders: each checks its table's shape first --------------------- */

static int min_len(struct acpi_table_ent *e, uint32_t need)
{
	if (e->length >= need)
		return 1;
	problem(e, "%u bytes is too short for %s (at least %u)", e->length, e->sig, need);
	return 0;
}

static void decode_mcfg(const struct ctx *c, struct acpi_table_ent *e, const uint8_t *t)
{
	uint32_t n;

	if (!min_len(e, MCFG_OFF_ENTRIES))
		return;
	if ((e->length - MCFG_OFF_ENTRIES) % MCFG_ENTRY_LEN) {
		problem(e, "length %u is not 44 + 16 * entries", e->length);
		return;
	}
	n = (e->length - MCFG_OFF_ENTRIES) / MCFG_ENTRY_LEN;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *m = t + MCFG_OFF_ENTRIES + i * MCFG_ENTRY_LEN;
		struct acpi_mcfg_ent *me;

		if (m[10] > m[11]) {
			problem(e, "entry %u: bus range %u-%u is empty", i, m[10], m[11]);
			continue;
		}
		if (!fw_le64(m) || (fw_le64(m) & (ACPI_ECAM_BUS_SIZE - 1))) {
			problem(e, "entry %u: ECAM base 0x%llx is not 1 MiB aligned", i,
				(unsigned long long)fw_le64(m));
			continue;
		}
		if (c->s->nmcfg == ACPI_MAX_MCFG)
			return;
		me = &c->s->mcfg[c->s->nmcfg++];
		me->base = fw_le64(m);
		memcpy(&me->seg, m + 8, sizeof(me->seg));
		me->bus_start = m[10];
		me->bus_end = m[11];
	}
}

static void decode_hpet(const struct ctx *c, struct acpi_table_ent *e, const uint8_t *t)
{
	uint64_t a;

	if (!min_len(e, HPET_MIN_LEN))
		return;
	a = fw_le64(t + HPET_OFF_ADDR);
	if (!a) {
		problem(e, "base address 0");
		return;
	}
	if (c->s->nhpet < ACPI_MAX_HPET)
		c->s->hpet[c->s->nhpet++] = a;
}

static void decode_madt(const struct ctx *c, struct acpi_table_ent *e, const uint8_t *t)
{
	struct acpi_survey *s = c->s;
	uint32_t off, elen;

	if (!min_len(e, MADT_OFF_ENTRIES) || s->lapic)
		return;
	s->lapic = fw_le32(t + MADT_OFF_LAPIC);
	for (off = MADT_OFF_ENTRIES; off + 2 <= e->length; off += elen) {
		elen = t[off + 1];
		if (elen < 2 || elen > e->length - off) {
			problem(e, "entry at offset %u: length %u runs past the table", off, elen);
			return;
		}
		if (t[off] == MADT_IOAPIC && elen >= MADT_IOAPIC_LEN && s->nioapic < ACPI_MAX_IOAPIC) {
			struct acpi_ioapic *io = &s->ioapic[s->nioapic++];

			io->id = t[off + 2];
			io->addr = fw_le32(t + off + 4);
			io->gsi_base = fw_le32(t + off + 8);
		} else if (t[off] == MADT_LAPIC_OVERRIDE && elen >= MADT_LAPIC_OVERRIDE_LEN) {
			s->lapic = fw_le64(t + off + 4);
		}
	}
}

/* FADT fixed-hardware blocks: (address offset, length offset, name), ACPI 6.5 table 5.9. */
static const struct {
	uint8_t addr, len;
	const char *name;
} fixed_blocks[] = {
	{ 56, 88, "PM1a_EVT_BLK" }, { 60, 88, "PM1b_EVT_BLK" }, { 64, 89, "PM1a_CNT_BLK" }, { 68, 89, "PM1b_CNT_BLK" },
	{ 72, 90, "PM2_CNT_BLK" },  { 76, 91, "PM_TMR" },	{ 80, 92, "GPE0_BLK" },	    { 84, 93, "GPE1_BLK" },
};

static void decode_fadt(const struct ctx *c, struct acpi_table_ent *e, const uint8_t *t, uint64_t *dsdt, uint64_t *facs)
{
	struct acpi_survey *s = c->s;

	if (!min_len(e, FADT_MIN_LEN))
		return;
	*facs = fw_le32(t + FADT_OFF_FACS);
	*dsdt = fw_le32(t + FADT_OFF_DSDT);
	if (e->length >= FADT_OFF_X_FACS + 8 && fw_le64(t + FADT_OFF_X_FACS))
		*facs = fw_le64(t + FADT_OFF_X_FACS);
	if (e->length >= FADT_OFF_X_DSDT + 8 && fw_le64(t + FADT_OFF_X_DSDT))
		*dsdt = fw_le64(t + FADT_OFF_X_DSDT);
	for (size_t i = 0; i < sizeof(fixed_blocks) / sizeof(fixed_blocks[0]) && s->nfixed < ACPI_MAX_FIXED_IO; i++) {
		uint32_t port = fw_le32(t + fixed_blocks[i].addr);
		uint8_t len = t[fixed_blocks[i].len];

		/* PM2 and the event blocks' halves: the FADT gives the whole block's length. */
		if (!port || !len || port > 0xFFFF)
			continue;
		s->fixed[s->nfixed].name = fixed_blocks[i].name;
		s->fixed[s->nfixed].port = (uint16_t)port;
		s->fixed[s->nfixed].len = len;
		s->nfixed++;
	}
}

static void add_facs(const struct ctx *c, uint64_t phys)
{
	struct acpi_table_ent *e = new_ent(c, phys);
	const uint8_t *t;

	if (!e)
		return;
	kstrlcpy(e->sig, "FACS", sizeof(e->sig));
	e->checksum_ok = 1; /* the FACS has no checksum */
	t = map(c, phys, FACS_MIN_LEN);
	if (!t) {
		problem(e, "not readable RAM");
		return;
	}
	e->length = fw_le32(t + 4);
	if (memcmp(t, "FACS", 4))
		problem(e, "signature is not FACS");
	else if (e->length < FACS_MIN_LEN)
		problem(e, "length %u is below 64", e->length);
}

/* The RSDP: listed like a table; fills *rsdt / *xsdt. */
static int add_rsdp(const struct ctx *c, uint64_t phys, uint64_t *rsdt, uint64_t *xsdt)
{
	struct acpi_table_ent *e;
	const uint8_t *r = map(c, phys, RSDP_V1_LEN);
	uint32_t len = RSDP_V1_LEN;

	if (!r || memcmp(r, RSDP_SIG, 8))
		return -ENOENT;
	e = new_ent(c, phys);
	if (!e)
		return -ENOENT;
	kstrlcpy(e->sig, "RSDP", sizeof(e->sig));
	e->revision = r[RSDP_OFF_REV];
	e->checksum = r[8];
	text(e->oem_id, r + RSDP_OFF_OEMID, 6);
	e->checksum_ok = !fw_sum8(r, RSDP_V1_LEN);
	e->want = (uint8_t)(e->checksum - fw_sum8(r, RSDP_V1_LEN));
	*rsdt = fw_le32(r + RSDP_OFF_RSDT);
	*xsdt = 0;
	if (e->revision >= 2) {
		r = map(c, phys, RSDP_V2_LEN);
		len = r ? fw_le32(r + RSDP_OFF_LENGTH) : 0;
		if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN || !(r = map(c, phys, len))) {
			problem(e, "length %u is impossible", len);
			len = RSDP_V1_LEN;
		} else {
			e->checksum_ok = e->checksum_ok && !fw_sum8(r, len);
			*xsdt = fw_le64(r + RSDP_OFF_XSDT);
		}
	}
	e->length = len;
	if (!e->checksum_ok)
		problem(e, "checksum does not sum to 0");
	return e->checksum_ok ? 0 : -ENOENT;
}

static void survey_table(const struct ctx *c, uint64_t phys, uint64_t *dsdt, uint64_t *facs,
			 struct acpi_table_ent **fadt)
{
	struct acpi_table_ent *e;
	const uint8_t *t = add_sdt(c, phys, NULL, &e);

	if (!t)
		return;
	if (!e->checksum_ok) {
		problem(e, "checksum 0x%02x, should be 0x%02x", e->checksum, e->want);
		return; /* not decoded: what else in it would be right? */
	}
	if (!memcmp(e->sig, "MCFG", 4))
		decode_mcfg(c, e, t);
	else if (!memcmp(e->sig, "HPET", 4))
		decode_hpet(c, e, t);
	else if (!memcmp(e->sig, "APIC", 4))
		decode_madt(c, e, t);
	else if (!memcmp(e->sig, "FACP", 4) && !*fadt) {
		decode_fadt(c, e, t, dsdt, facs);
		if (!e->problem[0])
			*fadt = e;
	}
}

/*
 * 1 when the FADT's pointer to its DSDT or FACS (sig) lands on a table that
 * is listed already; the FADT is flagged when that table is something else.
 */
static int listed_already(const struct ctx *c, struct acpi_table_ent *fadt, uint64_t phys, const char *sig)
{
	for (int i = 0; i < c->s->ntables; i++) {
		if (c->s->t[i].phys != phys)
			continue;
		if (fadt && strncmp(c->s->t[i].sig, sig, 4))
			problem(fadt, "%s pointer 0x%llx is a %s table", sig, (unsigned long long)phys, c->s->t[i].sig);
		return 1;
	}
	return 0;
}

int acpi_survey(struct acpi_survey *s, uint64_t rsdp_phys, const void *(*phys_to_virt)(uint64_t), acpi_phys_ok_fn ok)
{
	struct ctx c = { s, phys_to_virt, ok };
	uint64_t rsdt, xsdt, dsdt = 0, facs = 0;
	const uint8_t *root = NULL, *r;
	struct acpi_table_ent *e, *root_e = NULL, *fadt = NULL;
	uint32_t rlen = 0, esize = 8;

	memset(s, 0, sizeof(*s));
	if (!phys_to_virt || !ok || add_rsdp(&c, rsdp_phys, &rsdt, &xsdt))
		return -ENOENT;
	if (xsdt) {
		root = add_sdt(&c, xsdt, "XSDT", &e);
		if (root && !e->checksum_ok) {
			problem(e, "checksum 0x%02x, should be 0x%02x", e->checksum, e->want);
			root = NULL;
		}
		rlen = root ? e->length : 0;
		root_e = root ? e : NULL;
	}
	if (rsdt) {
		r = add_sdt(&c, rsdt, "RSDT", &e);
		if (r && !e->checksum_ok)
			problem(e, "checksum 0x%02x, should be 0x%02x", e->checksum, e->want);
		else if (r && !root) {
			root = r;
			rlen = e->length;
			esize = 4;
			root_e = e;
		}
	}
	for (uint32_t off = SDT_HDR; root && off + esize <= rlen; off += esize)
		survey_table(&c, esize == 8 ? fw_le64(root + off) : fw_le32(root + off), &dsdt, &facs, &fadt);
	if (s->dropped)
		problem(root_e, "%u entries; %d beyond the survey's %d tables left out", (rlen - SDT_HDR) / esize,
			s->dropped, ACPI_MAX_TABLES);
	if (dsdt && !listed_already(&c, fadt, dsdt, "DSDT")) {
		r = add_sdt(&c, dsdt, "DSDT", &e);
		if (r && !e->checksum_ok)
			problem(e, "checksum 0x%02x, should be 0x%02x", e->checksum, e->want);
	}
	if (facs && !listed_already(&c, fadt, facs, "FACS"))
		add_facs(&c, facs);
	for (int i = 0; i < s->ntables; i++)
		s->bad += !s->t[i].checksum_ok || s->t[i].problem[0];
	return s->ntables;
}

const struct acpi_table_ent *acpi_survey_find(const struct acpi_survey *s, const char *sig, int n)
{
	for (int i = 0; i < s->ntables; i++)
		if (!strncmp(s->t[i].sig, sig, 4) && n-- == 0)
			return &s->t[i];
	return NULL;
}
