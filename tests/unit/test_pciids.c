/* SPDX-License-Identifier: MIT */
/*
 * test_pciids.c - host tests for drivers/pciids.c: lookups in Debian's
 * pci.ids (the file tools/mkesp.sh puts on the ESP; package pci.ids, in
 * make deps) and in small texts broken on purpose.
 *
 * Every text handed to the parser is an exact-size heap copy with no NUL
 * after it, so ASan reports a read one byte past the end of the file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kerrno.h"
#include "pciids.h"

#define SYSTEM_PCI_IDS "/usr/share/misc/pci.ids"
#define CAP 4096 /* drivers/hwinfo.c's PCIIDS_INDEX */

static struct pciids_ent idx[CAP];
static struct pciids db;
static char buf[256];

static char *copy(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

/* ---- Debian's pci.ids ------------------------------------------------------ */

static void test_system_pci_ids(void **state)
{
	FILE *f = fopen(SYSTEM_PCI_IDS, "rb");
	char *text;
	long len;
	int n;

	(void)state;
	if (!f)
		fail_msg("%s: not installed (make deps installs package pci.ids)", SYSTEM_PCI_IDS);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 100000);
	rewind(f);
	text = malloc((size_t)len);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);

	n = pciids_init(&db, text, (size_t)len, idx, CAP);
	assert_true(n > 2000); /* 2325 in 2023.04.10 */
	assert_int_equal(db.unsorted, 0);
	assert_true(db.nclasses >= 20);
	/* The devices of the issue-15 boot tests, as lspci names them. */
	assert_string_equal(pciids_vendor(&db, 0x8086, buf, sizeof(buf)), "Intel Corporation");
	assert_string_equal(pciids_device(&db, 0x8086, 0x100e, buf, sizeof(buf)),
			    "82540EM Gigabit Ethernet Controller");
	assert_string_equal(pciids_subsystem(&db, 0x8086, 0x100e, 0x1af4, 0x1100, buf, sizeof(buf)),
			    "QEMU Virtual Machine");
	assert_string_equal(pciids_describe(&db, 0x1af4, 0x1042, buf, sizeof(buf)),
			    "Red Hat, Inc. Virtio 1.0 block device");
	assert_string_equal(pciids_describe(&db, 0x1b36, 0x000d, buf, sizeof(buf)),
			    "Red Hat, Inc. QEMU XHCI Host Controller");
	assert_string_equal(pciids_describe(&db, 0x1af4, 0xfffe, buf, sizeof(buf)), "Red Hat, Inc. Device fffe");
	assert_string_equal(pciids_describe(&db, 0x0002, 0x0001, buf, sizeof(buf)), "Device 0002:0001");
	assert_string_equal(pciids_vendor(&db, 0xffff, buf, sizeof(buf)), "Illegal Vendor ID"); /* the last vendor */
	assert_string_equal(pciids_class(&db, 0x0c, buf, sizeof(buf)), "Serial bus controller");
	assert_string_equal(pciids_subclass(&db, 0x0c, 0x03, buf, sizeof(buf)), "USB controller");
	assert_string_equal(pciids_progif(&db, 0x0c, 0x03, 0x30, buf, sizeof(buf)), "XHCI");
	assert_string_equal(pciids_class_text(&db, 0x02, 0x00, buf, sizeof(buf)), "Ethernet controller");
	assert_string_equal(pciids_class_text(&db, 0x02, 0x77, buf, sizeof(buf)), "Network controller");
	assert_string_equal(pciids_class_text(&db, 0xfe, 0x01, buf, sizeof(buf)), "Class fe01");
	/* A device id of one vendor is not found under the next. */
	assert_null(pciids_device(&db, 0x1af4, 0x000d, buf, sizeof(buf)));
	/* Every cut of the real file's last 150 bytes (the end of its class section). */
	for (long cut = len - 150; cut <= len; cut++) {
		char *t = copy(text, (size_t)cut);

		assert_true(pciids_init(&db, t, (size_t)cut, idx, CAP) > 2000);
		(void)pciids_progif(&db, 0xff, 0xff, 0xff, buf, sizeof(buf));
		(void)pciids_class_text(&db, 0xff, 0x00, buf, sizeof(buf));
		free(t);
	}
	/* An index too small: -ENOSPC, and what fit still answers. */
	assert_int_equal(pciids_init(&db, text, (size_t)len, idx, 1000), -ENOSPC);
	assert_int_equal(db.nvendors, 750);
	assert_string_equal(pciids_vendor(&db, 0x1000, buf, sizeof(buf)), "Broadcom / LSI");
	assert_null(pciids_vendor(&db, 0x8086, buf, sizeof(buf)));
	free(text);
}

/* ---- a small file, broken every way --------------------------------------------- */

static const char small[] = "# comment\n"
			    "\n"
			    "1234  Acme Devices\n"
			    "\t0001  Widget\n"
			    "\t\t1234 0002  Widget Pro\n"
			    "#\tcomment inside a vendor\n"
			    "\t0002  Gadget\n"
			    "5678  Other Vendor\n"
			    "\t0001  Thing\r\n"
			    "C 01  Mass storage controller\n"
			    "\t06  SATA controller\n"
			    "\t\t01  AHCI 1.0\n"
			    "C 02  Network controller\n"
			    "\t00  Ethernet controller";

static void check_small(void)
{
	assert_string_equal(pciids_vendor(&db, 0x1234, buf, sizeof(buf)), "Acme Devices");
	assert_string_equal(pciids_device(&db, 0x1234, 0x0002, buf, sizeof(buf)), "Gadget");
	assert_string_equal(pciids_subsystem(&db, 0x1234, 0x0001, 0x1234, 0x0002, buf, sizeof(buf)), "Widget Pro");
	assert_null(pciids_subsystem(&db, 0x1234, 0x0002, 0x1234, 0x0002, buf, sizeof(buf)));
	assert_string_equal(pciids_device(&db, 0x5678, 0x0001, buf, sizeof(buf)), "Thing"); /* no \r */
	assert_null(pciids_device(&db, 0x5678, 0x0002, buf, sizeof(buf)));
	assert_string_equal(pciids_progif(&db, 0x01, 0x06, 0x01, buf, sizeof(buf)), "AHCI 1.0");
	assert_null(pciids_subclass(&db, 0x01, 0x00, buf, sizeof(buf))); /* 02's child, not 01's */
	assert_string_equal(pciids_subclass(&db, 0x02, 0x00, buf, sizeof(buf)), "Ethernet controller");
}

static void test_small(void **state)
{
	char *t = copy(small, sizeof(small) - 1);

	(void)state;
	assert_int_equal(pciids_init(&db, t, sizeof(small) - 1, idx, CAP), 2);
	assert_int_equal(db.nclasses, 2);
	check_small();
	free(t);
}

/* The file cut at every byte: never a read past the end; every answer a prefix of the whole one. */
static void test_every_cut(void **state)
{
	static const struct {
		int kind; /* 0 vendor, 1 device, 2 subsystem, 3 class, 4 subclass, 5 prog-if */
		uint16_t a, b, c, d;
		const char *whole;
	} q[] = {
		{ 0, 0x1234, 0, 0, 0, "Acme Devices" },		{ 1, 0x1234, 0x0002, 0, 0, "Gadget" },
		{ 2, 0x1234, 0x0001, 0x1234, 2, "Widget Pro" }, { 1, 0x5678, 0x0001, 0, 0, "Thing" },
		{ 3, 0x02, 0, 0, 0, "Network controller" },	{ 4, 0x02, 0x00, 0, 0, "Ethernet controller" },
		{ 5, 0x01, 0x06, 0x01, 0, "AHCI 1.0" },
	};
	(void)state;
	for (size_t cut = 0; cut < sizeof(small); cut++) {
		char *t = copy(small, cut);
		int n = pciids_init(&db, t, cut, idx, CAP);

		if (!cut) {
			assert_int_equal(n, -EINVAL);
			free(t);
			continue;
		}
		assert_true(n >= 0 && n <= 2);
		for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			const char *r = NULL;

			switch (q[i].kind) {
			case 0:
				r = pciids_vendor(&db, q[i].a, buf, sizeof(buf));
				break;
			case 1:
				r = pciids_device(&db, q[i].a, q[i].b, buf, sizeof(buf));
				break;
			case 2:
				r = pciids_subsystem(&db, q[i].a, q[i].b, q[i].c, q[i].d, buf, sizeof(buf));
				break;
			case 3:
				r = pciids_class(&db, (uint8_t)q[i].a, buf, sizeof(buf));
				break;
			case 4:
				r = pciids_subclass(&db, (uint8_t)q[i].a, (uint8_t)q[i].b, buf, sizeof(buf));
				break;
			default:
				r = pciids_progif(&db, (uint8_t)q[i].a, (uint8_t)q[i].b, (uint8_t)q[i].c, buf,
						  sizeof(buf));
				break;
			}
			if (r && strncmp(r, q[i].whole, strlen(r)))
				fail_msg("cut %zu: \"%s\" is not a prefix of \"%s\"", cut, r, q[i].whole);
		}
		(void)pciids_describe(&db, 0x1234, 0x0001, buf, sizeof(buf));
		free(t);
	}
}

/* Each byte of the file replaced by each interesting character: no read out of bounds. */
static void test_every_byte(void **state)
{
	static const char subst[] = { '\n', '\t', ' ', 'C', '#', '0', 'f', 'g', '\0', '\r' };
	char *t = copy(small, sizeof(small) - 1);

	(void)state;
	for (size_t off = 0; off < sizeof(small) - 1; off++) {
		for (size_t k = 0; k < sizeof(subst); k++) {
			char was = t[off];

			t[off] = subst[k];
			if (pciids_init(&db, t, sizeof(small) - 1, idx, CAP) >= 0) {
				for (unsigned v = 0; v < 3; v++) {
					static const uint16_t vendors[] = { 0x1234, 0x5678, 0x0000 };

					(void)pciids_subsystem(&db, vendors[v], 0x0001, 0x1234, 0x0002, buf,
							       sizeof(buf));
					(void)pciids_describe(&db, vendors[v], 0x0002, buf, sizeof(buf));
				}
				(void)pciids_progif(&db, 0x01, 0x06, 0x01, buf, sizeof(buf));
				(void)pciids_class_text(&db, 0x02, 0x00, buf, sizeof(buf));
			}
			t[off] = was;
		}
	}
	free(t);
}

/* Vendors out of order: counted, and found by a linear search. */
static void test_unsorted(void **state)
{
	static const char s[] = "5678  Later\n\t0001  L1\n1234  Earlier\n\t0001  E1\nabcd  Last\n";
	char *t = copy(s, sizeof(s) - 1);

	(void)state;
	assert_int_equal(pciids_init(&db, t, sizeof(s) - 1, idx, CAP), 3);
	assert_int_equal(db.unsorted, 1);
	assert_string_equal(pciids_describe(&db, 0x1234, 0x0001, buf, sizeof(buf)), "Earlier E1");
	assert_string_equal(pciids_describe(&db, 0x5678, 0x0001, buf, sizeof(buf)), "Later L1");
	assert_string_equal(pciids_vendor(&db, 0xabcd, buf, sizeof(buf)), "Last");
	free(t);
}

/* Lines that look almost right: bad hex, short ids, no separator. */
static void test_malformed_lines(void **state)
{
	static const char s[] = "12g4  Bad hex\n"
				"123  Short\n"
				"1235Name glued on\n"
				"1236  Good\n"
				"\t00x1  Bad device\n"
				"\t0001  Good device\n"
				"\t\t1236  Subsystem with no device id\n"
				"C 0  Short class\n"
				"C zz  Bad class\n"
				"C 03  Display controller\n"
				"C\n";
	char *t = copy(s, sizeof(s) - 1);

	(void)state;
	assert_int_equal(pciids_init(&db, t, sizeof(s) - 1, idx, CAP), 1);
	assert_int_equal(db.nclasses, 1);
	assert_string_equal(pciids_vendor(&db, 0x1236, buf, sizeof(buf)), "Good");
	assert_string_equal(pciids_device(&db, 0x1236, 0x0001, buf, sizeof(buf)), "Good device");
	assert_null(pciids_subsystem(&db, 0x1236, 0x0001, 0x1236, 0x0000, buf, sizeof(buf)));
	assert_string_equal(pciids_class(&db, 0x03, buf, sizeof(buf)), "Display controller");
	free(t);
}

/* The caller's buffer: names cut to fit and always terminated; size 0 writes nothing. */
static void test_buffer_sizes(void **state)
{
	char *t = copy(small, sizeof(small) - 1);
	char b[8];

	(void)state;
	assert_int_equal(pciids_init(&db, t, sizeof(small) - 1, idx, CAP), 2);
	memset(b, 'x', sizeof(b));
	assert_string_equal(pciids_vendor(&db, 0x1234, b, 5), "Acme");
	assert_int_equal(b[5], 'x');
	assert_string_equal(pciids_vendor(&db, 0x1234, b, 1), "");
	assert_null(pciids_vendor(&db, 0x1234, b, 0));
	assert_int_equal(b[1], 'c'); /* untouched */
	assert_string_equal(pciids_describe(&db, 0x1234, 0x0002, b, sizeof(b)), "Acme De");
	assert_string_equal(pciids_class_text(&db, 0x7f, 0x00, b, sizeof(b)), "Class 7");
	free(t);
}

/* Bad arguments and an index too small for even the classes. */
static void test_bad_init(void **state)
{
	char *t = copy(small, sizeof(small) - 1);

	(void)state;
	assert_int_equal(pciids_init(&db, NULL, 10, idx, CAP), -EINVAL);
	assert_null(pciids_vendor(&db, 0x1234, buf, sizeof(buf)));
	assert_string_equal(pciids_describe(&db, 0x1234, 0x0001, buf, sizeof(buf)), "Device 1234:0001");
	assert_int_equal(pciids_init(&db, t, 0, idx, CAP), -EINVAL);
	assert_int_equal(pciids_init(&db, t, sizeof(small) - 1, NULL, CAP), -EINVAL);
	assert_int_equal(pciids_init(&db, t, sizeof(small) - 1, idx, 3), -EINVAL);
	assert_int_equal(pciids_init(&db, t, sizeof(small) - 1, idx, 4), -ENOSPC); /* 3 vendors, 1 class */
	assert_int_equal(db.nvendors, 2);
	assert_int_equal(db.nclasses, 1);
	assert_string_equal(pciids_class(&db, 0x01, buf, sizeof(buf)), "Mass storage controller");
	assert_null(pciids_class(&db, 0x02, buf, sizeof(buf)));
	assert_null(pciids_vendor(NULL, 0x1234, buf, sizeof(buf)));
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_pci_ids), cmocka_unit_test(test_small),
		cmocka_unit_test(test_every_cut),      cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_unsorted),       cmocka_unit_test(test_malformed_lines),
		cmocka_unit_test(test_buffer_sizes),   cmocka_unit_test(test_bad_init),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
