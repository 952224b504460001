/* SPDX-License-Identifier: MIT */
/*
 * test_pci.c - the bus walk and BAR sizing (drivers/pci.c) over a simulated
 * config space: BARs that answer the write-ones protocol, a bridge with a
 * device behind it, 64-bit and ROM BARs, a capability list that loops, and
 * a check that every register ends as it started and that decode was off
 * whenever a BAR held all-ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pci.h"

#define NBUS 4

struct fn {
	int present;
	uint8_t cfg[256];
	uint32_t bar_mask[7]; /* per BAR register (6 = ROM): the writable address bits */
};

static struct fn space[NBUS][32][8];
static int bad_decode; /* a BAR was all-ones while decode was on */

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t sim_read(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width)
{
	struct fn *f;
	uint32_t v = 0;

	(void)ctx;
	if (seg || bus >= NBUS || !space[bus][dev][fn].present || off >= 256)
		return 0xFFFFFFFFU;
	f = &space[bus][dev][fn];
	for (int i = 0; i < width; i++)
		v |= (uint32_t)f->cfg[off + i] << (8 * i);
	return v;
}

static int bar_reg(uint8_t header, uint16_t off)
{
	if (off >= PCI_BAR0 && off < PCI_BAR0 + (header == 1 ? 8 : 24))
		return (off - PCI_BAR0) / 4;
	if (off == (header == 1 ? PCI_BRIDGE_ROM_BAR : PCI_ROM_BAR))
		return 6;
	return -1;
}

static void sim_write(void *ctx, uint16_t seg, uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width,
		      uint32_t v)
{
	struct fn *f;
	int b;

	(void)ctx;
	if (seg || bus >= NBUS || !space[bus][dev][fn].present)
		return;
	f = &space[bus][dev][fn];
	b = bar_reg(f->cfg[PCI_HEADER_TYPE] & 0x7F, off);
	if (b >= 0 && width == 4) {
		uint32_t old = rd32(f->cfg + off), keep = ~f->bar_mask[b];

		v = (old & keep) | (v & f->bar_mask[b]);
		if (v == (old | f->bar_mask[b]) && (f->cfg[PCI_COMMAND] & (PCI_CMD_IO | PCI_CMD_MEM)) && f->bar_mask[b])
			bad_decode = 1;
	}
	for (int i = 0; i < width; i++)
		f->cfg[off + i] = (uint8_t)(v >> (8 * i));
}

static const struct pci_access acc = { "sim", 0, sim_read, sim_write, NULL, NULL };

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static struct fn *dev_at(int bus, int dev, int fn, uint16_t vendor, uint16_t device, uint8_t cls, uint8_t header)
{
	struct fn *f = &space[bus][dev][fn];

	f->present = 1;
	put32(f->cfg, (uint32_t)device << 16 | vendor);
	f->cfg[PCI_CLASS] = cls;
	f->cfg[PCI_HEADER_TYPE] = header;
	f->cfg[PCI_COMMAND] = PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER;
	return f;
}

static struct pci_scan scan, scan2;
static uint8_t before[NBUS][32][8][256];

static int setup(void **state)
{
	struct fn *f;

	(void)state;
	memset(space, 0, sizeof(space));
	bad_decode = 0;
	/* 00:00.0 host bridge, no BARs. */
	dev_at(0, 0, 0, 0x8086, 0x29c0, 0x06, 0);
	/* 00:02.0: a 128 KiB memory BAR, a 64-byte I/O BAR, a 256 KiB ROM (disabled). */
	f = dev_at(0, 2, 0, 0x8086, 0x100e, 0x02, 0);
	put32(f->cfg + 0x10, 0xc1240000);
	f->bar_mask[0] = 0xfffe0000;
	put32(f->cfg + 0x14, 0x62c1);
	f->bar_mask[1] = 0xffffffc0;
	put32(f->cfg + 0x30, 0xfffc0000);
	f->bar_mask[6] = 0xfffc0001;
	/* 00:03.0: a 4 GiB 64-bit prefetchable BAR above 512 GiB, and a capability list that loops. */
	f = dev_at(0, 3, 0, 0x1af4, 0x1110, 0x05, 0);
	put32(f->cfg + 0x18, 0x0000000c); /* BAR2: 64-bit, prefetchable */
	put32(f->cfg + 0x1c, 0x000000e0);
	f->bar_mask[2] = 0x00000000; /* low half: all size bits (4 GiB) */
	f->bar_mask[3] = 0xffffffff;
	f->cfg[PCI_STATUS] = PCI_STATUS_CAP_LIST;
	f->cfg[PCI_CAP_PTR] = 0x40;
	f->cfg[0x40] = PCI_CAP_ID_MSIX;
	f->cfg[0x41] = 0x50;
	f->cfg[0x42] = 0x07; /* 8 entries */
	f->cfg[0x50] = PCI_CAP_ID_PM;
	f->cfg[0x51] = 0x40; /* back to the first: a loop */
	/* 00:1c.0: a bridge to bus 1, with a memory window; function 0 of a multi-function device. */
	f = dev_at(0, 0x1c, 0, 0x1b36, 0x000c, 0x06, 0x81);
	f->cfg[PCI_PRIMARY_BUS] = 0;
	f->cfg[PCI_SECONDARY_BUS] = 1;
	f->cfg[PCI_SUBORDINATE_BUS] = 1;
	f->cfg[PCI_MEM_BASE] = 0x00;
	f->cfg[PCI_MEM_BASE + 1] = 0xc1;
	f->cfg[PCI_MEM_LIMIT] = 0x10;
	f->cfg[PCI_MEM_LIMIT + 1] = 0xc1;
	/* 00:1c.1 exists too (multi-function). */
	dev_at(0, 0x1c, 1, 0x1b36, 0x000c, 0x08, 0);
	/* 01:00.0 behind the bridge. */
	f = dev_at(1, 0, 0, 0x1af4, 0x1044, 0xff, 0);
	put32(f->cfg + 0x14, 0xc1000000);
	f->bar_mask[1] = 0xfffff000;
	memset(before, 0, sizeof(before));
	for (int b = 0; b < NBUS; b++)
		for (int d = 0; d < 32; d++)
			for (int fn = 0; fn < 8; fn++)
				memcpy(before[b][d][fn], space[b][d][fn].cfg, 256);
	return 0;
}

static const struct pci_func *func(const struct pci_scan *s, int bus, int dev, int fn)
{
	int i = pci_find(s, 0, (uint8_t)bus, (uint8_t)dev, (uint8_t)fn);

	assert_true(i >= 0);
	return &s->f[i];
}

static void test_scan_and_sizes(void **state)
{
	struct pci_root root = { 0, 0 };
	const struct pci_func *f;

	(void)state;
	assert_int_equal(pci_scan(&scan, &acc, &root, 1), 6);
	assert_int_equal(scan.problems, 0);
	f = func(&scan, 0, 2, 0);
	assert_int_equal(f->nbars, 3);
	assert_int_equal(f->bar[0].kind, PCI_BAR_MEM32);
	assert_int_equal(f->bar[0].base, 0xc1240000);
	assert_int_equal(f->bar[0].size, 0x20000);
	assert_true(f->bar[0].enabled);
	assert_int_equal(f->bar[1].kind, PCI_BAR_IO);
	assert_int_equal(f->bar[1].base, 0x62c0);
	assert_int_equal(f->bar[1].size, 0x40);
	assert_int_equal(f->bar[2].kind, PCI_BAR_ROM);
	assert_int_equal(f->bar[2].index, PCI_ROM_INDEX);
	assert_int_equal(f->bar[2].size, 0x40000);
	assert_false(f->bar[2].enabled);
	f = func(&scan, 0, 3, 0);
	assert_int_equal(f->nbars, 1);
	assert_int_equal(f->bar[0].kind, PCI_BAR_MEM64);
	assert_true(f->bar[0].prefetch);
	assert_int_equal(f->bar[0].index, 2);
	assert_int_equal(f->bar[0].base, 0xe000000000ULL);
	assert_int_equal(f->bar[0].size, 0x100000000ULL);
	/* The loop is cut at the second visit of 0x40; what came before is kept. */
	assert_int_equal(f->ncaps, 2);
	assert_int_equal(f->cap_problem, PCI_CAPS_LOOP);
	assert_int_equal(f->cap_problem_at, 0x40);
	assert_int_equal(f->msix_table_size, 8);
	f = func(&scan, 0, 0x1c, 0);
	assert_int_equal(f->header_type, PCI_HEADER_BRIDGE);
	assert_true(f->win[PCI_WIN_MEM].valid);
	assert_int_equal(f->win[PCI_WIN_MEM].base, 0xc1000000);
	assert_int_equal(f->win[PCI_WIN_MEM].limit, 0xc11fffff);
	assert_false(f->win[PCI_WIN_IO].valid);
	func(&scan, 0, 0x1c, 1);
	f = func(&scan, 1, 0, 0);
	assert_int_equal(scan.f[f->parent].dev, 0x1c);
	assert_int_equal(f->bar[0].size, 0x1000);
	assert_int_equal(f->bar[0].index, 1);
}

static void test_registers_restored_and_decode_off(void **state)
{
	struct pci_root root = { 0, 0 };

	(void)state;
	pci_scan(&scan, &acc, &root, 1);
	assert_false(bad_decode);
	for (int b = 0; b < NBUS; b++)
		for (int d = 0; d < 32; d++)
			for (int fn = 0; fn < 8; fn++)
				assert_memory_equal(before[b][d][fn], space[b][d][fn].cfg, 256);
	/* A second scan finds exactly the same. */
	pci_scan(&scan2, &acc, &root, 1);
	assert_true(pci_scan_equal(&scan, &scan2));
	assert_true(scan.cfg_writes > 0);
}

/* A driver claiming a device between scans is not a change of enumeration; a moved BAR is. */
static void test_same_devices_after_a_driver(void **state)
{
	struct pci_root root = { 0, 0 };
	uint8_t *cfg = space[0][2][0].cfg;
	int diff = -1;

	(void)state;
	pci_scan(&scan, &acc, &root, 1);
	/* What drivers/xhci.c does to its controller: bus master, INTx disable; the device raises status bits. */
	cfg[PCI_COMMAND] |= PCI_CMD_MASTER;
	cfg[PCI_COMMAND + 1] |= PCI_CMD_INTX_DISABLE >> 8;
	cfg[PCI_STATUS] |= 0x08;
	cfg[PCI_IRQ_LINE] = 11;
	pci_scan(&scan2, &acc, &root, 1);
	assert_false(pci_scan_equal(&scan, &scan2));
	assert_true(pci_scan_same_devices(&scan, &scan2, &diff));
	/* Memory decode is not a driver's to leave changed: the sizing restores it. */
	cfg[PCI_COMMAND] &= (uint8_t)~PCI_CMD_MEM;
	pci_scan(&scan2, &acc, &root, 1);
	assert_false(pci_scan_same_devices(&scan, &scan2, &diff));
	assert_int_equal(diff, pci_find(&scan, 0, 0, 2, 0));
	cfg[PCI_COMMAND] |= PCI_CMD_MEM;
	/* A BAR at another address. */
	put32(space[1][0][0].cfg + 0x14, 0xc1001000);
	pci_scan(&scan2, &acc, &root, 1);
	assert_false(pci_scan_same_devices(&scan, &scan2, &diff));
	assert_int_equal(diff, pci_find(&scan, 0, 1, 0, 0));
	/* A function gone. */
	space[0][0x1c][1].present = 0;
	pci_scan(&scan2, &acc, &root, 1);
	assert_false(pci_scan_same_devices(&scan, &scan2, &diff));
	assert_int_equal(diff, scan.nfuncs);
}

static void test_bridge_loop_and_bad_bridges(void **state)
{
	struct pci_root root = { 0, 0 };
	struct fn *f;

	(void)state;
	/* The device behind the bridge becomes a bridge back to bus 1 (itself): a loop. */
	f = dev_at(1, 1, 0, 0x1b36, 0x000c, 0x06, 1);
	f->cfg[PCI_PRIMARY_BUS] = 1;
	f->cfg[PCI_SECONDARY_BUS] = 2;
	f->cfg[PCI_SUBORDINATE_BUS] = 1; /* subordinate < secondary */
	pci_scan(&scan, &acc, &root, 1);
	assert_true(scan.problems & PCI_PROB_BAD_BRIDGE);
	f->cfg[PCI_SECONDARY_BUS] = 1; /* secondary <= its own bus */
	f->cfg[PCI_SUBORDINATE_BUS] = 1;
	pci_scan(&scan, &acc, &root, 1);
	assert_true(scan.problems & PCI_PROB_BAD_BRIDGE);
	assert_int_equal(pci_scan(&scan, NULL, &root, 1), -22);
	assert_string_equal(scan.method, "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_scan_and_sizes, setup),
		cmocka_unit_test_setup(test_registers_restored_and_decode_off, setup),
		cmocka_unit_test_setup(test_same_devices_after_a_driver, setup),
		cmocka_unit_test_setup(test_bridge_loop_and_bad_bridges, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
