/* SPDX-License-Identifier: MIT */
/*
 * pciids.h - names from the PCI ID database (Debian's pci.ids, the file
 * lspci reads), carried on the ESP as \atlas\pci.ids and read into memory by
 * the firmware stage. Nothing is copied or converted: lookups read the text.
 *
 * The file's grammar (its own header comment):
 *   vendor  device_name                 "8086  Intel Corporation"
 *   <TAB>device  device_name            "\t100e  82540EM Gigabit Ethernet Controller"
 *   <TAB><TAB>subvendor subdevice  name
 *   C class  class_name                 "C 02  Network controller"
 *   <TAB>subclass  subclass_name
 *   <TAB><TAB>prog-if  prog-if_name
 * Vendors appear in ascending order; one pass over the text at init records
 * where each vendor and each class starts, so a lookup is a binary search and
 * a scan of one vendor's lines.
 */
#ifndef ATLAS_PCIIDS_H
#define ATLAS_PCIIDS_H

#include <stddef.h>
#include <stdint.h>

struct pciids_ent {
	uint16_t id;
	uint32_t off; /* the line's first byte */
};

struct pciids {
	const char *text;
	size_t len;
	struct pciids_ent *vendors, *classes;
	uint32_t nvendors, nclasses, cap;
	uint32_t unsorted; /* vendor lines out of order (searched linearly then) */
};

/*
 * Index text[0..len) using idx[0..cap) for the vendor and class tables.
 * Returns the number of vendors indexed (>= 0); -EINVAL for an empty text;
 * -ENOSPC when idx was too small (what fit is usable).
 */
int pciids_init(struct pciids *db, const char *text, size_t len, struct pciids_ent *idx, uint32_t cap);

/*
 * Names into buf[0..size), NUL-terminated, cut to fit. Each returns buf, or
 * NULL when the database has no such entry (or db has no text).
 */
const char *pciids_vendor(const struct pciids *db, uint16_t vendor, char *buf, size_t size);
const char *pciids_device(const struct pciids *db, uint16_t vendor, uint16_t device, char *buf, size_t size);
const char *pciids_subsystem(const struct pciids *db, uint16_t vendor, uint16_t device, uint16_t subv, uint16_t subd,
			     char *buf, size_t size);
const char *pciids_class(const struct pciids *db, uint8_t cls, char *buf, size_t size);
const char *pciids_subclass(const struct pciids *db, uint8_t cls, uint8_t sub, char *buf, size_t size);
const char *pciids_progif(const struct pciids *db, uint8_t cls, uint8_t sub, uint8_t progif, char *buf, size_t size);

/*
 * lspci's name for a function: "Intel Corporation 82540EM Gigabit Ethernet
 * Controller", "Red Hat, Inc. Device 1041" (vendor known, device not),
 * "Device 1234:1111" (neither). Returns buf.
 */
const char *pciids_describe(const struct pciids *db, uint16_t vendor, uint16_t device, char *buf, size_t size);
/* lspci's class text: the subclass name, else the class name, else "Class 0c03". Returns buf. */
const char *pciids_class_text(const struct pciids *db, uint8_t cls, uint8_t sub, char *buf, size_t size);

#endif
