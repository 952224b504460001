/* SPDX-License-Identifier: MIT */
/*
 * ksyms.c - lookups in the generated symbol table (build/ksyms.S): sorted
 * function addresses and their names, binary-searched.
 */
#include "ksyms.h"

#include "kernel.h"
#include "kstring.h"

const char *ksym_lookup(uint64_t addr, uint64_t *offset)
{
	uint64_t lo = 0, hi = ksyms_count;

	if (!hi || addr < ksyms_addr[0] || addr >= SYM(__text_end))
		return NULL;
	/* Last symbol at or below addr. */
	while (hi - lo > 1) {
		uint64_t mid = lo + (hi - lo) / 2;

		if (ksyms_addr[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	*offset = addr - ksyms_addr[lo];
	return ksyms_name[lo];
}

const char *ksym_format(uint64_t addr, char *buf, size_t size)
{
	uint64_t off;
	const char *name = ksym_lookup(addr, &off);

	if (name)
		ksnprintf(buf, size, "%s+0x%llx", name, (unsigned long long)off);
	else
		ksnprintf(buf, size, "0x%llx", (unsigned long long)addr);
	return buf;
}

uint64_t ksym_address(const char *name)
{
	for (uint64_t i = 0; i < ksyms_count; i++)
		if (!strcmp(ksyms_name[i], name))
			return ksyms_addr[i];
	return 0;
}
