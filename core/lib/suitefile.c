/* SPDX-License-Identifier: MIT */
/*
 * suitefile.c - checking the suite file (include/suitefile.h) before the
 * kernel trusts a byte of it: the file came from the boot volume, where it
 * may be truncated, stale or damaged. Every offset and size is checked
 * against the file, every string must end inside the string area, and the
 * checksum covers every byte but its own, so that any damaged byte is
 * named as such; the ALZ1 streams carry their own checksums too, checked
 * when a program is decoded.
 */
#include "suitefile.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* FNV-1a (32 bits) over p[0..n), going on from h (start: SUITE_FNV_OFFSET). */
static uint32_t fnv(uint32_t h, const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++)
		h = (h ^ p[i]) * SUITE_FNV_PRIME;
	return h;
}

/* [off, off + len) lies inside a file of size bytes. */
static int inside(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static long bad(char *err, size_t err_size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static long bad(char *err, size_t err_size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(err, err_size, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

long suite_parse(const void *buf, uint64_t size, struct user_prog *out, struct user_lz *dict, char *err,
		 size_t err_size)
{
	const uint8_t *b = buf;
	uint32_t count, eoff, soff, ssize, doff, dlz, dsize, sum;
	uint64_t fsize;
	const char *strings;

	if (size < SUITE_HEADER_SIZE)
		return bad(err, err_size, "truncated: %llu bytes, shorter than the %d-byte header",
			   (unsigned long long)size, SUITE_HEADER_SIZE);
	if (memcmp(b, SUITE_MAGIC, 8))
		return bad(err, err_size, "not a suite file (no %s magic)", SUITE_MAGIC);
	if (le32(b + 8) != SUITE_VERSION)
		return bad(err, err_size, "format version %u, this kernel reads %d", le32(b + 8), SUITE_VERSION);
	count = le32(b + 12);
	fsize = le64(b + 16);
	eoff = le32(b + 24);
	soff = le32(b + 28);
	ssize = le32(b + 32);
	doff = le32(b + 36);
	dlz = le32(b + 40);
	dsize = le32(b + 44);
	sum = le32(b + 48);
	if (fsize > size)
		return bad(err, err_size, "truncated: %llu of %llu bytes", (unsigned long long)size,
			   (unsigned long long)fsize);
	if (fsize < size)
		return bad(err, err_size, "%llu bytes, but its header says %llu", (unsigned long long)size,
			   (unsigned long long)fsize);
	if (fnv(fnv(SUITE_FNV_OFFSET, b, SUITE_SUM_OFF), b + SUITE_SUM_OFF + 4, fsize - SUITE_SUM_OFF - 4) != sum)
		return bad(err, err_size, "corrupt: checksum mismatch");
	if (count > SUITE_PROGS_MAX)
		return bad(err, err_size, "%u programs, more than %d", count, SUITE_PROGS_MAX);
	if (eoff < SUITE_HEADER_SIZE || !inside(eoff, (uint64_t)count * SUITE_ENTRY_SIZE, fsize) || eoff % 4)
		return bad(err, err_size, "the program table lies outside the file");
	if (!ssize || !inside(soff, ssize, fsize) || b[soff] || b[soff + ssize - 1])
		return bad(err, err_size, "the string area is outside the file or not NUL-terminated");
	if (!inside(doff, dlz, fsize))
		return bad(err, err_size, "the dictionary lies outside the file");
	strings = (const char *)b + soff;
	if (dict) {
		dict->lz = b + doff;
		dict->lz_size = dlz;
		dict->size = dsize;
	}
	for (uint32_t i = 0; i < count; i++) {
		const uint8_t *e = b + eoff + (uint64_t)i * SUITE_ENTRY_SIZE;
		uint32_t f[SUITE_ENTRY_SIZE / 4];
		const char *name;

		for (unsigned k = 0; k < SUITE_ENTRY_SIZE / 4; k++)
			f[k] = le32(e + 4 * k);
		/* f: name lz_off lz_size size kind code signal cause args env instances repeat after reserved */
		for (unsigned k = 0; k < SUITE_ENTRY_SIZE / 4; k++) {
			int is_str = k == 0 || (k >= 6 && k <= 9) || k == 12;

			if (is_str && f[k] >= ssize)
				return bad(err, err_size, "program %u: a string offset lies outside the string area",
					   i);
		}
		name = strings + f[0];
		if (!*name || strlen(name) >= USER_NAME_MAX)
			return bad(err, err_size, "program %u: empty name or longer than %d characters", i,
				   USER_NAME_MAX - 1);
		if (!inside(f[1], f[2], fsize))
			return bad(err, err_size, "program %s: its stream lies outside the file", name);
		if (f[4] > 1 || (f[4] == 0 && f[5] > 255) || (f[4] == 1 && (f[5] < 1 || f[5] > 64)))
			return bad(err, err_size, "program %s: bad expectation (kind %u, code %u)", name, f[4], f[5]);
		if (f[10] < 1 || f[10] > USER_INSTANCES_MAX || f[11] < 1 || f[11] > USER_REPEAT_MAX)
			return bad(err, err_size, "program %s: instances %u or repeat %u out of range", name, f[10],
				   f[11]);
		if (!out)
			continue;
		out[i].name = name;
		out[i].elf.lz = b + f[1];
		out[i].elf.lz_size = f[2];
		out[i].elf.size = f[3];
		out[i].expect_kind = (int)f[4];
		out[i].expect_code = (int)f[5];
		out[i].expect_signal = strings + f[6];
		out[i].expect_cause = strings + f[7];
		out[i].args = strings + f[8];
		out[i].env = strings + f[9];
		out[i].instances = (int)f[10];
		out[i].repeat = (int)f[11];
		out[i].after = strings + f[12];
	}
	return count;
}
