/* SPDX-License-Identifier: MIT */
/*
 * userprog.c - unpacking the ring-3 programs the kernel image carries
 * (include/userprog.h). Each ELF file is an ALZ1 stream (include/lz.h)
 * compressed against the shared dictionary user_progs_dict; both are decoded
 * into kmalloc'd buffers only when a program is about to be spawned, and
 * freed by the caller once proc_spawn() has copied the file into the new
 * address space. A stream that does not decode, or decodes to another size
 * than the table says, is reported with the program's name, never a panic:
 * the table is data, and a bad entry costs one test.
 */
#include "userprog.h"
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "lz.h"
#include "tsc.h"
#include "x86.h"

/* Decode blob against dict into a new buffer; NULL with err (naming what) on failure. */
static uint8_t *decode(const struct user_lz *blob, const uint8_t *dict, size_t dict_len, const char *what, char *err,
		       size_t err_size)
{
	uint64_t t0 = rdtsc();
	struct lz_header h;
	uint8_t *buf;
	long n;

	if (lz_header(blob->lz, blob->lz_size, &h) || h.raw_len != blob->size) {
		ksnprintf(err, err_size, "%s: compressed image is not an ALZ1 stream of %u bytes", what,
			  (unsigned)blob->size);
		return NULL;
	}
	buf = kmalloc(blob->size);
	if (!buf) {
		ksnprintf(err, err_size, "%s: no memory to unpack %u bytes (%d)", what, (unsigned)blob->size, -ENOMEM);
		return NULL;
	}
	n = lz_decompress(buf, blob->size, blob->lz, blob->lz_size, dict, dict_len);
	if (n != (long)blob->size) {
		ksnprintf(err, err_size, "%s: compressed image does not decode: %s (%ld)", what,
			  n < 0 ? lz_strerror(n) : "short", n);
		kfree(buf);
		return NULL;
	}
	kdebug("userprog: %s: %u -> %u bytes in %llu us\n", what, (unsigned)blob->lz_size, (unsigned)blob->size,
	       (unsigned long long)(tsc_to_ns(rdtsc() - t0) / 1000));
	return buf;
}

uint8_t *userprog_dict(char *err, size_t err_size)
{
	return decode(&user_progs_dict, NULL, 0, "the programs' dictionary", err, err_size);
}

uint8_t *userprog_unpack(const struct user_prog *up, const uint8_t *dict, char *err, size_t err_size)
{
	uint8_t *own = NULL, *elf;

	if (!dict) {
		own = userprog_dict(err, err_size);
		if (!own)
			return NULL;
		dict = own;
	}
	elf = decode(&up->elf, dict, user_progs_dict.size, up->name, err, err_size);
	kfree(own);
	return elf;
}
