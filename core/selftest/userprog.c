/* SPDX-License-Identifier: MIT */
/*
 * userprog.c - the ring-3 programs of the suite file efi/ loaded
 * (include/userprog.h, include/suitefile.h): the table, checked once, and
 * unpacking a program before it runs. Each ELF file is an ALZ1 stream (include/lz.h)
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
#include "kvm.h"
#include "lz.h"
#include "memlayout.h"
#include "record.h"
#include "tsc.h"
#include "x86.h"

const struct user_prog *user_progs;
uint64_t user_progs_count;
struct user_lz user_progs_dict;
static char missing[SUITE_ERR_MAX + 48] = BOOT_SUITE_PATH ": not read yet";

static void warn(void)
{
	struct jrec r;

	if (report_human())
		kprintf("atlas: warning: %s\n", missing);
	jrec_begin(&r, "warning");
	jrec_str(&r, "msg", missing);
	report_emit(&r);
}

int userprog_load(void)
{
	char err[SUITE_ERR_MAX];
	struct user_prog *t;
	const void *buf;
	long n;

	if (!g_boot->suite_size) {
		ksnprintf(missing, sizeof(missing), "%s: %s: the ring-3 suite does not run", BOOT_SUITE_PATH,
			  g_boot->suite_error[0] ? g_boot->suite_error : "not loaded");
		warn();
		return -ENOENT;
	}
	if (!kvm_direct_ok(g_boot->suite_phys, g_boot->suite_size)) {
		ksnprintf(missing, sizeof(missing),
			  "%s: at 0x%llx, outside the direct map: the ring-3 suite does not run", BOOT_SUITE_PATH,
			  (unsigned long long)g_boot->suite_phys);
		warn();
		return -EFAULT;
	}
	buf = PHYS_TO_DIRECT(g_boot->suite_phys);
	n = suite_parse(buf, g_boot->suite_size, NULL, NULL, err, sizeof(err));
	t = n > 0 ? kmalloc((size_t)n * sizeof(*t)) : NULL;
	if (n > 0 && !t) {
		n = -ENOMEM;
		ksnprintf(err, sizeof(err), "no memory for the table (%d)", -ENOMEM);
	}
	if (n > 0)
		n = suite_parse(buf, g_boot->suite_size, t, &user_progs_dict, err, sizeof(err));
	if (n < 0) {
		kfree(t);
		ksnprintf(missing, sizeof(missing), "%s: %s: the ring-3 suite does not run", BOOT_SUITE_PATH, err);
		warn();
		return (int)n;
	}
	user_progs = t;
	user_progs_count = (uint64_t)n;
	missing[0] = 0;
	kdebug("userprog: %s: %ld programs, %llu bytes\n", BOOT_SUITE_PATH, n, (unsigned long long)g_boot->suite_size);
	return 0;
}

const char *userprog_missing(void)
{
	return missing;
}

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
