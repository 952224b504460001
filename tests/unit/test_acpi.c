/* SPDX-License-Identifier: MIT */
/*
 * test_acpi.c - host tests for drivers/acpi.c.
 *
 * Fake physical memory: every firmware structure (RSDP, root table, FADT,
 * DSDT, MADT) is its own heap allocation of exactly its size, at a made-up
 * physical address, so ASan reports any read past a table's end. ok() says
 * yes only for a range inside one allocation, and phys_to_virt() fails the
 * test unless the range it is asked for was approved by ok() just before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "acpi.h"
#include "kerrno.h"

/*
 * drivers/acpi.c's port I/O (acpi_set_io), recorded instead of performed (the
 * kernel's is drivers/acpi_kernel.c): writes are appended to acpi_host_io (up to
 * ACPI_HOST_IO_MAX; acpi_host_io_count keeps counting), 16-bit reads return
 * acpi_host_inw_value.
 */
#define ACPI_HOST_IO_MAX 16
static struct {
	uint16_t port;
	uint16_t value;
	int width; /* bytes: 1 (outb) or 2 (outw) */
} acpi_host_io[ACPI_HOST_IO_MAX];
static int acpi_host_io_count;
static uint16_t acpi_host_inw_value;

static void host_record(uint16_t port, uint16_t v, int width)
{
	if (acpi_host_io_count < ACPI_HOST_IO_MAX) {
		acpi_host_io[acpi_host_io_count].port = port;
		acpi_host_io[acpi_host_io_count].value = v;
		acpi_host_io[acpi_host_io_count].width = width;
	}
	acpi_host_io_count++;
}

static void rec_outb(uint16_t port, uint8_t v)
{
	host_record(port, v, 1);
}

static void rec_outw(uint16_t port, uint16_t v)
{
	host_record(port, v, 2);
}

static uint16_t rec_inw(uint16_t port)
{
	(void)port;
	return acpi_host_inw_value;
}

static void rec_settle(void)
{
}

static const struct acpi_io recorder = { rec_outb, rec_outw, rec_inw, rec_settle };

/* Made-up physical addresses: LO below 4 GiB (RSDT-reachable), HI above it. */
#define LO 0x7FE00000ULL
#define HI 0x2FFE00000ULL
#define RSDP_PHYS 0xE0000ULL
#define ROOT_OFF 0x0000
#define FADT_OFF 0x1000
#define DSDT_OFF 0x2000
#define MADT_OFF 0x3000
#define SPARE_OFF 0x4000

#define SDT_HDR 36
#define FADT_LEN_V6 276
#define RSDP_V2_LEN 36

/* FADT offsets, spelled out here independently of the driver's. */
#define F_DSDT 40
#define F_PM1A 64
#define F_PM1B 68
#define F_IAPC_BOOT_ARCH 109
#define F_FLAGS 112
#define F_RESET_REG 116
#define F_RESET_VALUE 128
#define F_X_DSDT 140
#define F_X_PM1A 172
#define F_X_PM1B 184
#define F_RESET_REG_SUP (1U << 10)

#define SLP_EN (1U << 13)
#define SLP_TYP(x) ((unsigned)(x) << 10)
#define SCI_EN 1U

#define MAX_REGIONS 16

struct region {
	uint64_t phys;
	uint32_t len;
	uint8_t *buf;
};

static struct region regions[MAX_REGIONS];
static int nregions;
static uint64_t ok_phys, ok_len; /* the last range ok() approved */
static uint64_t ok_max_len;	 /* the longest range ok() was asked about */
static int check_ok;		 /* phys_to_virt must follow an approving ok() */

static struct region *find_region(uint64_t phys, uint64_t len)
{
	for (int i = 0; i < nregions; i++) {
		struct region *r = &regions[i];
		if (phys >= r->phys && phys - r->phys <= r->len && len <= r->len - (phys - r->phys))
			return r;
	}
	return NULL;
}

static int fake_ok(uint64_t phys, uint64_t len)
{
	if (len > ok_max_len)
		ok_max_len = len;
	if (!find_region(phys, len))
		return 0;
	ok_phys = phys;
	ok_len = len;
	return 1;
}

static const void *fake_p2v(uint64_t phys)
{
	struct region *r = find_region(phys, 1);

	if (check_ok && (!ok_len || ok_phys != phys))
		fail_msg("phys_to_virt(%#llx) without ok() first", (unsigned long long)phys);
	ok_len = 0;
	if (!r)
		fail_msg("phys_to_virt(%#llx): nothing there", (unsigned long long)phys);
	return r->buf + (phys - r->phys);
}

static uint8_t *add_region(uint64_t phys, uint32_t len)
{
	struct region *r;

	assert_true(nregions < MAX_REGIONS);
	r = &regions[nregions++];
	r->phys = phys;
	r->len = len;
	r->buf = calloc(1, len ? len : 1);
	assert_non_null(r->buf);
	return r->buf;
}

static uint8_t *region_at(uint64_t phys)
{
	struct region *r = find_region(phys, 1);

	assert_non_null(r);
	return r->buf;
}

static void free_regions(void)
{
	for (int i = 0; i < nregions; i++)
		free(regions[i].buf);
	nregions = 0;
	ok_len = 0;
	ok_max_len = 0;
}

/* Remove the region at phys, to build a different table there. */
static void drop_region(uint64_t phys)
{
	for (int i = 0; i < nregions; i++) {
		if (regions[i].phys == phys) {
			free(regions[i].buf);
			regions[i] = regions[--nregions];
			return;
		}
	}
	fail_msg("no region at %#llx", (unsigned long long)phys);
}

static int setup(void **state)
{
	(void)state;
	free_regions();
	check_ok = 1;
	memset(acpi_host_io, 0, sizeof(acpi_host_io));
	acpi_host_io_count = 0;
	acpi_host_inw_value = 0;
	acpi_set_io(&recorder);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free_regions();
	return 0;
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, sizeof(v));
}

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, sizeof(v));
}

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return s;
}

/* Make the n bytes at p sum to zero by adjusting the byte at p[at]. */
static void fix_sum(uint8_t *p, size_t n, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)-sum(p, n);
}

/* Recompute a table's checksum over its header Length. */
static void seal(uint8_t *t)
{
	uint32_t len;

	memcpy(&len, t + 4, sizeof(len));
	fix_sum(t, len, 9);
}

/* A table of region_len bytes whose header says len; not yet sealed. */
static uint8_t *mk_table_cut(uint64_t phys, const char *sig, uint32_t len, uint32_t region_len)
{
	uint8_t *t = add_region(phys, region_len);
	uint8_t hdr[SDT_HDR] = { 0 };

	memcpy(hdr, sig, 4);
	put32(hdr + 4, len);
	hdr[8] = 1;
	memcpy(hdr + 10, "ATLAS ", 6);
	memcpy(hdr + 16, "TESTTBL ", 8);
	memcpy(t, hdr, region_len < SDT_HDR ? region_len : SDT_HDR);
	return t;
}

static uint8_t *mk_table(uint64_t phys, const char *sig, uint32_t len)
{
	return mk_table_cut(phys, sig, len, len);
}

static void mk_rsdp(int rev, uint32_t rsdt, uint64_t xsdt)
{
	uint8_t *r = add_region(RSDP_PHYS, rev >= 2 ? RSDP_V2_LEN : 20);

	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, "ATLASX", 6);
	r[15] = (uint8_t)rev;
	put32(r + 16, rsdt);
	fix_sum(r, 20, 8);
	if (rev >= 2) {
		put32(r + 20, RSDP_V2_LEN);
		put64(r + 24, xsdt);
		fix_sum(r, RSDP_V2_LEN, 32);
	}
}

/* A root table (RSDT: 32-bit entries, XSDT: 64-bit) listing n tables. */
static uint8_t *mk_root(uint64_t phys, const char *sig, const uint64_t *entries, int n)
{
	int esize = sig[0] == 'X' ? 8 : 4;
	uint8_t *t = mk_table(phys, sig, SDT_HDR + n * esize);

	for (int i = 0; i < n; i++) {
		if (esize == 8)
			put64(t + SDT_HDR + i * 8, entries[i]);
		else
			put32(t + SDT_HDR + i * 4, (uint32_t)entries[i]);
	}
	seal(t);
	return t;
}

/* A FADT of len bytes with the legacy PM1 blocks and DSDT pointers; X_DSDT set when long enough. */
static uint8_t *mk_fadt(uint64_t phys, uint32_t len, uint64_t dsdt, uint32_t pm1a, uint32_t pm1b)
{
	uint8_t *f = mk_table(phys, "FACP", len);

	if (dsdt < (1ULL << 32))
		put32(f + F_DSDT, (uint32_t)dsdt);
	put32(f + F_PM1A, pm1a);
	put32(f + F_PM1B, pm1b);
	if (len >= F_X_DSDT + 8)
		put64(f + F_X_DSDT, dsdt);
	seal(f);
	return f;
}

static void set_gas(uint8_t *f, uint32_t off, uint8_t space, uint64_t addr)
{
	f[off] = space;
	f[off + 1] = 16; /* bit width */
	put64(f + off + 4, addr);
}

static uint8_t *mk_dsdt(uint64_t phys, const uint8_t *aml, size_t n)
{
	uint8_t *t = mk_table(phys, "DSDT", (uint32_t)(SDT_HDR + n));

	memcpy(t + SDT_HDR, aml, n);
	seal(t);
	return t;
}

static uint8_t *mk_madt(uint64_t phys, const uint8_t *entries, size_t n)
{
	uint8_t *t = mk_table(phys, "APIC", (uint32_t)(44 + n));

	put32(t + 36, 0xFEE00000U); /* local APIC address */
	put32(t + 40, 1);	    /* PCAT_COMPAT */
	memcpy(t + 44, entries, n);
	seal(t);
	return t;
}

/* Name(_S5_, Package(0x04){0x05, 0x06, Zero, Zero}) after a little unrelated AML. */
/* clang-format off */
static const uint8_t aml_std[] = {
	0x10, 0x0C, '_', 'S', 'B', '_', 0x14, 0x06, 'X', 'Y', 'Z', '_', 0x00, /* Scope(_SB){Method(XYZ_)} */
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0A, 0x05, 0x0A, 0x06, 0x00, 0x00,
};
/* clang-format on */

/* clang-format off */
static const uint8_t madt_std[] = {
	0x00, 8, 0, 0, 1, 0, 0, 0, /* LAPIC uid 0 id 0 enabled */
	0x00, 8, 1, 1, 1, 0, 0, 0, /* LAPIC uid 1 id 1 enabled */
};
/* clang-format on */

/*
 * A whole firmware: RSDP of revision rev, root table (XSDT at HI when rev >= 2,
 * else RSDT at LO) listing FADT and MADT; DSDT holding aml.
 */
static void mk_fw(int rev, const uint8_t *aml, size_t aml_len)
{
	uint64_t base = rev >= 2 ? HI : LO;
	uint64_t e[] = { base + FADT_OFF, base + MADT_OFF };

	if (rev >= 2) {
		mk_rsdp(rev, 0, base + ROOT_OFF);
		mk_root(base + ROOT_OFF, "XSDT", e, 2);
	} else {
		mk_rsdp(rev, (uint32_t)(base + ROOT_OFF), 0);
		mk_root(base + ROOT_OFF, "RSDT", e, 2);
	}
	mk_fadt(base + FADT_OFF, FADT_LEN_V6, base + DSDT_OFF, 0x604, 0);
	mk_dsdt(base + DSDT_OFF, aml, aml_len);
	mk_madt(base + MADT_OFF, madt_std, sizeof(madt_std));
}

static int init(struct acpi_info *ai)
{
	return acpi_init(ai, RSDP_PHYS, fake_p2v, fake_ok);
}

/* ---- RSDP and root tables ---- */

static void test_rev0_rsdt(void **state)
{
	struct acpi_info ai;

	(void)state;
	mk_fw(0, aml_std, sizeof(aml_std)); /* the RSDP region is 20 bytes: ASan guards 20..35 */
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.rsdp, RSDP_PHYS);
	assert_int_equal(ai.revision, 0);
	assert_string_equal(ai.oem_id, "ATLASX");
	assert_int_equal(ai.xsdt_or_rsdt, LO + ROOT_OFF);
	assert_int_equal(ai.fadt, LO + FADT_OFF);
	assert_int_equal(ai.dsdt, LO + DSDT_OFF);
	assert_int_equal(ai.madt, LO + MADT_OFF);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(ai.pm1b_cnt, 0);
	assert_int_equal(ai.have_s5, 1);
	assert_int_equal(ai.slp_typa_s5, 5);
	assert_int_equal(ai.slp_typb_s5, 6);
	assert_int_equal(ai.reset_supported, 0);
}

/* Point the revision 2 RSDP at an RSDT at LO listing a FADT there too (PM1a 0x1234), and at xsdt. */
static void use_lo_rsdt(uint64_t xsdt)
{
	uint64_t e[] = { LO + FADT_OFF };
	uint8_t *r = region_at(RSDP_PHYS);

	mk_root(LO + ROOT_OFF, "RSDT", e, 1);
	mk_fadt(LO + FADT_OFF, FADT_LEN_V6, 0, 0x1234, 0);
	put32(r + 16, (uint32_t)(LO + ROOT_OFF));
	put64(r + 24, xsdt);
	fix_sum(r, 20, 8);
	fix_sum(r, RSDP_V2_LEN, 32);
}

static void test_rev2_xsdt(void **state)
{
	struct acpi_info ai;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std)); /* tables above 4 GiB */
	use_lo_rsdt(HI + ROOT_OFF);	    /* a decoy RSDT: the XSDT must win */
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.revision, 2);
	assert_int_equal(ai.xsdt_or_rsdt, HI + ROOT_OFF);
	assert_int_equal(ai.fadt, HI + FADT_OFF);
	assert_int_equal(ai.dsdt, HI + DSDT_OFF); /* from X_DSDT: above 4 GiB */
	assert_int_equal(ai.madt, HI + MADT_OFF);
	assert_int_equal(ai.pm1a_cnt, 0x604);
	assert_int_equal(ai.have_s5, 1);
}

/* The PM timer (drivers/clockcal.c's reference clock): the legacy block, X_PM_TMR_BLK winning, its width, none. */
static void test_pm_timer(void **state)
{
	struct acpi_info ai;
	uint8_t *f;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.pm_tmr, 0); /* PM_TMR_LEN 0: no timer */
	f = region_at(HI + FADT_OFF);
	put32(f + 76, 0x608);
	f[91] = 4;
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.pm_tmr, 0x608);
	assert_int_equal(ai.pm_tmr_32bit, 0);
	put32(f + F_FLAGS, 1U << 8); /* TMR_VAL_EXT */
	set_gas(f, 208, ACPI_GAS_SPACE_IO, 0xb008);
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.pm_tmr, 0xb008);
	assert_int_equal(ai.pm_tmr_32bit, 1);
	/* A length other than 4 means no timer, whatever the blocks say. */
	f[91] = 2;
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.pm_tmr, 0);
}

static void test_rev2_falls_back_to_rsdt(void **state)
{
	struct acpi_info ai;

	(void)state;
	/* XsdtAddress 0 in a revision 2 RSDP. */
	mk_fw(2, aml_std, sizeof(aml_std));
	use_lo_rsdt(0);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.revision, 2);
	assert_int_equal(ai.xsdt_or_rsdt, LO + ROOT_OFF);
	assert_int_equal(ai.fadt, LO + FADT_OFF);
	assert_int_equal(ai.pm1a_cnt, 0x1234);
	assert_int_equal(ai.madt, 0);

	/* An XSDT with a bad checksum. */
	setup(NULL);
	mk_fw(2, aml_std, sizeof(aml_std));
	use_lo_rsdt(HI + ROOT_OFF);
	region_at(HI + ROOT_OFF)[9] ^= 1;
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.xsdt_or_rsdt, LO + ROOT_OFF);
	assert_int_equal(ai.pm1a_cnt, 0x1234);

	/* Both broken: nothing, but the RSDP is reported. */
	region_at(LO + ROOT_OFF)[9] ^= 1;
	assert_int_equal(init(&ai), -EINVAL);
	assert_int_equal(ai.rsdp, RSDP_PHYS);
	assert_int_equal(ai.xsdt_or_rsdt, 0);
	assert_int_equal(ai.fadt, 0);
}

static void test_bad_rsdp(void **state)
{
	struct acpi_info ai;
	uint8_t *r;

	(void)state;
	mk_fw(0, aml_std, sizeof(aml_std));
	r = region_at(RSDP_PHYS);

	r[0] = 'r'; /* signature */
	fix_sum(r, 20, 8);
	assert_int_equal(init(&ai), -ENOENT);
	assert_int_equal(ai.rsdp, 0);
	assert_int_equal(ai.fadt, 0);
	r[0] = 'R';
	fix_sum(r, 20, 8);
	assert_int_equal(init(&ai), 0);

	r[8] ^= 0x40; /* checksum */
	assert_int_equal(init(&ai), -ENOENT);
	assert_int_equal(ai.rsdp, 0);

	/* Nothing readable there, or no address at all. */
	assert_int_equal(acpi_init(&ai, RSDP_PHYS + 0x100000, fake_p2v, fake_ok), -ENOENT);
	assert_int_equal(acpi_init(&ai, 0, fake_p2v, fake_ok), -ENOENT);
	assert_int_equal(acpi_init(&ai, RSDP_PHYS, NULL, fake_ok), -EINVAL);
	assert_int_equal(acpi_init(NULL, RSDP_PHYS, fake_p2v, fake_ok), -EINVAL);
}

static void test_bad_rsdp_v2(void **state)
{
	struct acpi_info ai;
	uint8_t *r;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	r = region_at(RSDP_PHYS);

	/* First checksum fine, extended checksum wrong. */
	r[32] ^= 1;
	assert_int_equal(init(&ai), -ENOENT);
	assert_int_equal(ai.rsdp, 0);
	fix_sum(r, RSDP_V2_LEN, 32);
	assert_int_equal(init(&ai), 0);

	/* Length below the 36 bytes revision 2 has. */
	put32(r + 20, 24);
	fix_sum(r, RSDP_V2_LEN, 32);
	assert_int_equal(init(&ai), -EINVAL);

	/* Length beyond what is readable: ok() refuses, nothing read past the 36 bytes (ASan). */
	put32(r + 20, 64);
	fix_sum(r, RSDP_V2_LEN, 32);
	assert_int_equal(init(&ai), -ENOENT);
}

static void test_bad_table_checksum_skipped(void **state)
{
	struct acpi_info ai;
	uint64_t e[] = { HI + SPARE_OFF, HI + FADT_OFF, HI + MADT_OFF, HI + SPARE_OFF + 0x1000 };
	uint8_t *bad;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	/* A broken MADT listed first: the first good one after it is used, not the last. */
	bad = mk_madt(HI + SPARE_OFF, madt_std, sizeof(madt_std));
	bad[20] ^= 0xFF;
	mk_madt(HI + SPARE_OFF + 0x1000, madt_std, sizeof(madt_std));
	drop_region(HI + ROOT_OFF); /* rebuild the XSDT with four entries */
	mk_root(HI + ROOT_OFF, "XSDT", e, 4);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.madt, HI + MADT_OFF);

	/* A broken FADT: -EINVAL, but the MADT is still reported. */
	region_at(HI + FADT_OFF)[50] ^= 1;
	assert_int_equal(init(&ai), -EINVAL);
	assert_int_equal(ai.fadt, 0);
	assert_int_equal(ai.pm1a_cnt, 0);
	assert_int_equal(ai.madt, HI + MADT_OFF);
	assert_int_equal(ai.xsdt_or_rsdt, HI + ROOT_OFF);
	region_at(HI + FADT_OFF)[50] ^= 1;

	/* A broken DSDT: no \_S5, the rest stands. */
	region_at(HI + DSDT_OFF)[SDT_HDR] ^= 1;
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.fadt, HI + FADT_OFF);
	assert_int_equal(ai.dsdt, 0);
	assert_int_equal(ai.have_s5, 0);
	assert_int_equal(ai.pm1a_cnt, 0x604);

	/* A broken root table: nothing. */
	region_at(HI + ROOT_OFF)[SDT_HDR] ^= 1;
	assert_int_equal(init(&ai), -EINVAL);
	assert_int_equal(ai.xsdt_or_rsdt, 0);
}

static void test_bad_table_lengths(void **state)
{
	static const uint32_t lens[] = { 0, 35, 16U << 20, 0xFFFFFFFFU };
	struct acpi_info ai;
	uint8_t *f;

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		setup(NULL);
		mk_fw(2, aml_std, sizeof(aml_std));
		f = region_at(HI + FADT_OFF);
		put32(f + 4, lens[i]);
		fix_sum(f, FADT_LEN_V6, 9); /* sums right over the real bytes: only Length is wrong */
		assert_int_equal(init(&ai), -EINVAL);
		assert_int_equal(ai.fadt, 0);
		assert_int_equal(ai.madt, HI + MADT_OFF);
		/* Insane lengths are refused before ok() is asked: a direct map of all RAM would say yes. */
		assert_true(ok_max_len < 16U << 20);
	}
}

/* A root entry pointing at nothing readable, and a table whose Length runs past readable memory. */
static void test_unreadable_tables(void **state)
{
	struct acpi_info ai;
	uint64_t e[] = { HI + 0x900000, HI + FADT_OFF, HI + MADT_OFF };

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	drop_region(HI + ROOT_OFF);
	mk_root(HI + ROOT_OFF, "XSDT", e, 3);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.fadt, HI + FADT_OFF);
	assert_int_equal(ai.madt, HI + MADT_OFF);

	/* The MADT claims 4 KiB but is 60 bytes: ok() refuses, and a checksum over 4 KiB would trip ASan. */
	put32(region_at(HI + MADT_OFF) + 4, 4096);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.madt, 0);
}

/* ---- FADT fields ---- */

static void test_fadt_fields_by_length(void **state)
{
	struct acpi_info ai;

	(void)state;
	/* Every FADT length from a bare header to ACPI 6's: fields appear only when covered. */
	for (uint32_t len = SDT_HDR; len <= FADT_LEN_V6; len++) {
		uint8_t full[FADT_LEN_V6] = { 0 };
		uint8_t *f;
		int rc;

		setup(NULL);
		mk_fw(2, aml_std, sizeof(aml_std));
		/* Build the full FADT in a scratch buffer, then cut it to len bytes. */
		memcpy(full, region_at(HI + FADT_OFF), FADT_LEN_V6);
		put32(full + F_DSDT, (uint32_t)(LO + DSDT_OFF)); /* legacy DSDT: a second copy below 4 GiB */
		set_gas(full, F_X_PM1A, 1, 0x704);
		set_gas(full, F_X_PM1B, 1, 0x708);
		put32(full + F_PM1B, 0x608);
		put32(full + F_FLAGS, F_RESET_REG_SUP);
		full[8] = 3;		       /* FADT revision: IAPC_BOOT_ARCH is defined */
		full[F_IAPC_BOOT_ARCH] = 0x03; /* legacy devices, 8042 */
		set_gas(full, F_RESET_REG, 1, 0xCF9);
		full[F_RESET_VALUE] = 0x06;
		mk_dsdt(LO + DSDT_OFF, aml_std, sizeof(aml_std));

		drop_region(HI + FADT_OFF);
		f = mk_table(HI + FADT_OFF, "FACP", len);
		memcpy(f + SDT_HDR, full + SDT_HDR, len - SDT_HDR);
		f[8] = 3; /* FADT revision 3: IAPC_BOOT_ARCH is defined */
		seal(f);

		rc = init(&ai);
		if (len < 116) {
			assert_int_equal(rc, -EINVAL);
			assert_int_equal(ai.fadt, 0);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_int_equal(ai.dsdt, len >= F_X_DSDT + 8 ? HI + DSDT_OFF : LO + DSDT_OFF);
		assert_int_equal(ai.have_s5, 1);
		assert_int_equal(ai.pm1a_cnt, len >= F_X_PM1A + 12 ? 0x704 : 0x604);
		assert_int_equal(ai.pm1b_cnt, len >= F_X_PM1B + 12 ? 0x708 : 0x608);
		assert_int_equal(ai.reset_supported, len >= F_RESET_VALUE + 1);
		assert_int_equal(ai.boot_arch_valid, len >= F_IAPC_BOOT_ARCH + 2);
		assert_int_equal(ai.boot_arch,
				 len >= F_IAPC_BOOT_ARCH + 2 ? ACPI_BOOT_ARCH_8042 | ACPI_BOOT_ARCH_LEGACY_DEVICES : 0);
		if (len > F_RESET_VALUE) {
			assert_int_equal(ai.reset_space, 1);
			assert_int_equal(ai.reset_addr, 0xCF9);
			assert_int_equal(ai.reset_value, 0x06);
		}
	}
}

/* IAPC_BOOT_ARCH is reserved before FADT revision 3: there it says nothing, set or not. */
static void test_fadt_boot_arch_revision(void **state)
{
	struct acpi_info ai;
	uint8_t *f;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	f = region_at(HI + FADT_OFF);
	f[F_IAPC_BOOT_ARCH] = 0x02;
	for (uint8_t rev = 1; rev <= 6; rev++) {
		f[8] = rev;
		seal(f);
		assert_int_equal(init(&ai), 0);
		assert_int_equal(ai.boot_arch_valid, rev >= 3);
		assert_int_equal(ai.boot_arch, rev >= 3 ? ACPI_BOOT_ARCH_8042 : 0);
	}
	/* Revision 3 with the flag clear: valid, and no 8042. */
	f[8] = 3;
	f[F_IAPC_BOOT_ARCH] = 0x01;
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.boot_arch_valid, 1);
	assert_int_equal(ai.boot_arch & ACPI_BOOT_ARCH_8042, 0);
}

static void test_x_pm1_preference(void **state)
{
	struct acpi_info ai;
	uint8_t *f;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	f = region_at(HI + FADT_OFF);

	set_gas(f, F_X_PM1A, 1, 0xB004); /* system I/O: preferred */
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.pm1a_cnt, 0xB004);

	set_gas(f, F_X_PM1A, 0, 0xFED00004); /* system memory: the legacy port stays */
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.pm1a_cnt, 0x604);

	set_gas(f, F_X_PM1A, 1, 0); /* I/O but no address: not present */
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.pm1a_cnt, 0x604);

	set_gas(f, F_X_PM1A, 1, 0x10004); /* no such port */
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.pm1a_cnt, 0x604);

	put32(f + F_PM1A, 0x12345678); /* no such port in the legacy field either */
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.pm1a_cnt, 0);
}

/* ---- \_S5 in the AML ---- */

/* Init a firmware whose DSDT holds aml; returns have_s5 and stores the types. */
static int s5_of(const uint8_t *aml, size_t n, uint16_t *a, uint16_t *b)
{
	struct acpi_info ai;

	setup(NULL);
	mk_fw(2, aml, n);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.dsdt, HI + DSDT_OFF);
	*a = ai.slp_typa_s5;
	*b = ai.slp_typb_s5;
	return ai.have_s5;
}

static void test_s5_encodings(void **state)
{
	/* QEMU's: Package(4){Zero, Zero, Zero, Zero}. */
	/* clang-format off */
	static const uint8_t zero[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x00, 0x00, 0x00, 0x00 };
	static const uint8_t one[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x01, 0x0A, 0x07, 0xA3 };
	static const uint8_t word[] = {
		0x08, '_', 'S', '5', '_', 0x12, 0x0A, 0x02, 0x0B, 0x03, 0x00, 0x0C, 0x04, 0x00, 0x00, 0x00,
	};
	static const uint8_t root[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0A, 0x07, 0x01 };
	/* clang-format on */
	uint16_t a, b;

	(void)state;
	assert_int_equal(s5_of(zero, sizeof(zero), &a, &b), 1);
	assert_int_equal(a, 0);
	assert_int_equal(b, 0);

	assert_int_equal(s5_of(one, sizeof(one), &a, &b), 1);
	assert_int_equal(a, 1);
	assert_int_equal(b, 7);

	assert_int_equal(s5_of(word, sizeof(word), &a, &b), 1); /* WordPrefix, DWordPrefix */
	assert_int_equal(a, 3);
	assert_int_equal(b, 4);

	assert_int_equal(s5_of(root, sizeof(root), &a, &b), 1); /* Name(\_S5_, ...) */
	assert_int_equal(a, 7);
	assert_int_equal(b, 1);

	assert_int_equal(s5_of(aml_std, sizeof(aml_std), &a, &b), 1);
	assert_int_equal(a, 5);
	assert_int_equal(b, 6);
}

/* Package(count) of ZeroOps but the first two elements, with a PkgLength of nbytes bytes. */
static size_t mk_s5_pkg(uint8_t *out, int nbytes, unsigned count, uint8_t a, uint8_t b)
{
	size_t n = 0, start;
	uint32_t pkglen;

	memcpy(out, "\x08_S5_\x12", 6);
	n = 6;
	start = n;
	pkglen = (uint32_t)nbytes + 1 + 2 + 2 + (count - 2);
	if (nbytes == 1) {
		assert_true(pkglen < 64);
		out[n++] = (uint8_t)pkglen;
	} else {
		out[n++] = (uint8_t)((nbytes - 1) << 6 | (pkglen & 0xF));
		for (int i = 1; i < nbytes; i++)
			out[n++] = (uint8_t)(pkglen >> (4 + 8 * (i - 1)));
	}
	out[n++] = (uint8_t)count;
	out[n++] = 0x0A;
	out[n++] = a;
	out[n++] = 0x0A;
	out[n++] = b;
	for (unsigned i = 2; i < count; i++)
		out[n++] = 0x00;
	assert_int_equal(n - start, pkglen);
	return n;
}

static void test_s5_pkglen_forms(void **state)
{
	uint8_t aml[256];
	uint16_t a, b;
	size_t n;

	(void)state;
	n = mk_s5_pkg(aml, 1, 4, 3, 4); /* 1-byte PkgLength */
	assert_int_equal(s5_of(aml, n, &a, &b), 1);
	assert_int_equal(a, 3);
	assert_int_equal(b, 4);

	n = mk_s5_pkg(aml, 2, 100, 5, 2); /* 2-byte PkgLength: a package of over 63 bytes */
	assert_int_equal(aml[6] >> 6, 1);
	assert_int_equal(s5_of(aml, n, &a, &b), 1);
	assert_int_equal(a, 5);
	assert_int_equal(b, 2);

	n = mk_s5_pkg(aml, 2, 4, 6, 1); /* 2-byte encoding of a small length */
	assert_int_equal(s5_of(aml, n, &a, &b), 1);
	assert_int_equal(a, 6);
	assert_int_equal(b, 1);

	n = mk_s5_pkg(aml, 4, 4, 2, 2); /* 4-byte encoding */
	assert_int_equal(aml[6] >> 6, 3);
	assert_int_equal(s5_of(aml, n, &a, &b), 1);
	assert_int_equal(a, 2);

	n = mk_s5_pkg(aml, 2, 4, 6, 1);
	aml[6] |= 0x10; /* reserved bits of a multi-byte lead byte */
	assert_int_equal(s5_of(aml, n, &a, &b), 0);

	n = mk_s5_pkg(aml, 1, 4, 6, 1);
	aml[6] += 1; /* package longer than the table */
	assert_int_equal(s5_of(aml, n, &a, &b), 0);

	n = mk_s5_pkg(aml, 1, 4, 6, 1);
	aml[6] = 3; /* package too short for its two elements */
	assert_int_equal(s5_of(aml, n, &a, &b), 0);

	n = mk_s5_pkg(aml, 1, 4, 6, 1);
	aml[7] = 1; /* NumElements 1 */
	assert_int_equal(s5_of(aml, n, &a, &b), 0);

	n = mk_s5_pkg(aml, 1, 4, 8, 1); /* SLP_TYP is 3 bits */
	assert_int_equal(s5_of(aml, n, &a, &b), 0);

	n = mk_s5_pkg(aml, 1, 4, 6, 1);
	aml[8] = 0x0D; /* a String element */
	assert_int_equal(s5_of(aml, n, &a, &b), 0);
}

static void test_s5_reference_first(void **state)
{
	/* clang-format off */
	static const uint8_t aml[] = {
		/* Method(_PTS, 1) { Store(_S5_, Local0); Return(_S5_) } -- references, not definitions */
		0x14, 0x18, '_', 'P', 'T', 'S', 0x01,
		0x70, '_', 'S', '5', '_', 0x60,
		/* a Return(_S5_) followed by bytes that look like a package of other values */
		0xA4, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x02, 0x0A, 0x02,
		/* Name(_S5_, Package(2){5, 3}) -- the definition */
		0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0A, 0x05, 0x0A, 0x03,
	};
	static const uint8_t none[] = {
		0x70, '_', 'S', '5', '_', 0x60, /* Store(_S5_, Local0) */
		0x08, '_', 'S', '4', '_', 0x12, 0x04, 0x02, 0x00, 0x00, /* Name(_S4_, Package(2){0, 0}) */
	};
	/* clang-format on */
	uint16_t a, b;

	(void)state;
	assert_int_equal(s5_of(aml, sizeof(aml), &a, &b), 1);
	assert_int_equal(a, 5);
	assert_int_equal(b, 3);

	assert_int_equal(s5_of(none, sizeof(none), &a, &b), 0); /* only \_S4 defined */
}

/* "\_S5_" first in the AML: the byte before the '\' is the header's, not a NameOp. */
static void test_s5_nameop_inside_aml(void **state)
{
	static const uint8_t aml[] = { '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0A, 0x07, 0x01 };
	struct acpi_info ai;
	uint8_t *d;

	(void)state;
	mk_fw(2, aml, sizeof(aml));
	d = region_at(HI + DSDT_OFF);
	d[SDT_HDR - 1] = 0x08; /* top byte of Creator Revision */
	seal(d);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.dsdt, HI + DSDT_OFF);
	assert_int_equal(ai.have_s5, 0);
}

/* Cut the DSDT after every byte: never a read outside the table (ASan), and \_S5 only once complete. */
static void test_s5_truncated(void **state)
{
	uint8_t full[SDT_HDR + sizeof(aml_std)];
	struct acpi_info ai;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	memcpy(full, region_at(HI + DSDT_OFF), sizeof(full));

	for (uint32_t cut = 1; cut <= sizeof(full); cut++) {
		for (int lie = 0; lie < 2; lie++) {
			uint8_t *d;

			setup(NULL);
			mk_fw(2, aml_std, sizeof(aml_std));
			drop_region(HI + DSDT_OFF);
			/* lie = 0: Length says cut; lie = 1: Length still says the full size. */
			d = mk_table_cut(HI + DSDT_OFF, "DSDT", lie ? sizeof(full) : cut, cut);
			if (cut > SDT_HDR)
				memcpy(d + SDT_HDR, full + SDT_HDR, cut - SDT_HDR);
			if (cut >= SDT_HDR)
				fix_sum(d, cut, 9);

			assert_int_equal(init(&ai), 0);
			assert_int_equal(ai.fadt, HI + FADT_OFF);
			if (cut < SDT_HDR || (lie && cut < sizeof(full))) {
				assert_int_equal(ai.dsdt, 0);
				assert_int_equal(ai.have_s5, 0);
			} else {
				assert_int_equal(ai.dsdt, HI + DSDT_OFF);
				/* The package ends with the table: complete only at the full size. */
				assert_int_equal(ai.have_s5, cut == sizeof(full));
			}
		}
	}
	assert_int_equal(ai.slp_typa_s5, 5);
}

/* Every cut of an AML stream holding a package with a 2-byte PkgLength, for the same reasons. */
static void test_s5_truncated_long(void **state)
{
	uint8_t aml[256];
	size_t n = mk_s5_pkg(aml, 2, 80, 4, 5);
	size_t pkg_end = n;
	struct acpi_info ai;
	uint8_t *d;

	(void)state;
	for (size_t cut = 0; cut <= n; cut++) {
		setup(NULL);
		mk_fw(2, aml, n);
		drop_region(HI + DSDT_OFF);
		d = mk_table(HI + DSDT_OFF, "DSDT", (uint32_t)(SDT_HDR + cut));
		memcpy(d + SDT_HDR, aml, cut);
		seal(d);
		assert_int_equal(init(&ai), 0);
		assert_int_equal(ai.dsdt, HI + DSDT_OFF);
		assert_int_equal(ai.have_s5, cut >= pkg_end);
	}
	assert_int_equal(ai.slp_typa_s5, 4);
	assert_int_equal(ai.slp_typb_s5, 5);
}

/* ---- port I/O (recorded on the host) ---- */

static void test_shutdown_writes(void **state)
{
	struct acpi_info ai;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	assert_int_equal(init(&ai), 0);
	/* Firmware left SCI_EN set and a stale SLP_TYP: SCI_EN stays, SLP_TYP is replaced. */
	acpi_host_inw_value = SCI_EN | SLP_TYP(7);
	assert_int_equal(acpi_shutdown(&ai), -ETIMEDOUT);
	assert_int_equal(acpi_host_io_count, 2);
	assert_int_equal(acpi_host_io[0].port, 0x604);
	assert_int_equal(acpi_host_io[0].width, 2);
	assert_int_equal(acpi_host_io[0].value, SCI_EN | SLP_TYP(5));
	assert_int_equal(acpi_host_io[1].port, 0x604);
	assert_int_equal(acpi_host_io[1].width, 2);
	assert_int_equal(acpi_host_io[1].value, SCI_EN | SLP_TYP(5) | SLP_EN);

	/* With a PM1b block: PM1a then PM1b, SLP_TYP then SLP_EN. */
	acpi_host_io_count = 0;
	acpi_host_inw_value = 0;
	ai.pm1b_cnt = 0x608;
	assert_int_equal(acpi_shutdown(&ai), -ETIMEDOUT);
	assert_int_equal(acpi_host_io_count, 4);
	assert_int_equal(acpi_host_io[0].port, 0x604);
	assert_int_equal(acpi_host_io[0].value, SLP_TYP(5));
	assert_int_equal(acpi_host_io[1].port, 0x608);
	assert_int_equal(acpi_host_io[1].value, SLP_TYP(6));
	assert_int_equal(acpi_host_io[2].port, 0x604);
	assert_int_equal(acpi_host_io[2].value, SLP_TYP(5) | SLP_EN);
	assert_int_equal(acpi_host_io[3].port, 0x608);
	assert_int_equal(acpi_host_io[3].value, SLP_TYP(6) | SLP_EN);
}

static void test_shutdown_refuses(void **state)
{
	struct acpi_info ai;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	assert_int_equal(init(&ai), 0);
	ai.have_s5 = 0;
	assert_int_equal(acpi_shutdown(&ai), -ENODEV);
	ai.have_s5 = 1;
	ai.pm1a_cnt = 0;
	assert_int_equal(acpi_shutdown(&ai), -ENODEV);
	assert_int_equal(acpi_shutdown(NULL), -ENODEV);
	assert_int_equal(acpi_host_io_count, 0);
}

static void test_reset(void **state)
{
	struct acpi_info ai;
	uint8_t *f;

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	f = region_at(HI + FADT_OFF);
	put32(f + F_FLAGS, F_RESET_REG_SUP);
	set_gas(f, F_RESET_REG, 1, 0xCF9);
	f[F_RESET_VALUE] = 0x06;
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.reset_supported, 1);
	assert_int_equal(acpi_reset(&ai), -ETIMEDOUT);
	assert_int_equal(acpi_host_io_count, 1);
	assert_int_equal(acpi_host_io[0].port, 0xCF9);
	assert_int_equal(acpi_host_io[0].value, 0x06);
	assert_int_equal(acpi_host_io[0].width, 1);

	/* Memory-space RESET_REG: not supported yet (an address that would fit a port, too). */
	acpi_host_io_count = 0;
	set_gas(f, F_RESET_REG, 0, 0xCF9);
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.reset_supported, 1);
	assert_int_equal(ai.reset_space, 0);
	assert_int_equal(acpi_reset(&ai), -ENODEV);

	/* RESET_REG_SUP clear. */
	set_gas(f, F_RESET_REG, 1, 0xCF9);
	put32(f + F_FLAGS, 0);
	seal(f);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.reset_supported, 0);
	assert_int_equal(acpi_reset(&ai), -ENODEV);
	assert_int_equal(acpi_host_io_count, 0);
}

/* ---- MADT ---- */

static int madt_count(const uint8_t *entries, size_t n)
{
	struct acpi_info ai;

	setup(NULL);
	mk_fw(2, aml_std, sizeof(aml_std));
	drop_region(HI + MADT_OFF); /* replace the standard MADT */
	mk_madt(HI + MADT_OFF, entries, n);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.madt, HI + MADT_OFF);
	check_ok = 0; /* acpi_madt_cpus has no ok(): acpi_init approved the MADT */
	return acpi_madt_cpus(&ai, fake_p2v);
}

static void test_madt_counting(void **state)
{
	/* clang-format off */
	static const uint8_t mixed[] = {
		0x00, 8, 0, 0, 0x01, 0, 0, 0,                         /* LAPIC enabled: counts */
		0x00, 8, 1, 1, 0x00, 0, 0, 0,                         /* LAPIC disabled */
		0x00, 8, 2, 2, 0x02, 0, 0, 0,                         /* LAPIC online-capable: counts */
		0x01, 12, 0, 0, 0, 0, 0xC0, 0xFE, 0, 0, 0, 0,         /* I/O APIC */
		0x02, 10, 0, 0, 2, 0, 0, 0, 0, 0,                     /* interrupt source override */
		0x04, 6, 0xFF, 0x05, 0x00, 0x01,                      /* local APIC NMI */
		0x09, 16, 0, 0, 0x00, 0x01, 0, 0, 0x01, 0, 0, 0, 3, 0, 0, 0, /* x2APIC id 256 enabled: counts */
		0x09, 16, 0, 0, 0x01, 0x01, 0, 0, 0x00, 0, 0, 0, 4, 0, 0, 0, /* x2APIC disabled */
		0x00, 6, 5, 5, 0x01, 0,                               /* LAPIC too short for its flags */
		0x09, 12, 0, 0, 0x02, 0x01, 0, 0, 0x01, 0, 0, 0,      /* x2APIC too short */
	};
	static const uint8_t cut[] = {
		0x00, 8, 0, 0, 0x01, 0, 0, 0,
		0x00, 8, 1, 1, 0x01, 0, 0, 0,
		0x00, 9, 2, 2, 0x01, 0, 0, 0, /* runs past the end: stop, keep the two before */
	};
	static const uint8_t zero_len[] = {
		0x00, 8, 0, 0, 0x01, 0, 0, 0,
		0x01, 0, 0, 0, 0, 0, 0, 0, /* length 0 would loop forever */
		0x00, 8, 1, 1, 0x01, 0, 0, 0,
	};
	/* clang-format on */

	(void)state;
	assert_int_equal(madt_count(madt_std, sizeof(madt_std)), 2);
	assert_int_equal(madt_count(mixed, sizeof(mixed)), 3);
	assert_int_equal(madt_count(cut, sizeof(cut)), 2);
	assert_int_equal(madt_count(zero_len, sizeof(zero_len)), 1);
	assert_int_equal(madt_count(cut, 0), 0); /* no entries at all */
}

static void test_madt_missing(void **state)
{
	struct acpi_info ai;
	uint64_t e[] = { HI + FADT_OFF };

	(void)state;
	mk_fw(2, aml_std, sizeof(aml_std));
	drop_region(HI + ROOT_OFF);
	mk_root(HI + ROOT_OFF, "XSDT", e, 1);
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.madt, 0);
	assert_int_equal(acpi_madt_cpus(&ai, fake_p2v), -ENOENT);
	assert_int_equal(acpi_madt_cpus(NULL, fake_p2v), -ENOENT);

	/* A MADT shorter than its fixed fields is no MADT. */
	setup(NULL);
	mk_fw(2, aml_std, sizeof(aml_std));
	put32(region_at(HI + MADT_OFF) + 4, 40);
	seal(region_at(HI + MADT_OFF));
	assert_int_equal(init(&ai), 0);
	assert_int_equal(ai.madt, 0);

	/* Changed after acpi_init: the checksum no longer holds. */
	setup(NULL);
	mk_fw(2, aml_std, sizeof(aml_std));
	assert_int_equal(init(&ai), 0);
	region_at(HI + MADT_OFF)[44] ^= 1;
	check_ok = 0;
	assert_int_equal(acpi_madt_cpus(&ai, fake_p2v), -EINVAL);
}

/* ---- SPCR ---- */

/* A firmware whose XSDT also lists an SPCR of len bytes at SPARE_OFF. */
static void mk_fw_spcr(uint8_t type, uint8_t space, uint8_t access, uint64_t addr, uint8_t baud, uint32_t len)
{
	uint64_t e[] = { HI + FADT_OFF, HI + MADT_OFF, HI + SPARE_OFF };
	uint8_t *t;

	free_regions(); /* each call builds a whole new firmware */
	mk_rsdp(2, 0, HI + ROOT_OFF);
	mk_root(HI + ROOT_OFF, "XSDT", e, 3);
	mk_fadt(HI + FADT_OFF, FADT_LEN_V6, HI + DSDT_OFF, 0x604, 0);
	mk_dsdt(HI + DSDT_OFF, aml_std, sizeof(aml_std));
	mk_madt(HI + MADT_OFF, madt_std, sizeof(madt_std));
	t = mk_table(HI + SPARE_OFF, "SPCR", len);
	if (len >= 80) {
		t[36] = type;
		set_gas(t, 40, space, addr);
		t[43] = access;
		t[58] = baud;
	}
	seal(t);
}

static void test_spcr_io_port(void **state)
{
	struct acpi_info ai;

	(void)state;
	mk_fw_spcr(ACPI_SPCR_16550, ACPI_GAS_SPACE_IO, 1, 0x2F8, 7, 80);
	assert_int_equal(init(&ai), 0);
	assert_true(ai.spcr == HI + SPARE_OFF);
	assert_true(acpi_spcr_usable(&ai));
	assert_int_equal(ai.spcr_space, ACPI_GAS_SPACE_IO);
	assert_true(ai.spcr_addr == 0x2F8);
	assert_int_equal(ai.spcr_width, 1);
	assert_int_equal(ai.spcr_baud, 115200);
}

static void test_spcr_mmio_dword(void **state)
{
	struct acpi_info ai;

	(void)state;
	mk_fw_spcr(ACPI_SPCR_16550_GAS, ACPI_GAS_SPACE_MEMORY, 3, 0xFE030000ULL, 0, 88);
	assert_int_equal(init(&ai), 0);
	assert_true(acpi_spcr_usable(&ai));
	assert_int_equal(ai.spcr_space, ACPI_GAS_SPACE_MEMORY);
	assert_true(ai.spcr_addr == 0xFE030000ULL);
	assert_int_equal(ai.spcr_width, 4);
	assert_int_equal(ai.spcr_baud, 0);
}

static void test_spcr_unusable_or_malformed(void **state)
{
	struct acpi_info ai;

	(void)state;
	mk_fw_spcr(0x03 /* ARM PL011 */, ACPI_GAS_SPACE_MEMORY, 3, 0x9000000, 7, 80);
	assert_int_equal(init(&ai), 0);
	assert_true(ai.spcr != 0);
	assert_false(acpi_spcr_usable(&ai));
	mk_fw_spcr(ACPI_SPCR_16550, ACPI_GAS_SPACE_IO, 1, 0, 7, 80); /* no address */
	assert_int_equal(init(&ai), 0);
	assert_false(acpi_spcr_usable(&ai));
	mk_fw_spcr(ACPI_SPCR_16550, ACPI_GAS_SPACE_IO, 1, 0x3F8, 7, 60); /* shorter than any SPCR */
	assert_int_equal(init(&ai), 0);
	assert_true(ai.spcr == 0);
	assert_false(acpi_spcr_usable(&ai));
	free_regions();
	mk_fw(2, aml_std, sizeof(aml_std)); /* none at all */
	assert_int_equal(init(&ai), 0);
	assert_false(acpi_spcr_usable(&ai));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rev0_rsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spcr_io_port, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spcr_mmio_dword, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spcr_unusable_or_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rev2_xsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pm_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rev2_falls_back_to_rsdt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rsdp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_rsdp_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_table_checksum_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_table_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unreadable_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt_fields_by_length, setup, teardown),
		cmocka_unit_test_setup_teardown(test_x_pm1_preference, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s5_encodings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s5_pkglen_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s5_reference_first, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s5_nameop_inside_aml, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s5_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s5_truncated_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_counting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fadt_boot_arch_revision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_madt_missing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
