/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * pie_base - where the program was loaded. The glibc build is a static-PIE
 * (gcc -static-pie: ET_DYN with PT_DYNAMIC, no PT_INTERP), which relocates
 * itself and so needs only a base from the kernel: Linux's ELF_ET_DYN_BASE,
 * 0x555555554000, with ASLR off (Atlas's default; /proc/sys/kernel/
 * randomize_va_space says 0), a page-aligned random one with it on. The musl build is an ordinary ET_EXEC at its link address. In
 * both, the first line of /proc/self/maps starts at the load base, AT_PHDR
 * is the base plus e_phoff, AT_ENTRY is where the entry point lies, and the
 * relocated data (a pointer to a string) is right.
 * Runs on the host too (under Linux's ASLR only the alignment is checked).
 */
#include <elf.h>
#include <sys/auxv.h>

#include "utest.h"

#define PIE_BASE 0x555555554000UL

static const char greeting[] = "relocated";
static const char *const ptr = greeting; /* an R_X86_64_RELATIVE in a static-PIE */

extern const Elf64_Ehdr __ehdr_start;

/* /proc/sys/kernel/randomize_va_space says 0, or the process runs with ADDR_NO_RANDOMIZE. */
static int aslr_off(void)
{
	char buf[16];
	long fd = sys3(SYS_open, "/proc/sys/kernel/randomize_va_space", O_RDONLY, 0), n;

	if (sys1(SYS_personality, 0xffffffff) & 0x0040000 /* ADDR_NO_RANDOMIZE */)
		return 1;
	if (fd < 0)
		return 0;
	n = sys3(SYS_read, fd, buf, sizeof(buf) - 1);
	sys1(SYS_close, fd);
	return n > 0 && buf[0] == '0';
}

int main(void)
{
	static char maps[65536];
	uintptr_t base = (uintptr_t)&__ehdr_start, first = 0;
	const Elf64_Ehdr *eh = &__ehdr_start;

	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(sscanf(maps, "%lx-", &first) == 1, "no first line in /proc/self/maps");
	CHECK(first == base, "maps starts at %#lx, the ELF header is at %#lx", (unsigned long)first,
	      (unsigned long)base);
	CHECK(getauxval(AT_PHDR) == base + eh->e_phoff, "AT_PHDR %#lx, want %#lx", getauxval(AT_PHDR),
	      (unsigned long)(base + eh->e_phoff));
	CHECK(getauxval(AT_ENTRY) == (eh->e_type == ET_DYN ? base : 0) + eh->e_entry, "AT_ENTRY %#lx",
	      getauxval(AT_ENTRY));
	CHECK(ptr == greeting && !strcmp(ptr, "relocated"), "the relocated pointer is %p, want %p", (void *)ptr,
	      (void *)greeting);
	if (eh->e_type == ET_DYN) {
		CHECK((base & (PAGE - 1)) == 0, "the base %#lx is not page-aligned", (unsigned long)base);
		/* Without randomization (randomize_va_space 0: aslr=off on Atlas, setarch -R on Linux)... */
		if (aslr_off())
			CHECK(base == PIE_BASE, "a static-PIE at %#lx, want %#lx", (unsigned long)base, PIE_BASE);
	} else {
		CHECK(eh->e_type == ET_EXEC && base == 0x400000, "an ET_EXEC at %#lx", (unsigned long)base);
	}
	say("%s at %#lx", eh->e_type == ET_DYN ? "static-PIE" : "ET_EXEC", (unsigned long)base);
	return 0;
}
