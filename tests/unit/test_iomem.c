/* SPDX-License-Identifier: MIT */
/*
 * test_iomem.c - the physical address tree builder (core/iomem.c) fed
 * crafted inputs: nesting, overlapping BARs, a BAR in RAM, bridge-window
 * violations, 64-bit BARs above 512 GiB, a memory map with holes, MMIO the
 * map does not mention, and Linux's /proc/iomem text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "iomem.h"

#define CAP 64

static struct iomem_in in[CAP];
static int n;
static struct iomem_node out[CAP];

static int add(uint64_t start, uint64_t end, unsigned kind, unsigned space, const char *name)
{
	struct iomem_in *x = &in[n];

	memset(x, 0, sizeof(*x));
	x->start = start;
	x->end = end;
	x->kind = (uint8_t)kind;
	x->space = (uint8_t)space;
	x->owner[0] = x->owner[1] = IOMEM_NO_OWNER;
	x->pci = -1;
	snprintf(x->name, sizeof(x->name), "%s", name);
	return n++;
}

static int setup(void **state)
{
	(void)state;
	n = 0;
	memset(out, 0, sizeof(out));
	return 0;
}

/* The node named name (the i-th of that name), or fail. */
static const struct iomem_node *node(int count, const char *name, int i)
{
	for (int k = 0; k < count; k++)
		if (!strcmp(out[k].name, name) && i-- == 0)
			return &out[k];
	fail_msg("no node '%s'", name);
	return NULL;
}

/* A map with holes: RAM, a hole, reserved, a hole, RAM above 4 GiB. */
static void memory_map(void)
{
	add(0x0, 0x9ffff, IOK_RAM, IOMEM_MEM, "System RAM");
	add(0x100000, 0x7fffffff, IOK_RAM, IOMEM_MEM, "System RAM");
	add(0xb0000000, 0xbfffffff, IOK_RESERVED, IOMEM_MEM, "Reserved");
	add(0xffc00000, 0xffffffff, IOK_FW_MMIO, IOMEM_MEM, "EFI MMIO");
	add(0x100000000, 0x17fffffff, IOK_RAM, IOMEM_MEM, "System RAM");
}

static void test_nesting_and_order(void **state)
{
	int c;

	(void)state;
	memory_map();
	/* Inputs in no particular order: the builder sorts. */
	add(0x1000000, 0x1ffffff, IOK_KERNEL, IOMEM_MEM, "Kernel code");
	add(0xb0000000, 0xbfffffff, IOK_ECAM, IOMEM_MEM, "PCI MMCONFIG 0000 [bus 00-ff]");
	add(0xc0000000, 0xc0ffffff, IOK_BAR, IOMEM_MEM, "0000:00:01.0");
	add(0xc0000000, 0xc03e7fff, IOK_FB, IOMEM_MEM, "GOP framebuffer");
	add(0xffc00000, 0xffffffff, IOK_FLASH, IOMEM_MEM, "Boot ROM (flash)");
	add(0x2000000, 0x2000fff, IOK_PT, IOMEM_MEM, "Kernel page tables");
	c = iomem_build(in, n, IOMEM_MEM, 40, out, CAP);
	assert_int_equal(c, n);
	for (int i = 1; i < c; i++)
		assert_true(out[i - 1].start <= out[i].start);
	assert_int_equal(node(c, "Kernel code", 0)->depth, 1);
	assert_string_equal(out[node(c, "Kernel code", 0)->parent].name, "System RAM");
	assert_int_equal(node(c, "Kernel page tables", 0)->depth, 1);
	/* Equal ranges: the firmware map's entry is the outer one. */
	assert_int_equal(node(c, "Reserved", 0)->depth, 0);
	assert_int_equal(node(c, "PCI MMCONFIG 0000 [bus 00-ff]", 0)->depth, 1);
	assert_int_equal(node(c, "Boot ROM (flash)", 0)->depth, 1);
	assert_int_equal(node(c, "GOP framebuffer", 0)->depth, 1);
	assert_string_equal(out[node(c, "GOP framebuffer", 0)->parent].name, "0000:00:01.0");
	/* Nothing here conflicts; the BAR and the framebuffer are MMIO the map does not describe. */
	for (int i = 0; i < c; i++) {
		uint32_t want = !strcmp(out[i].name, "0000:00:01.0") || !strcmp(out[i].name, "GOP framebuffer") ?
					IOMEM_F_NOT_IN_MEMMAP :
					0;

		assert_int_equal(out[i].flags, want);
	}
	/* ECAM and the flash lie in ranges the map describes: not flagged. */
	assert_int_equal(node(c, "PCI MMCONFIG 0000 [bus 00-ff]", 0)->flags, 0);
}

static void test_bar_in_ram(void **state)
{
	int c;

	(void)state;
	memory_map();
	add(0x7ff00000, 0x7ff0ffff, IOK_BAR, IOMEM_MEM, "0000:00:03.0"); /* inside RAM */
	add(0x7ffff000, 0x80000fff, IOK_BAR, IOMEM_MEM, "0000:00:04.0"); /* straddles RAM's end */
	add(0xc1000000, 0xc1000fff, IOK_BAR, IOMEM_MEM, "0000:00:05.0"); /* in a hole: fine */
	c = iomem_build(in, n, IOMEM_MEM, 0, out, CAP);
	assert_true(node(c, "0000:00:03.0", 0)->flags & IOMEM_F_BAR_IN_RAM);
	assert_int_equal(node(c, "0000:00:03.0", 0)->depth, 1);
	assert_true(node(c, "0000:00:04.0", 0)->flags & IOMEM_F_BAR_IN_RAM);
	/* Starts inside System RAM, ends outside: neither contains the other. */
	assert_true(node(c, "0000:00:04.0", 0)->flags & IOMEM_F_OVERLAP);
	assert_int_equal(node(c, "0000:00:04.0", 0)->depth, 0);
	assert_true(node(c, "System RAM", 1)->flags & IOMEM_F_OVERLAP);
	assert_false(node(c, "0000:00:05.0", 0)->flags & IOMEM_F_BAR_IN_RAM);
	assert_true(node(c, "0000:00:05.0", 0)->flags & IOMEM_F_NOT_IN_MEMMAP);
}

static void test_overlapping_bars(void **state)
{
	int c;

	(void)state;
	add(0xc0000000, 0xc0003fff, IOK_BAR, IOMEM_MEM, "0000:00:02.0");
	add(0xc0002000, 0xc0002fff, IOK_BAR, IOMEM_MEM, "0000:00:03.0"); /* inside the first */
	add(0xc0010000, 0xc0010fff, IOK_BAR, IOMEM_MEM, "0000:00:04.0"); /* alone */
	add(0xc000f000, 0xc0010fff, IOK_ROM, IOMEM_MEM, "0000:00:05.0"); /* a ROM crossing into it */
	c = iomem_build(in, n, IOMEM_MEM, 0, out, CAP);
	assert_true(node(c, "0000:00:02.0", 0)->flags & IOMEM_F_BAR_OVERLAP);
	assert_true(node(c, "0000:00:03.0", 0)->flags & IOMEM_F_BAR_OVERLAP);
	assert_true(node(c, "0000:00:04.0", 0)->flags & IOMEM_F_BAR_OVERLAP);
	assert_true(node(c, "0000:00:05.0", 0)->flags & IOMEM_F_BAR_OVERLAP);
	/* The ROM contains the third BAR whole: it becomes its parent. */
	assert_int_equal(node(c, "0000:00:04.0", 0)->depth, 1);
}

static void test_bridge_windows(void **state)
{
	int c, win, pref, io;

	(void)state;
	win = add(0xc1000000, 0xc11fffff, IOK_WINDOW, IOMEM_MEM, "PCI Bus 0000:01");
	pref = add(0x800000000, 0x8ffffffff, IOK_WINDOW, IOMEM_MEM, "PCI Bus 0000:01");
	io = add(0x6000, 0x6fff, IOK_WINDOW, IOMEM_IO, "PCI Bus 0000:01");
	/* Behind the bridge: one BAR in its window, one outside, one prefetchable in the memory window. */
	in[add(0xc1000000, 0xc1000fff, IOK_BAR, IOMEM_MEM, "0000:01:00.0")].owner[0] = (int16_t)win;
	in[add(0xc2000000, 0xc2000fff, IOK_BAR, IOMEM_MEM, "0000:01:00.1")].owner[0] = (int16_t)win;
	c = add(0xc1100000, 0xc11fffff, IOK_BAR, IOMEM_MEM, "0000:01:00.2");
	in[c].owner[0] = (int16_t)pref;
	in[c].owner[1] = (int16_t)win;
	/* An I/O BAR: the I/O window is its owner; a memory window of the same bus does not count. */
	in[add(0x6000, 0x603f, IOK_BAR, IOMEM_IO, "0000:01:00.0")].owner[0] = (int16_t)io;
	in[add(0x7000, 0x703f, IOK_BAR, IOMEM_IO, "0000:01:00.3")].owner[0] = (int16_t)win;
	/* The bridge above forwards no such range at all. */
	in[add(0xc3000000, 0xc3000fff, IOK_BAR, IOMEM_MEM, "0000:01:00.4")].owner[0] = IOMEM_NO_OWNER - 1;
	c = iomem_build(in, n, IOMEM_MEM, 0, out, CAP);
	assert_false(node(c, "0000:01:00.0", 0)->flags & IOMEM_F_OUTSIDE_WINDOW);
	assert_int_equal(node(c, "0000:01:00.0", 0)->depth, 1);
	assert_true(node(c, "0000:01:00.1", 0)->flags & IOMEM_F_OUTSIDE_WINDOW);
	assert_false(node(c, "0000:01:00.2", 0)->flags & IOMEM_F_OUTSIDE_WINDOW);
	assert_true(node(c, "0000:01:00.4", 0)->flags & IOMEM_F_OUTSIDE_WINDOW);
	c = iomem_build(in, n, IOMEM_IO, 0, out, CAP);
	assert_int_equal(c, 3);
	assert_false(node(c, "0000:01:00.0", 0)->flags & IOMEM_F_OUTSIDE_WINDOW);
	assert_true(node(c, "0000:01:00.3", 0)->flags & IOMEM_F_OUTSIDE_WINDOW);
	/* I/O space is never "not in the memory map". */
	for (int i = 0; i < c; i++)
		assert_false(out[i].flags & IOMEM_F_NOT_IN_MEMMAP);
}

static void test_64bit_bars_above_512g(void **state)
{
	int c, win;
	char text[1024];
	long len;

	(void)state;
	memory_map();
	win = add(0x8000000000ULL, 0x80ffffffffULL, IOK_WINDOW, IOMEM_MEM, "PCI Bus 0000:02");
	in[add(0x8000000000ULL, 0x80ffffffffULL, IOK_BAR, IOMEM_MEM, "0000:02:00.0")].owner[0] = (int16_t)win;
	add(0xfd00000000000ULL, 0xfd00000003fffULL, IOK_BAR, IOMEM_MEM, "0000:00:07.0");
	c = iomem_build(in, n, IOMEM_MEM, 40, out, CAP); /* a 40-bit CPU reaches 1 TiB */
	assert_false(node(c, "0000:02:00.0", 0)->flags & (IOMEM_F_OUTSIDE_WINDOW | IOMEM_F_BEYOND_PHYS));
	assert_int_equal(node(c, "0000:02:00.0", 0)->depth, 1);
	assert_true(node(c, "0000:00:07.0", 0)->flags & IOMEM_F_BEYOND_PHYS);
	len = iomem_format_nodes(out, c, 8, text, sizeof(text));
	assert_int_equal(len, (long)strlen(text));
	/* Linux's widths: 8 digits at least, as many as the number needs. */
	assert_non_null(
		strstr(text, "\n8000000000-80ffffffff : PCI Bus 0000:02\n  8000000000-80ffffffff : 0000:02:00.0\n"));
	assert_non_null(strstr(text, "\nfd00000000000-fd00000003fff : 0000:00:07.0\n"));
}

static void test_format_like_proc_iomem(void **state)
{
	int c;
	char text[1024], small[16];
	long len;

	(void)state;
	add(0x0, 0xfff, IOK_RESERVED, IOMEM_MEM, "Reserved");
	add(0x1000, 0x9ffff, IOK_RAM, IOMEM_MEM, "System RAM");
	add(0x100000, 0x7ffdffff, IOK_RAM, IOMEM_MEM, "System RAM");
	add(0x1000000, 0x1e00d96, IOK_KERNEL, IOMEM_MEM, "Kernel code");
	c = iomem_build(in, n, IOMEM_MEM, 0, out, CAP);
	len = iomem_format_nodes(out, c, 8, text, sizeof(text));
	assert_string_equal(text, "00000000-00000fff : Reserved\n"
				  "00001000-0009ffff : System RAM\n"
				  "00100000-7ffdffff : System RAM\n"
				  "  01000000-01e00d96 : Kernel code\n");
	/* Like snprintf: cut, terminated, and the full length returned. */
	assert_int_equal(iomem_format_nodes(out, c, 8, small, sizeof(small)), len);
	assert_string_equal(small, "00000000-00000f");
	assert_int_equal(iomem_format_nodes(out, c, 8, NULL, 0), len);
	/* /proc/ioports: four digits. */
	n = 0;
	add(0x0, 0xcf7, IOK_WINDOW, IOMEM_IO, "PCI Bus 0000:00");
	add(0x60, 0x60, IOK_LEGACY, IOMEM_IO, "keyboard");
	add(0x600, 0x67f, IOK_BAR, IOMEM_IO, "0000:00:1f.0");
	add(0x600, 0x603, IOK_LEGACY, IOMEM_IO, "ACPI PM1a_EVT_BLK");
	c = iomem_build(in, n, IOMEM_IO, 0, out, CAP);
	iomem_format_nodes(out, c, 4, text, sizeof(text));
	assert_string_equal(text, "0000-0cf7 : PCI Bus 0000:00\n"
				  "  0060-0060 : keyboard\n"
				  "  0600-067f : 0000:00:1f.0\n"
				  "    0600-0603 : ACPI PM1a_EVT_BLK\n");
}

static void test_deep_nesting_indent_capped(void **state)
{
	char text[2048];
	int c;

	(void)state;
	for (int i = 0; i < 8; i++)
		add(0x10000000ULL + (uint64_t)i * 0x1000, 0x1fffffffULL - (uint64_t)i * 0x1000, IOK_WINDOW, IOMEM_MEM,
		    "w");
	c = iomem_build(in, n, IOMEM_MEM, 0, out, CAP);
	assert_int_equal(out[7].depth, 7);
	iomem_format_nodes(out, c, 8, text, sizeof(text));
	/* Linux indents at most MAX_IORES_LEVEL (5) levels. */
	assert_non_null(strstr(text, "\n          10007000-1fff8fff : w\n"));
}

static void test_empty_and_bad_inputs(void **state)
{
	(void)state;
	add(0x2000, 0x1fff, IOK_BAR, IOMEM_MEM, "empty"); /* end < start: dropped */
	add(0x1000, 0x1fff, IOK_RAM, IOMEM_MEM, "System RAM");
	assert_int_equal(iomem_build(in, n, IOMEM_MEM, 0, out, CAP), 1);
	assert_int_equal(iomem_build(in, n, IOMEM_MEM, 0, out, 0), -28); /* -ENOSPC */
	assert_int_equal(iomem_build(in, -1, IOMEM_MEM, 0, out, CAP), -22);
	assert_string_equal(iomem_kind_name(IOK_BAR), "bar");
	assert_string_equal(iomem_kind_name(999), "?");
}

static void test_flags_str(void **state)
{
	char buf[96], small[8];

	(void)state;
	assert_string_equal(iomem_flags_str(0, buf, sizeof(buf)), "");
	assert_string_equal(iomem_flags_str(IOMEM_F_BAR_IN_RAM | IOMEM_F_NOT_IN_MEMMAP, buf, sizeof(buf)),
			    "bar_in_ram,not_in_memmap");
	assert_string_equal(iomem_flags_str(IOMEM_F_OVERLAP | IOMEM_F_OUTSIDE_WINDOW, small, sizeof(small)), "overlap");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_nesting_and_order, setup),
		cmocka_unit_test_setup(test_bar_in_ram, setup),
		cmocka_unit_test_setup(test_overlapping_bars, setup),
		cmocka_unit_test_setup(test_bridge_windows, setup),
		cmocka_unit_test_setup(test_64bit_bars_above_512g, setup),
		cmocka_unit_test_setup(test_format_like_proc_iomem, setup),
		cmocka_unit_test_setup(test_deep_nesting_indent_capped, setup),
		cmocka_unit_test_setup(test_empty_and_bad_inputs, setup),
		cmocka_unit_test_setup(test_flags_str, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
