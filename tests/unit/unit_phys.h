/* SPDX-License-Identifier: MIT */
/*
 * unit_phys.h - fake physical memory for the firmware-table tests, loaded
 * from fixtures captured from a QEMU+OVMF guest (tools/capture-fwtables.py
 * writes tests/unit/fixtures/NAME.phys: chunks of u64 physical address,
 * u32 length, bytes).
 *
 * Each chunk is its own heap allocation of exactly its length, so ASan
 * reports any read past the end of what the firmware wrote. unit_phys_ok()
 * approves a range only inside one chunk; unit_phys_p2v() fails the test
 * unless the address is the one ok() approved last (the parsers promise to
 * ask first).
 */
#ifndef ATLAS_TESTS_UNIT_PHYS_H
#define ATLAS_TESTS_UNIT_PHYS_H

#include <stddef.h>
#include <stdint.h>

#define UNIT_PHYS_MAX 128

struct unit_chunk {
	uint64_t phys;
	uint32_t len;
	uint8_t *buf;
};

struct unit_phys {
	int n;
	struct unit_chunk c[UNIT_PHYS_MAX];
};

/* Load tests/unit/fixtures/name into m (fails the test when it cannot). */
void unit_phys_load(struct unit_phys *m, const char *name);
/* A deep copy of src (every chunk its own allocation again). */
void unit_phys_copy(struct unit_phys *dst, const struct unit_phys *src);
void unit_phys_free(struct unit_phys *m);
/* The chunk starting exactly at phys (fails the test when there is none). */
struct unit_chunk *unit_phys_chunk(struct unit_phys *m, uint64_t phys);
/* Add a chunk of len zero bytes at phys; returns its bytes. */
uint8_t *unit_phys_add(struct unit_phys *m, uint64_t phys, uint32_t len);
/* Cut the chunk at phys to its first len bytes (a new exact-size allocation). */
void unit_phys_cut(struct unit_phys *m, uint64_t phys, uint32_t len);

/* The memory unit_phys_ok/unit_phys_p2v answer for. */
void unit_phys_use(struct unit_phys *m);
int unit_phys_ok(uint64_t phys, uint64_t len);
const void *unit_phys_p2v(uint64_t phys);

/* Set the byte at off of a checksummed structure [p, p + len) so its bytes add up to 0 again. */
void unit_fix_sum(uint8_t *p, size_t len, size_t off);

#endif
