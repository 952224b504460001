/* SPDX-License-Identifier: MIT */
/*
 * test_acpi_tables.c - host tests for drivers/acpi_tables.c (the acpidump -s
 * survey) against the tables of real machines and broken copies of them.
 *
 * Fixtures: tests/unit/fixtures/{q35,pc}-acpi.phys, every ACPI structure of
 * a QEMU 7.2 + OVMF guest (the issue-15 boot tests' machines) copied out of
 * guest memory by QEMU's pmemsave (tools/capture-fwtables.py). The expected
 * values are QEMU's own: ICH9's PM block at 0x600 and PIIX4's at 0xb000, the
 * q35 ECAM window at 0xb0000000 (buses 0-255), HPET 0xfed00000, LAPIC
 * 0xfee00000, one IOAPIC at 0xfec00000.
 *
 * Every table lives in its own exact-size allocation (tests/unit/unit_phys.h):
 * a read past a table's end is an ASan report, and a range the survey did not
 * ask ok() about first fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acpi_tables.h"
#include "kerrno.h"
#include "unit_phys.h"

/* Where OVMF put the tables in both captures (the first chunk is the RSDP). */
#define RSDP 0x1f77d014ULL
#define XSDT 0x1f77c0e8ULL
#define RSDT 0x1f77c074ULL
#define FACP 0x1f778000ULL
#define APIC 0x1f777000ULL
#define HPET 0x1f776000ULL
#define Q35_MCFG 0x1f775000ULL
#define DSDT 0x1f779000ULL
#define FACS 0x1f7dc000ULL
#define NOWHERE 0x7ff00000ULL /* no chunk there */

#define SDT_HDR 36
#define CSUM 9

static struct unit_phys q35, pc, m;
static struct acpi_survey s;

static int group_setup(void **state)
{
	(void)state;
	unit_phys_load(&q35, "q35-acpi.phys");
	unit_phys_load(&pc, "pc-acpi.phys");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unit_phys_free(&q35);
	unit_phys_free(&pc);
	return 0;
}

/* Each test works on m, a fresh copy of the q35 tables. */
static int setup(void **state)
{
	(void)state;
	unit_phys_copy(&m, &q35);
	unit_phys_use(&m);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_phys_free(&m);
	return 0;
}

static int survey(void)
{
	return acpi_survey(&s, RSDP, unit_phys_p2v, unit_phys_ok);
}

static const struct acpi_table_ent *at(uint64_t phys)
{
	for (int i = 0; i < s.ntables; i++)
		if (s.t[i].phys == phys)
			return &s.t[i];
	return NULL;
}

static uint8_t *bytes(uint64_t phys)
{
	return unit_phys_chunk(&m, phys)->buf;
}

static uint32_t len_of(uint64_t phys)
{
	return unit_phys_chunk(&m, phys)->len;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/* Only the table at phys is flagged (bad checksum or a problem). */
static void only_flagged(uint64_t phys)
{
	int seen = 0;

	for (int i = 0; i < s.ntables; i++) {
		const struct acpi_table_ent *e = &s.t[i];
		int bad = !e->checksum_ok || e->problem[0];

		if (e->phys == phys)
			seen = bad;
		else if (bad)
			fail_msg("%s at %#llx flagged too: %s", e->sig, (unsigned long long)e->phys, e->problem);
	}
	if (!seen)
		fail_msg("the table at %#llx is not flagged", (unsigned long long)phys);
	assert_int_equal(s.bad, 1);
}

/* ---- the real tables ----------------------------------------------------- */

static void test_q35_as_captured(void **state)
{
	static const struct {
		uint64_t phys;
		const char *sig;
		uint32_t len;
		uint8_t rev;
	} want[] = {
		{ RSDP, "RSDP", 36, 2 },     { XSDT, "XSDT", 84, 1 },	    { RSDT, "RSDT", 60, 1 },
		{ FACP, "FACP", 244, 3 },    { APIC, "APIC", 120, 1 },	    { HPET, "HPET", 56, 1 },
		{ Q35_MCFG, "MCFG", 60, 1 }, { 0x1f774000, "WAET", 40, 1 }, { 0x1f773000, "BGRT", 56, 1 },
		{ DSDT, "DSDT", 8556, 1 },   { FACS, "FACS", 64, 0 },
	};
	(void)state;
	assert_int_equal(survey(), 11);
	assert_int_equal(s.bad, 0);
	for (int i = 0; i < 11; i++) {
		const struct acpi_table_ent *e = &s.t[i];

		assert_true(e->phys == want[i].phys);
		assert_string_equal(e->sig, want[i].sig);
		assert_int_equal(e->length, want[i].len);
		assert_int_equal(e->revision, want[i].rev);
		assert_true(e->checksum_ok);
		assert_string_equal(e->problem, "");
		assert_int_equal(e->want, e->checksum);
		assert_int_equal(e->header, i != 0 && i != 10);
	}
	assert_string_equal(s.t[0].oem_id, "BOCHS ");
	assert_string_equal(s.t[3].oem_id, "BOCHS ");
	assert_string_equal(s.t[3].oem_table_id, "BXPC    ");
	assert_string_equal(s.t[3].creator_id, "BXPC");
	assert_int_equal(s.t[3].oem_revision, 1);
	assert_string_equal(s.t[8].oem_id, "INTEL ");
	assert_string_equal(s.t[8].oem_table_id, "EDK2    ");
	assert_int_equal(s.t[8].oem_revision, 2);
	assert_int_equal(s.t[8].creator_revision, 0x1000013);

	assert_int_equal(s.nmcfg, 1);
	assert_true(s.mcfg[0].base == 0xb0000000ULL);
	assert_int_equal(s.mcfg[0].seg, 0);
	assert_int_equal(s.mcfg[0].bus_start, 0);
	assert_int_equal(s.mcfg[0].bus_end, 255);
	assert_int_equal(s.nhpet, 1);
	assert_true(s.hpet[0] == 0xfed00000ULL);
	assert_true(s.lapic == 0xfee00000ULL);
	assert_int_equal(s.nioapic, 1);
	assert_int_equal(s.ioapic[0].id, 0);
	assert_int_equal(s.ioapic[0].addr, 0xfec00000U);
	assert_int_equal(s.ioapic[0].gsi_base, 0);
	/* ICH9's ACPI PM block at 0x600 (QEMU's ich9 PMBASE), GPE0 at 0x620. */
	assert_int_equal(s.nfixed, 4);
	assert_string_equal(s.fixed[0].name, "PM1a_EVT_BLK");
	assert_int_equal(s.fixed[0].port, 0x600);
	assert_int_equal(s.fixed[0].len, 4);
	assert_string_equal(s.fixed[1].name, "PM1a_CNT_BLK");
	assert_int_equal(s.fixed[1].port, 0x604);
	assert_int_equal(s.fixed[1].len, 2);
	assert_string_equal(s.fixed[2].name, "PM_TMR");
	assert_int_equal(s.fixed[2].port, 0x608);
	assert_int_equal(s.fixed[2].len, 4);
	assert_string_equal(s.fixed[3].name, "GPE0_BLK");
	assert_int_equal(s.fixed[3].port, 0x620);
	assert_int_equal(s.fixed[3].len, 16);

	assert_non_null(acpi_survey_find(&s, "DSDT", 0));
	assert_null(acpi_survey_find(&s, "DSDT", 1));
	assert_null(acpi_survey_find(&s, "SSDT", 0));
}

static void test_pc_as_captured(void **state)
{
	static const char *const sigs[] = { "RSDP", "XSDT", "RSDT", "FACP", "APIC",
					    "HPET", "WAET", "BGRT", "DSDT", "FACS" };
	(void)state;
	unit_phys_use(&pc);
	assert_int_equal(survey(), 10);
	assert_int_equal(s.bad, 0);
	for (int i = 0; i < 10; i++)
		assert_string_equal(s.t[i].sig, sigs[i]);
	assert_int_equal(s.t[3].length, 116); /* an ACPI 1.0 FADT: no X_ fields */
	assert_int_equal(s.nmcfg, 0);	      /* i440fx: no ECAM */
	assert_true(s.hpet[0] == 0xfed00000ULL);
	assert_int_equal(s.nioapic, 1);
	/* PIIX4's PM block at 0xb000, GPE0 at 0xafe0 (4 bytes). */
	assert_int_equal(s.nfixed, 4);
	assert_int_equal(s.fixed[0].port, 0xb000);
	assert_int_equal(s.fixed[2].port, 0xb008);
	assert_int_equal(s.fixed[3].port, 0xafe0);
	assert_int_equal(s.fixed[3].len, 4);
}

/* ---- checksums ----------------------------------------------------------- */

/* A one-byte change anywhere in a table flags that table, and only it, with the byte that fixes it. */
static void test_bad_checksum_each_table(void **state)
{
	static const uint64_t tables[] = { XSDT, RSDT, FACP, APIC, HPET, Q35_MCFG, 0x1f774000, 0x1f773000, DSDT };
	(void)state;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		uint64_t t = tables[i];
		uint8_t *b = bytes(t), was = b[SDT_HDR], fix, sum = 0;
		const struct acpi_table_ent *e;
		char want[64];

		b[SDT_HDR] ^= 0x5a;
		assert_true(survey() > 0);
		e = at(t);
		assert_non_null(e);
		assert_false(e->checksum_ok);
		snprintf(want, sizeof(want), "checksum 0x%02x, should be 0x%02x", b[CSUM], e->want);
		assert_string_equal(e->problem, want);
		only_flagged(t);
		/* The byte Atlas names is the one that fixes the table. */
		fix = b[CSUM];
		b[CSUM] = e->want;
		for (uint32_t k = 0; k < len_of(t); k++)
			sum += b[k];
		assert_int_equal(sum, 0);
		b[CSUM] = fix;
		b[SDT_HDR] = was;
	}
}

/* A table whose checksum fails is listed but not believed: nothing is decoded from it. */
static void test_bad_checksum_not_decoded(void **state)
{
	(void)state;
	bytes(Q35_MCFG)[CSUM]++;
	bytes(APIC)[CSUM]++;
	bytes(HPET)[CSUM]++;
	assert_int_equal(survey(), 11);
	assert_int_equal(s.bad, 3);
	assert_int_equal(s.nmcfg, 0);
	assert_int_equal(s.nhpet, 0);
	assert_true(s.lapic == 0);
	assert_int_equal(s.nioapic, 0);
	assert_int_equal(s.nfixed, 4); /* the FADT is intact */
}

/* A broken XSDT: the RSDT (the same tables, 32-bit pointers) is walked instead. */
static void test_bad_xsdt_falls_back_to_rsdt(void **state)
{
	(void)state;
	bytes(XSDT)[SDT_HDR] ^= 1;
	assert_int_equal(survey(), 11);
	only_flagged(XSDT);
	assert_int_equal(s.nmcfg, 1);
	assert_true(s.lapic == 0xfee00000ULL);
	assert_non_null(acpi_survey_find(&s, "DSDT", 0));
}

/* A broken FADT: listed and flagged; the DSDT and FACS it points at are not reached. */
static void test_bad_fadt(void **state)
{
	(void)state;
	bytes(FACP)[100] ^= 0xff;
	assert_int_equal(survey(), 9);
	only_flagged(FACP);
	assert_null(at(DSDT));
	assert_null(at(FACS));
	assert_int_equal(s.nfixed, 0);
}

static void test_rsdp_checksums(void **state)
{
	uint8_t *r;

	(void)state;
	r = bytes(RSDP);
	r[8] ^= 1; /* the ACPI 1.0 checksum (first 20 bytes) */
	assert_int_equal(survey(), -ENOENT);
	r[8] ^= 1;
	r[32] ^= 1; /* the extended checksum (all 36) */
	assert_int_equal(survey(), -ENOENT);
	r[32] ^= 1;
	memcpy(r, "RSD PTX ", 8);
	assert_int_equal(survey(), -ENOENT);
	assert_int_equal(acpi_survey(&s, NOWHERE, unit_phys_p2v, unit_phys_ok), -ENOENT);
	assert_int_equal(acpi_survey(&s, 0, unit_phys_p2v, unit_phys_ok), -ENOENT);
	assert_int_equal(acpi_survey(&s, RSDP, NULL, unit_phys_ok), -ENOENT);
	assert_int_equal(acpi_survey(&s, RSDP, unit_phys_p2v, NULL), -ENOENT);
}

/* An ACPI 1.0 RSDP (revision 0, 20 bytes): the RSDT is the root. */
static void test_rsdp_v1(void **state)
{
	uint8_t *r;

	(void)state;
	unit_phys_cut(&m, RSDP, 20);
	r = bytes(RSDP);
	r[15] = 0;
	unit_fix_sum(r, 20, 8);
	assert_int_equal(survey(), 10); /* no XSDT */
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.t[0].length, 20);
	assert_null(at(XSDT));
	assert_string_equal(s.t[1].sig, "RSDT");
	assert_int_equal(s.nmcfg, 1);
}

/* ---- lengths and truncation ------------------------------------------------ */

/* A Length past the end of readable memory: flagged as unreadable, never read. */
static void test_length_past_the_end(void **state)
{
	static const uint64_t tables[] = { XSDT, FACP, APIC, HPET, Q35_MCFG, DSDT };
	(void)state;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		uint8_t *b = bytes(tables[i]);
		uint32_t len = len_of(tables[i]);
		char want[ACPI_PROBLEM_LEN];

		put32(b + 4, len + 1);
		unit_fix_sum(b, len, CSUM); /* the sum over what is there is right: only the length lies */
		assert_true(survey() > 0);
		snprintf(want, sizeof(want), "body [0x%llx, +0x%x) is not readable RAM", (unsigned long long)tables[i],
			 len + 1);
		assert_string_equal(at(tables[i])->problem, want);
		only_flagged(tables[i]);
		put32(b + 4, len);
		unit_fix_sum(b, len, CSUM);
	}
}

static void test_impossible_lengths(void **state)
{
	static const uint32_t lens[] = { 0, 1, 35, 16U << 20, 0xffffffffU };
	uint8_t *b;

	(void)state;
	b = bytes(HPET);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		char want[ACPI_PROBLEM_LEN];

		put32(b + 4, lens[i]);
		assert_true(survey() > 0);
		snprintf(want, sizeof(want), "length %u is impossible", lens[i]);
		assert_string_equal(at(HPET)->problem, want);
		only_flagged(HPET);
		assert_int_equal(s.nhpet, 0);
	}
}

/* Memory that ends inside a table, at every byte: flagged, no read past the end, the rest intact. */
static void test_truncated_everywhere(void **state)
{
	static const uint64_t tables[] = { XSDT, RSDT, FACP, APIC, HPET, Q35_MCFG, 0x1f773000, FACS };
	(void)state;
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		uint32_t full = len_of(tables[i]);

		for (uint32_t cut = 0; cut < full; cut++) {
			struct unit_phys t;

			unit_phys_copy(&t, &m);
			unit_phys_use(&t);
			unit_phys_cut(&t, tables[i], cut);
			assert_true(survey() > 0);
			assert_non_null(at(tables[i]));
			only_flagged(tables[i]);
			unit_phys_free(&t);
		}
	}
	unit_phys_use(&m);
}

/* The RSDP cut short: below 20 bytes it is not an RSDP; between 20 and 36 the XSDT is out of reach. */
static void test_rsdp_truncated(void **state)
{
	(void)state;
	for (uint32_t cut = 0; cut < 36; cut++) {
		struct unit_phys t;
		int n;

		unit_phys_copy(&t, &m);
		unit_phys_use(&t);
		unit_phys_cut(&t, RSDP, cut);
		n = survey();
		if (cut < 20) {
			assert_int_equal(n, -ENOENT);
		} else {
			assert_int_equal(n, 10); /* through the RSDT */
			only_flagged(RSDP);
			assert_string_equal(s.t[0].problem, "length 0 is impossible");
		}
		unit_phys_free(&t);
	}
	unit_phys_use(&m);
}

/* ---- pointers: nowhere, loops, the same table twice -------------------------- */

static void test_pointer_to_nowhere(void **state)
{
	uint8_t *x;

	(void)state;
	x = bytes(XSDT);
	put64(x + SDT_HDR + 8, NOWHERE); /* the APIC entry */
	unit_fix_sum(x, 84, CSUM);
	assert_int_equal(survey(), 11);
	only_flagged(NOWHERE);
	assert_string_equal(at(NOWHERE)->sig, "????");
	assert_string_equal(at(NOWHERE)->problem, "header at 0x7ff00000 is not readable RAM");
	assert_true(s.lapic == 0);
	put64(x + SDT_HDR + 8, 0);
	unit_fix_sum(x, 84, CSUM);
	assert_int_equal(survey(), 11);
	assert_string_equal(at(0)->problem, "header at 0x0 is not readable RAM");
}

/* An XSDT that lists itself, the RSDP, the RSDT and one table twice: each listed once, no loop. */
static void test_root_lists_itself(void **state)
{
	uint8_t *x;

	(void)state;
	x = bytes(XSDT);
	put64(x + SDT_HDR + 2 * 8, XSDT);
	put64(x + SDT_HDR + 3 * 8, RSDP);
	put64(x + SDT_HDR + 4 * 8, RSDT);
	put64(x + SDT_HDR + 5 * 8, FACP);
	unit_fix_sum(x, 84, CSUM);
	assert_int_equal(survey(), 7); /* RSDP XSDT RSDT FACP APIC DSDT FACS */
	assert_int_equal(s.bad, 0);
	for (int i = 0; i < s.ntables; i++)
		for (int j = 0; j < i; j++)
			assert_true(s.t[i].phys != s.t[j].phys);
}

/* The FADT's DSDT pointer aimed at a table already listed (here the FADT itself): flagged. */
static void test_dsdt_pointer_at_another_table(void **state)
{
	uint8_t *f;

	(void)state;
	f = bytes(FACP);
	put32(f + 40, (uint32_t)FACP);
	put64(f + 140, FACP);
	unit_fix_sum(f, 244, CSUM);
	assert_int_equal(survey(), 10);
	assert_null(at(DSDT));
	only_flagged(FACP);
	assert_string_equal(at(FACP)->problem, "DSDT pointer 0x1f778000 is a FACP table");
}

/* The table the FADT's DSDT pointer reaches is not a DSDT: listed under its own signature, flagged. */
static void test_dsdt_pointer_wrong_signature(void **state)
{
	uint8_t *f;

	(void)state;
	f = bytes(DSDT);
	memcpy(f, "SSDT", 4);
	unit_fix_sum(f, len_of(DSDT), CSUM);
	assert_int_equal(survey(), 11);
	only_flagged(DSDT);
	assert_string_equal(at(DSDT)->problem, "expected signature DSDT");
}

/* ---- per-signature shapes ------------------------------------------------------ */

static void test_madt_entry_lengths(void **state)
{
	static const uint8_t bad[] = { 0, 1, 200 };
	uint8_t *a;

	(void)state;
	a = bytes(APIC);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char want[ACPI_PROBLEM_LEN];

		a[52 + 1] = bad[i]; /* the IOAPIC entry (second, at 52) */
		unit_fix_sum(a, 120, CSUM);
		assert_int_equal(survey(), 11);
		snprintf(want, sizeof(want), "entry at offset 52: length %u runs past the table", bad[i]);
		assert_string_equal(at(APIC)->problem, want);
		only_flagged(APIC);
		assert_int_equal(s.nioapic, 0);
		assert_true(s.lapic == 0xfee00000ULL); /* read before the entries */
	}
	/* The last entry's length one byte past the end. */
	a[52 + 1] = 12;
	a[114 + 1] = 7;
	unit_fix_sum(a, 120, CSUM);
	survey();
	assert_string_equal(at(APIC)->problem, "entry at offset 114: length 7 runs past the table");
	assert_int_equal(s.nioapic, 1);
}

static void test_madt_lapic_override(void **state)
{
	struct unit_chunk *c;
	uint8_t *a;

	(void)state;
	c = unit_phys_chunk(&m, APIC); /* one more entry: a Local APIC Address Override */
	a = realloc(c->buf, 132);
	assert_non_null(a);
	c->buf = a;
	c->len = 132;
	a[120] = 5;
	a[121] = 12;
	a[122] = a[123] = 0;
	put64(a + 124, 0x1234567000ULL);
	put32(a + 4, 132);
	unit_fix_sum(a, 132, CSUM);
	assert_int_equal(survey(), 11);
	assert_int_equal(s.bad, 0);
	assert_true(s.lapic == 0x1234567000ULL);
}

static void test_mcfg_shapes(void **state)
{
	uint8_t *b;

	(void)state;
	b = bytes(Q35_MCFG);
	b[44 + 10] = 5; /* bus 5-255 is fine */
	unit_fix_sum(b, 60, CSUM);
	survey();
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.mcfg[0].bus_start, 5);
	b[44 + 10] = 200;
	b[44 + 11] = 100;
	unit_fix_sum(b, 60, CSUM);
	survey();
	assert_string_equal(at(Q35_MCFG)->problem, "entry 0: bus range 200-100 is empty");
	assert_int_equal(s.nmcfg, 0);
	b[44 + 10] = 0;
	b[44 + 11] = 255;
	put64(b + 44, 0xb0000000ULL + 0x1000);
	unit_fix_sum(b, 60, CSUM);
	survey();
	assert_string_equal(at(Q35_MCFG)->problem, "entry 0: ECAM base 0xb0001000 is not 1 MiB aligned");
	assert_int_equal(s.nmcfg, 0);
	put64(b + 44, 0xb0000000ULL);
	put32(b + 4, 59);
	unit_fix_sum(b, 59, CSUM);
	survey();
	assert_string_equal(at(Q35_MCFG)->problem, "length 59 is not 44 + 16 * entries");
	assert_int_equal(s.nmcfg, 0);
	put32(b + 4, 40);
	unit_fix_sum(b, 40, CSUM);
	survey();
	assert_string_equal(at(Q35_MCFG)->problem, "40 bytes is too short for MCFG (at least 44)");
	put32(b + 4, 44); /* no entries: fine, nothing decoded */
	unit_fix_sum(b, 44, CSUM);
	survey();
	assert_int_equal(s.bad, 0);
	assert_int_equal(s.nmcfg, 0);
}

static void test_hpet_and_fadt_too_short(void **state)
{
	uint8_t *b;

	(void)state;
	b = bytes(HPET);
	put32(b + 4, 40); /* what the boot test's -acpitable HPET is */
	unit_fix_sum(b, 40, CSUM);
	survey();
	assert_string_equal(at(HPET)->problem, "40 bytes is too short for HPET (at least 56)");
	assert_int_equal(s.nhpet, 0);
	put32(b + 4, 56);
	put64(b + 44, 0);
	unit_fix_sum(b, 56, CSUM);
	survey();
	assert_string_equal(at(HPET)->problem, "base address 0");

	b = bytes(FACP);
	put32(b + 4, 100);
	unit_fix_sum(b, 100, CSUM);
	assert_int_equal(survey(), 9); /* no DSDT, no FACS */
	assert_string_equal(at(FACP)->problem, "100 bytes is too short for FACP (at least 116)");
	assert_int_equal(s.nfixed, 0);
}

static void test_facs_shapes(void **state)
{
	uint8_t *f;

	(void)state;
	f = bytes(FACS);
	put32(f + 4, 63);
	survey();
	only_flagged(FACS);
	assert_string_equal(at(FACS)->problem, "length 63 is below 64");
	put32(f + 4, 64);
	memcpy(f, "FACT", 4);
	survey();
	assert_string_equal(at(FACS)->problem, "signature is not FACS");
}

/* More tables than the survey holds: the first ACPI_MAX_TABLES are listed and the root says so. */
static void test_too_many_tables(void **state)
{
	enum { N = ACPI_MAX_TABLES + 10 };
	uint32_t xlen = SDT_HDR + 8 * N;
	uint8_t *x;

	(void)state;
	x = unit_phys_add(&m, 0x40000000ULL, xlen);
	memcpy(x, bytes(XSDT), SDT_HDR);
	put32(x + 4, xlen);
	for (int i = 0; i < N; i++) {
		uint64_t phys = 0x40100000ULL + (uint64_t)i * 0x1000;
		uint8_t *t = unit_phys_add(&m, phys, SDT_HDR);

		memcpy(t, "SSDT", 4);
		put32(t + 4, SDT_HDR);
		unit_fix_sum(t, SDT_HDR, CSUM);
		put64(x + SDT_HDR + 8 * i, phys);
	}
	unit_fix_sum(x, xlen, CSUM);
	put64(bytes(RSDP) + 24, 0x40000000ULL);
	unit_fix_sum(bytes(RSDP), 36, 32);
	assert_int_equal(survey(), ACPI_MAX_TABLES);
	assert_string_equal(at(0x40000000ULL)->problem, "74 entries; 13 beyond the survey's 64 tables left out");
}

/* ---- every byte ------------------------------------------------------------------ */

/*
 * Change each byte of every structure in turn (two patterns): the survey never
 * reads out of bounds, and the structure that was changed is the one flagged
 * (the RSDP: no survey at all, or the RSDP flagged). FACS has no checksum: only its signature and
 * length are checked.
 */
static void test_every_byte(void **state)
{
	static const uint8_t xors[] = { 0x01, 0xff };
	long runs = 0;

	(void)state;
	for (int ci = 0; ci < q35.n; ci++) {
		uint64_t phys = q35.c[ci].phys;

		for (uint32_t off = 0; off < q35.c[ci].len; off++) {
			for (size_t k = 0; k < sizeof(xors); k++) {
				uint8_t *b = bytes(phys);
				int n;

				b[off] ^= xors[k];
				n = survey();
				runs++;
				if (phys == RSDP) {
					/*
					 * A checksum that fails: no survey. A Length past what
					 * is there: the RSDP is flagged, the XSDT out of reach,
					 * the RSDT (under the first checksum) walked.
					 */
					if (n != -ENOENT && (n != 10 || off < 20 || off > 23))
						fail_msg("RSDP byte %u ^ %#x: survey %d", off, xors[k], n);
					if (n > 0)
						only_flagged(RSDP);
				} else if (phys == FACS) {
					assert_true(n > 0);
					if (off < 4 || (off < 8 && s.t[n - 1].length < 64))
						only_flagged(FACS);
					else
						assert_int_equal(s.bad, 0);
				} else {
					assert_true(n > 0);
					if (!at(phys))
						fail_msg("%#llx byte %u ^ %#x: not listed", (unsigned long long)phys,
							 off, xors[k]);
					only_flagged(phys);
				}
				b[off] ^= xors[k];
			}
		}
	}
	assert_true(runs > 2 * 9000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_q35_as_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pc_as_captured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_checksum_each_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_checksum_not_decoded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_xsdt_falls_back_to_rsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_fadt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdp_checksums, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdp_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_length_past_the_end, setup, teardown),
		cmocka_unit_test_setup_teardown(test_impossible_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rsdp_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pointer_to_nowhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_lists_itself, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_pointer_at_another_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dsdt_pointer_wrong_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_entry_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_lapic_override, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mcfg_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hpet_and_fadt_too_short, setup, teardown),
		cmocka_unit_test_setup_teardown(test_facs_shapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_every_byte, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
