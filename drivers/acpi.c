/* SPDX-License-Identifier: MIT */
/*
 * acpi.c - read the few ACPI tables Atlas needs after ExitBootServices, and
 * power off / reset through the FADT registers. Offsets and encodings follow
 * the ACPI 6.5 specification (5.2.5 RSDP, 5.2.6 headers, 5.2.9 FADT, 5.2.12
 * MADT, 20.2 AML grammar).
 *
 * Tables are firmware data: nothing in them is trusted. A physical range is
 * read only after ok() approved it, a table only after its header (signature,
 * length, checksum) checked out, and every field only when the table's
 * Length covers it. Fields are read with memcpy: tables are unaligned.
 *
 * \_S5 comes from a byte scan of the DSDT for Name(_S5_, Package(){a, b, ..})
 * rather than an AML interpreter: the common approach, and enough for every
 * firmware that defines \_S5 statically (most do).
 */
#include "acpi.h"

#include <stddef.h>
#include <stdint.h>

#include "fwtable.h"
#include "kerrno.h"
#include "kstring.h"

/* Root System Description Pointer (5.2.5.3) */
#define RSDP_SIGNATURE "RSD PTR "
#define RSDP_SIG_LEN 8
#define RSDP_OFF_OEMID 9
#define RSDP_OEMID_LEN 6
#define RSDP_OFF_REVISION 15
#define RSDP_OFF_RSDT 16
#define RSDP_V1_LEN 20 /* the part the first checksum covers */
#define RSDP_OFF_LENGTH 20
#define RSDP_OFF_XSDT 24
#define RSDP_V2_LEN 36
#define RSDP_MAX_LEN 4096 /* far above any real RSDP: a sanity bound */
#define RSDP_REV_XSDT 2	  /* first revision with Length, XsdtAddress, extended checksum */

/* System description table header (5.2.6) */
#define SDT_SIG_LEN 4
#define SDT_OFF_LENGTH 4
#define SDT_OFF_REVISION 8
#define SDT_HEADER_LEN 36
#define SDT_MAX_LEN (16U << 20)
#define RSDT_ENTRY_LEN 4
#define XSDT_ENTRY_LEN 8

/* Fixed ACPI Description Table (5.2.9) */
#define FADT_OFF_DSDT 40
#define FADT_OFF_PM1A_CNT_BLK 64
#define FADT_OFF_PM1B_CNT_BLK 68
#define FADT_OFF_PM_TMR_BLK 76
#define FADT_OFF_PM_TMR_LEN 91
#define FADT_V1_LEN 116		    /* ACPI 1.0's FADT: anything shorter is malformed */
#define FADT_OFF_IAPC_BOOT_ARCH 109 /* 16 bits; reserved before FADT revision 3 (ACPI 2.0) */
#define FADT_REV_IAPC_BOOT_ARCH 3
#define FADT_OFF_FLAGS 112
#define FADT_OFF_RESET_REG 116
#define FADT_OFF_RESET_VALUE 128
#define FADT_OFF_X_DSDT 140
#define FADT_OFF_X_PM1A_CNT_BLK 172
#define FADT_OFF_X_PM1B_CNT_BLK 184
#define FADT_OFF_X_PM_TMR_BLK 208
#define FADT_PM_TMR_LEN 4		/* the timer is a 32-bit register; any other length means none */
#define FADT_FLAG_TMR_VAL_EXT (1U << 8) /* the timer counts 32 bits, not 24 */
#define FADT_FLAG_RESET_REG_SUP (1U << 10)

/* Generic Address Structure (5.2.3.2) */
/* Serial Port Console Redirection table (Microsoft's SPCR specification, revision 2+) */
#define SPCR_OFF_TYPE 36
#define SPCR_OFF_BASE 40 /* a GAS */
#define SPCR_OFF_BAUD 58
#define SPCR_MIN_LEN 80
#define GAS_OFF_ACCESS 3 /* access size: 1 byte, 2 word, 3 dword, 4 qword */
#define GAS_ACCESS_DWORD 3

#define GAS_LEN 12
#define GAS_OFF_SPACE 0
#define GAS_OFF_ADDRESS 4

/* Multiple APIC Description Table (5.2.12) */
#define MADT_OFF_ENTRIES 44
#define MADT_ENTRY_HDR_LEN 2 /* type, length */
#define MADT_TYPE_LAPIC 0
#define MADT_LAPIC_LEN 8
#define MADT_LAPIC_OFF_FLAGS 4
#define MADT_TYPE_X2APIC 9
#define MADT_X2APIC_LEN 16
#define MADT_X2APIC_OFF_FLAGS 8
#define MADT_CPU_ENABLED (1U << 0)
#define MADT_CPU_ONLINE_CAPABLE (1U << 1)

/* AML encodings (20.2) */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0A
#define AML_WORD_PREFIX 0x0B
#define AML_DWORD_PREFIX 0x0C
#define AML_QWORD_PREFIX 0x0E
#define AML_PACKAGE_OP 0x12
#define AML_ROOT_CHAR '\\'
#define AML_NAMESEG_LEN 4
#define AML_S5_NAME "_S5_"
#define AML_PKGLEN_FOLLOW_SHIFT 6  /* lead byte bits 7:6: count of following bytes */
#define AML_PKGLEN_SHORT_MASK 0x3F /* one-byte form: bits 5:0 are the length */
#define AML_PKGLEN_LONG_MASK 0x0F  /* multi-byte form: bits 3:0 are the low nibble */
#define AML_PKGLEN_RESERVED 0x30   /* multi-byte form: bits 5:4 must be zero */
#define AML_PKGLEN_LONG_SHIFT 4
#define AML_S5_MIN_ELEMENTS 2 /* SLP_TYPa, SLP_TYPb */

/* PM1 control register (4.8.3.2.1) */
#define ACPI_SLP_TYP_SHIFT 10
#define ACPI_SLP_TYP_MASK 0x7U
#define ACPI_SLP_EN (1U << 13)
#define ACPI_PM1_SLP_BITS ((ACPI_SLP_TYP_MASK << ACPI_SLP_TYP_SHIFT) | ACPI_SLP_EN)

#define ACPI_IO_PORT_MAX 0xFFFFU

/* The fixed-hardware registers, as acpi_set_io gave them. */
static const struct acpi_io *io;

void acpi_set_io(const struct acpi_io *ops)
{
	io = ops;
}

/* ---- table access ---- */

struct acpi_ctx {
	const void *(*p2v)(uint64_t);
	acpi_phys_ok_fn ok; /* NULL: ranges already approved by acpi_init */
};

static uint8_t rd8(const uint8_t *p)
{
	return *p;
}

/* 1 when a field of size bytes at off lies inside a table of len bytes. */
static int has(uint32_t len, uint32_t off, uint32_t size)
{
	return off <= len && size <= len - off;
}

/* The readable mapping of [phys, phys + len), or NULL. */
static const uint8_t *map(const struct acpi_ctx *c, uint64_t phys, uint64_t len)
{
	if (!phys || phys > UINT64_MAX - len)
		return NULL;
	if (c->ok && !c->ok(phys, len))
		return NULL;
	return c->p2v(phys);
}

/*
 * The table at phys when it carries signature sig and a sane, readable
 * Length with a zero checksum; NULL otherwise. Stores its Length in *lenp.
 */
static const uint8_t *sdt_map(const struct acpi_ctx *c, uint64_t phys, const char *sig, uint32_t *lenp)
{
	const uint8_t *t = map(c, phys, SDT_HEADER_LEN);
	uint32_t len;

	if (!t || memcmp(t, sig, SDT_SIG_LEN))
		return NULL;
	len = fw_le32(t + SDT_OFF_LENGTH);
	if (len < SDT_HEADER_LEN || len >= SDT_MAX_LEN)
		return NULL;
	t = map(c, phys, len);
	if (!t || fw_sum8(t, len))
		return NULL;
	*lenp = len;
	return t;
}

/* ---- \_S5 from the DSDT's AML ---- */

/* Decode a PkgLength at p (avail bytes readable); 0 and *len, *nbytes, or -1. */
static int aml_pkglen(const uint8_t *p, uint32_t avail, uint32_t *len, uint32_t *nbytes)
{
	uint32_t follow, v;

	if (!avail)
		return -1;
	follow = p[0] >> AML_PKGLEN_FOLLOW_SHIFT;
	if (follow + 1 > avail)
		return -1;
	if (!follow) {
		v = p[0] & AML_PKGLEN_SHORT_MASK;
	} else {
		if (p[0] & AML_PKGLEN_RESERVED)
			return -1;
		v = p[0] & AML_PKGLEN_LONG_MASK;
		for (uint32_t i = 1; i <= follow; i++)
			v |= (uint32_t)p[i] << (AML_PKGLEN_LONG_SHIFT + 8 * (i - 1));
	}
	*len = v;
	*nbytes = follow + 1;
	return 0;
}

/* Decode a constant integer (ZeroOp, OneOp, Byte/Word/DWord/QWordPrefix); bytes used, or 0. */
static uint32_t aml_int(const uint8_t *p, uint32_t avail, uint64_t *v)
{
	uint32_t size;

	if (!avail)
		return 0;
	switch (p[0]) {
	case AML_ZERO_OP:
		*v = 0;
		return 1;
	case AML_ONE_OP:
		*v = 1;
		return 1;
	case AML_BYTE_PREFIX:
		size = 1;
		break;
	case AML_WORD_PREFIX:
		size = 2;
		break;
	case AML_DWORD_PREFIX:
		size = 4;
		break;
	case AML_QWORD_PREFIX:
		size = 8;
		break;
	default:
		return 0;
	}
	if (size >= avail)
		return 0;
	*v = 0;
	for (uint32_t i = 0; i < size; i++) /* AML integers are little-endian */
		*v |= (uint64_t)p[1 + i] << (8 * i);
	return 1 + size;
}

/*
 * Parse "PackageOp PkgLength NumElements a b ..." at t[pos..len) into the two
 * sleep types. Returns 0, or -1 when it is not such a package within len.
 */
static int s5_package(const uint8_t *t, uint32_t pos, uint32_t len, uint16_t *a, uint16_t *b)
{
	uint32_t pkglen, nbytes, end, n;
	uint64_t v[AML_S5_MIN_ELEMENTS];

	if (pos >= len || t[pos] != AML_PACKAGE_OP)
		return -1;
	pos++;
	if (aml_pkglen(t + pos, len - pos, &pkglen, &nbytes))
		return -1;
	/* PkgLength counts itself: the package ends pkglen bytes after its first byte. */
	if (pkglen <= nbytes || pkglen > len - pos)
		return -1;
	end = pos + pkglen;
	pos += nbytes;
	if (t[pos++] < AML_S5_MIN_ELEMENTS)
		return -1;
	for (int i = 0; i < AML_S5_MIN_ELEMENTS; i++) {
		n = aml_int(t + pos, end - pos, &v[i]);
		if (!n || v[i] > ACPI_SLP_TYP_MASK)
			return -1;
		pos += n;
	}
	*a = (uint16_t)v[0];
	*b = (uint16_t)v[1];
	return 0;
}

/* Find Name(_S5_, Package(){a, b, ...}) or Name(\_S5_, ...) in the AML; 1 when found. */
static int find_s5(const uint8_t *t, uint32_t len, uint16_t *a, uint16_t *b)
{
	for (uint32_t i = SDT_HEADER_LEN + 1; has(len, i, AML_NAMESEG_LEN); i++) {
		int named;

		if (memcmp(t + i, AML_S5_NAME, AML_NAMESEG_LEN))
			continue;
		named = t[i - 1] == AML_NAME_OP ||
			(i >= SDT_HEADER_LEN + 2 && t[i - 1] == AML_ROOT_CHAR && t[i - 2] == AML_NAME_OP);
		/* Anything else is a reference to \_S5 (or data): keep looking. */
		if (named && !s5_package(t, i + AML_NAMESEG_LEN, len, a, b))
			return 1;
	}
	return 0;
}

/* ---- FADT ---- */

/* An I/O port from a GAS at off when the FADT holds it and it is in system I/O space; 0 otherwise. */
static uint16_t gas_io_port(const uint8_t *f, uint32_t len, uint32_t off)
{
	uint64_t addr;

	if (!has(len, off, GAS_LEN) || rd8(f + off + GAS_OFF_SPACE) != ACPI_GAS_SPACE_IO)
		return 0;
	addr = fw_le64(f + off + GAS_OFF_ADDRESS);
	return addr <= ACPI_IO_PORT_MAX ? (uint16_t)addr : 0;
}

/* A legacy 32-bit port block address at off, 0 when absent or not a port. */
static uint16_t blk_io_port(const uint8_t *f, uint32_t len, uint32_t off)
{
	uint32_t addr;

	if (!has(len, off, sizeof(uint32_t)))
		return 0;
	addr = fw_le32(f + off);
	return addr <= ACPI_IO_PORT_MAX ? (uint16_t)addr : 0;
}

/* Take the PM1 control ports, the reset register and \_S5 (through the DSDT) from a FADT of at least FADT_V1_LEN. */
static void parse_fadt(struct acpi_info *ai, const struct acpi_ctx *c, const uint8_t *f, uint32_t len)
{
	uint64_t dsdt = 0;
	uint16_t port;
	const uint8_t *d;
	uint32_t dlen;

	if (has(len, FADT_OFF_X_DSDT, sizeof(uint64_t)))
		dsdt = fw_le64(f + FADT_OFF_X_DSDT);
	if (!dsdt)
		dsdt = fw_le32(f + FADT_OFF_DSDT);

	if (rd8(f + SDT_OFF_REVISION) >= FADT_REV_IAPC_BOOT_ARCH &&
	    has(len, FADT_OFF_IAPC_BOOT_ARCH, sizeof(uint16_t))) {
		ai->boot_arch_valid = 1;
		ai->boot_arch = fw_le16(f + FADT_OFF_IAPC_BOOT_ARCH);
	}
	ai->pm1a_cnt = blk_io_port(f, len, FADT_OFF_PM1A_CNT_BLK);
	ai->pm1b_cnt = blk_io_port(f, len, FADT_OFF_PM1B_CNT_BLK);
	port = gas_io_port(f, len, FADT_OFF_X_PM1A_CNT_BLK);
	if (port)
		ai->pm1a_cnt = port;
	port = gas_io_port(f, len, FADT_OFF_X_PM1B_CNT_BLK);
	if (port)
		ai->pm1b_cnt = port;
	/* The power-management timer (ACPI 4.8.3.3): 3.579545 MHz, 24 or 32 bits; none in hardware-reduced ACPI. */
	if (rd8(f + FADT_OFF_PM_TMR_LEN) == FADT_PM_TMR_LEN) {
		ai->pm_tmr = blk_io_port(f, len, FADT_OFF_PM_TMR_BLK);
		port = gas_io_port(f, len, FADT_OFF_X_PM_TMR_BLK);
		if (port)
			ai->pm_tmr = port;
		ai->pm_tmr_32bit = has(len, FADT_OFF_FLAGS, sizeof(uint32_t)) &&
				   (fw_le32(f + FADT_OFF_FLAGS) & FADT_FLAG_TMR_VAL_EXT);
	}

	if (has(len, FADT_OFF_RESET_VALUE, sizeof(uint8_t))) {
		ai->reset_space = rd8(f + FADT_OFF_RESET_REG + GAS_OFF_SPACE);
		ai->reset_addr = fw_le64(f + FADT_OFF_RESET_REG + GAS_OFF_ADDRESS);
		ai->reset_value = rd8(f + FADT_OFF_RESET_VALUE);
		ai->reset_supported = !!(fw_le32(f + FADT_OFF_FLAGS) & FADT_FLAG_RESET_REG_SUP);
	}

	d = sdt_map(c, dsdt, "DSDT", &dlen);
	if (!d)
		return;
	ai->dsdt = dsdt;
	ai->have_s5 = find_s5(d, dlen, &ai->slp_typa_s5, &ai->slp_typb_s5);
}

/* ---- entry points ---- */

/* Validate the RSDP at phys and fill the RSDP fields of *ai; 0 or a negative errno. */
static int parse_rsdp(struct acpi_info *ai, const struct acpi_ctx *c, uint64_t phys, uint64_t *rsdt, uint64_t *xsdt)
{
	const uint8_t *r = map(c, phys, RSDP_V1_LEN);
	int rev;

	if (!r || memcmp(r, RSDP_SIGNATURE, RSDP_SIG_LEN) || fw_sum8(r, RSDP_V1_LEN))
		return -ENOENT;
	rev = rd8(r + RSDP_OFF_REVISION);
	*rsdt = fw_le32(r + RSDP_OFF_RSDT);
	*xsdt = 0;
	if (rev >= RSDP_REV_XSDT) {
		uint32_t len;

		r = map(c, phys, RSDP_V2_LEN);
		if (!r)
			return -ENOENT;
		len = fw_le32(r + RSDP_OFF_LENGTH);
		if (len < RSDP_V2_LEN || len > RSDP_MAX_LEN)
			return -EINVAL;
		r = map(c, phys, len);
		if (!r || fw_sum8(r, len))
			return -ENOENT;
		*xsdt = fw_le64(r + RSDP_OFF_XSDT);
	}
	ai->rsdp = phys;
	ai->revision = rev;
	memcpy(ai->oem_id, r + RSDP_OFF_OEMID, RSDP_OEMID_LEN);
	ai->oem_id[RSDP_OEMID_LEN] = 0;
	return 0;
}

/* SPCR's baud rate code: 3 = 9600, 4 = 19200, 6 = 57600, 7 = 115200; 0 = as the firmware set it. */
static uint32_t spcr_baud(uint8_t code)
{
	switch (code) {
	case 3:
		return 9600;
	case 4:
		return 19200;
	case 6:
		return 57600;
	case 7:
		return 115200;
	default:
		return 0;
	}
}

static void parse_spcr(struct acpi_info *ai, const uint8_t *t, uint64_t phys)
{
	ai->spcr = phys;
	ai->spcr_type = rd8(t + SPCR_OFF_TYPE);
	ai->spcr_space = rd8(t + SPCR_OFF_BASE + GAS_OFF_SPACE);
	ai->spcr_width = rd8(t + SPCR_OFF_BASE + GAS_OFF_ACCESS) == GAS_ACCESS_DWORD ? 4 : 1;
	ai->spcr_addr = fw_le64(t + SPCR_OFF_BASE + GAS_OFF_ADDRESS);
	ai->spcr_baud = spcr_baud(rd8(t + SPCR_OFF_BAUD));
}

int acpi_spcr_usable(const struct acpi_info *ai)
{
	if (!ai || !ai->spcr || !ai->spcr_addr)
		return 0;
	if (ai->spcr_type != ACPI_SPCR_16550 && ai->spcr_type != ACPI_SPCR_16450 &&
	    ai->spcr_type != ACPI_SPCR_16550_GAS)
		return 0;
	if (ai->spcr_space == ACPI_GAS_SPACE_IO)
		return ai->spcr_addr <= 0xFFF8; /* eight registers of I/O space */
	return ai->spcr_space == ACPI_GAS_SPACE_MEMORY;
}

int acpi_init(struct acpi_info *ai, uint64_t rsdp_phys, const void *(*phys_to_virt)(uint64_t), acpi_phys_ok_fn ok)
{
	struct acpi_ctx c = { phys_to_virt, ok };
	uint64_t rsdt, xsdt;
	const uint8_t *root = NULL;
	uint32_t len = 0, esize = XSDT_ENTRY_LEN;
	int r;

	if (!ai)
		return -EINVAL;
	memset(ai, 0, sizeof(*ai));
	if (!phys_to_virt || !ok)
		return -EINVAL;
	r = parse_rsdp(ai, &c, rsdp_phys, &rsdt, &xsdt);
	if (r)
		return r;

	/* The XSDT when there is one; the RSDT when not, or when the XSDT is broken. */
	if (xsdt)
		root = sdt_map(&c, xsdt, "XSDT", &len);
	if (root) {
		ai->xsdt_or_rsdt = xsdt;
	} else {
		root = sdt_map(&c, rsdt, "RSDT", &len);
		if (!root)
			return -EINVAL;
		ai->xsdt_or_rsdt = rsdt;
		esize = RSDT_ENTRY_LEN;
	}

	for (uint32_t off = SDT_HEADER_LEN; has(len, off, esize); off += esize) {
		uint64_t phys = esize == XSDT_ENTRY_LEN ? fw_le64(root + off) : fw_le32(root + off);
		const uint8_t *t;
		uint32_t tlen;

		/* The first valid table of each kind wins; broken ones are skipped. */
		if (!ai->fadt) {
			t = sdt_map(&c, phys, "FACP", &tlen);
			if (t && tlen >= FADT_V1_LEN) {
				ai->fadt = phys;
				parse_fadt(ai, &c, t, tlen);
				continue;
			}
		}
		if (!ai->madt) {
			t = sdt_map(&c, phys, "APIC", &tlen);
			if (t && tlen >= MADT_OFF_ENTRIES) {
				ai->madt = phys;
				continue;
			}
		}
		if (!ai->spcr) {
			t = sdt_map(&c, phys, "SPCR", &tlen);
			if (t && tlen >= SPCR_MIN_LEN)
				parse_spcr(ai, t, phys);
		}
	}
	return ai->fadt ? 0 : -EINVAL;
}

/* The PM1x_CNT value selecting sleep type typ: other bits (SCI_EN above all) as read, SLP_EN clear. */
static uint16_t pm1_with_slp_typ(uint16_t port, uint16_t typ)
{
	uint32_t v = io->inw(port) & ~ACPI_PM1_SLP_BITS;

	return (uint16_t)(v | (typ & ACPI_SLP_TYP_MASK) << ACPI_SLP_TYP_SHIFT);
}

int acpi_shutdown(const struct acpi_info *ai)
{
	uint16_t a, b = 0;

	if (!ai || !ai->have_s5 || !ai->pm1a_cnt || !io)
		return -ENODEV;
	a = pm1_with_slp_typ(ai->pm1a_cnt, ai->slp_typa_s5);
	if (ai->pm1b_cnt)
		b = pm1_with_slp_typ(ai->pm1b_cnt, ai->slp_typb_s5);

	/* As ACPICA does: SLP_TYP first, then SLP_TYP with SLP_EN, PM1a before PM1b. */
	io->outw(ai->pm1a_cnt, a);
	if (ai->pm1b_cnt)
		io->outw(ai->pm1b_cnt, b);
	io->outw(ai->pm1a_cnt, (uint16_t)(a | ACPI_SLP_EN));
	if (ai->pm1b_cnt)
		io->outw(ai->pm1b_cnt, (uint16_t)(b | ACPI_SLP_EN));
	io->settle();
	return -ETIMEDOUT;
}

int acpi_reset(const struct acpi_info *ai)
{
	/* Memory space would need an MMIO mapping; the direct map covers RAM only. */
	if (!ai || !ai->reset_supported || ai->reset_space != ACPI_GAS_SPACE_IO || !ai->reset_addr ||
	    ai->reset_addr > ACPI_IO_PORT_MAX || !io)
		return -ENODEV;
	io->outb((uint16_t)ai->reset_addr, ai->reset_value);
	io->settle();
	return -ETIMEDOUT;
}

int acpi_madt_cpus(const struct acpi_info *ai, const void *(*phys_to_virt)(uint64_t))
{
	struct acpi_ctx c = { phys_to_virt, NULL };
	const uint8_t *m;
	uint32_t len, off, elen, flags;
	int n = 0;

	if (!ai || !ai->madt || !phys_to_virt)
		return -ENOENT;
	m = sdt_map(&c, ai->madt, "APIC", &len);
	if (!m || len < MADT_OFF_ENTRIES)
		return -EINVAL;
	/* Stop at the first entry that would run past the table: what came before still counts. */
	for (off = MADT_OFF_ENTRIES; has(len, off, MADT_ENTRY_HDR_LEN); off += elen) {
		elen = m[off + 1];
		if (elen < MADT_ENTRY_HDR_LEN || !has(len, off, elen))
			break;
		if (m[off] == MADT_TYPE_LAPIC && elen >= MADT_LAPIC_LEN)
			flags = fw_le32(m + off + MADT_LAPIC_OFF_FLAGS);
		else if (m[off] == MADT_TYPE_X2APIC && elen >= MADT_X2APIC_LEN)
			flags = fw_le32(m + off + MADT_X2APIC_OFF_FLAGS);
		else
			continue;
		if (flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE))
			n++;
	}
	return n;
}
