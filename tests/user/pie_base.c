/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * pie_base - where the kernel put the program and its break. The glibc
 * build is a static-PIE (gcc -static-pie: ET_DYN with PT_DYNAMIC, no
 * PT_INTERP), which relocates itself and needs only a base from the kernel;
 * the musl build is an ordinary ET_EXEC at its link address, 0x400000.
 *
 * Linux 6.x maps a static-PIE like an interpreter: its pages end at the top
 * of the mmap area (mmap_base), and its break starts at ELF_ET_DYN_BASE
 * (0x555555554aaa) rounded up to a page, 0x555555555000. With ASLR off
 * (Atlas's aslr=off, the default: randomize_va_space 0; setarch -R or
 * busybox's linux64 -R on Linux: ADDR_NO_RANDOMIZE) the mmap top is fixed:
 * Atlas's USER_MMAP_TOP, 0x7ffebf7ff000; Linux's TASK_SIZE minus the stack
 * gap (RLIMIT_STACK + 1 MiB, at least 128 MiB): 0x7ffff7fff000 with an 8 MiB
 * stack limit. With ASLR on, the top moves down by up to 1 TiB (and Atlas's
 * by 16 GiB more, below the lowest stack) and the break up by up to 1 GiB.
 *
 * In every case: the maps line at the ELF header names the program,
 * AT_PHDR is the base plus e_phoff, AT_ENTRY the base plus e_entry, a
 * relocated pointer is right, and /proc/self/stat's start_brk is where the
 * break began. The last line describes the placement relative to the mmap
 * top, so that the host's `setarch -R` run and Atlas's compare as text
 * (tests/boot/test_procs.py).
 */
#include <elf.h>
#include <sys/auxv.h>
#include <sys/resource.h>

#include "utest.h"

#define DYN_BASE 0x555555554aaaUL /* ELF_ET_DYN_BASE */
#define PIE_BRK 0x555555555000UL
#define ATLAS_MMAP_TOP 0x7ffebf7ff000UL	       /* include/memlayout.h USER_MMAP_TOP */
#define ATLAS_MMAP_TOP_RANDOM 0x7ffabf800000UL /* USER_MMAP_TOP_RANDOM: the highest mmap top with aslr=on */
#define MMAP_RND_MAX (((1UL << 28) - 1) * PAGE)
#define BRK_RND_MAX (1UL << 30)
#define LINUX_TASK_SIZE 0x7ffffffff000UL
#define LINUX_GAP_MIN (128 * MiB)
#define LINUX_STACK_GUARD_GAP (256 * PAGE)
#define ADDR_NO_RANDOMIZE 0x0040000

static const char greeting[] = "relocated";
static const char *const ptr = greeting; /* an R_X86_64_RELATIVE in a static-PIE */

extern const Elf64_Ehdr __ehdr_start;

static char maps[65536], stat_text[4096], exe[256];

/* 0: off, 1: on; the personality's ADDR_NO_RANDOMIZE wins over randomize_va_space. */
static int aslr_on(void)
{
	char buf[16];
	long fd, n, pers = sys1(SYS_personality, 0xffffffff);

	CHECK(pers >= 0, "personality(0xffffffff) returned %ld", pers);
	if (pers & ADDR_NO_RANDOMIZE)
		return 0;
	fd = sys3(SYS_open, "/proc/sys/kernel/randomize_va_space", O_RDONLY, 0);
	CHECK(fd >= 0, "open /proc/sys/kernel/randomize_va_space: %ld", fd);
	n = sys3(SYS_read, fd, buf, sizeof(buf) - 1);
	sys1(SYS_close, fd);
	CHECK(n == 2 && buf[1] == '\n' && buf[0] >= '0' && buf[0] <= '2', "randomize_va_space reads %.*s",
	      (int)(n > 0 ? n : 0), buf);
	return buf[0] != '0';
}

/* Field k (1-based, as proc(5) numbers them) of /proc/self/stat. */
static unsigned long stat_field(int k)
{
	const char *p = strrchr(stat_text, ')');

	CHECK(p != NULL && k >= 3, "no comm in /proc/self/stat");
	p += 2; /* field 3 */
	for (int i = 3; i < k; i++) {
		p = strchr(p, ' ');
		CHECK(p != NULL, "/proc/self/stat has fewer than %d fields", k);
		p++;
	}
	return strtoul(p, NULL, 10);
}

/* Where Linux puts mmap_base without randomization (arch/x86/mm/mmap.c), 0 for the legacy layout. */
static unsigned long linux_mmap_top(void)
{
	struct rlimit rl;
	unsigned long gap;

	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0, "getrlimit(RLIMIT_STACK) failed");
	if (rl.rlim_cur == RLIM_INFINITY)
		return 0; /* bottom-up legacy layout */
	gap = rl.rlim_cur + LINUX_STACK_GUARD_GAP;
	if (gap < LINUX_GAP_MIN)
		gap = LINUX_GAP_MIN;
	return (LINUX_TASK_SIZE - gap) & ~(PAGE - 1);
}

int main(void)
{
	const Elf64_Ehdr *eh = &__ehdr_start;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	uintptr_t base = (uintptr_t)eh, end = 0, bias = eh->e_type == ET_DYN ? base : 0;
	unsigned long start_brk;
	int on = aslr_on(), atlas = on_atlas();
	long n;
	struct map m;

	read_file("/proc/self/maps", maps, sizeof(maps));
	read_file("/proc/self/stat", stat_text, sizeof(stat_text));
	n = sys3(SYS_readlink, "/proc/self/exe", exe, sizeof(exe) - 1);
	CHECK(n > 0, "readlink /proc/self/exe returned %ld", n);
	exe[n] = 0;
	CHECK(map_of(maps, base, &m) && m.start == base, "no maps line starts at the ELF header %#lx",
	      (unsigned long)base);
	CHECK(!strcmp(m.name, exe), "the line at %#lx names %s, the program is %s", (unsigned long)base, m.name, exe);
	CHECK((uintptr_t)ph == base + eh->e_phoff, "AT_PHDR %#lx, want %#lx", (unsigned long)ph,
	      (unsigned long)(base + eh->e_phoff));
	CHECK(getauxval(AT_ENTRY) == bias + eh->e_entry, "AT_ENTRY %#lx, want %#lx", getauxval(AT_ENTRY),
	      (unsigned long)(bias + eh->e_entry));
	CHECK(ptr == greeting && !strcmp(ptr, "relocated"), "the relocated pointer is %p, want %p", (void *)ptr,
	      (void *)greeting);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && bias + ph[i].p_vaddr + ph[i].p_memsz > end)
			end = bias + ph[i].p_vaddr + ph[i].p_memsz;
	end = (end + PAGE - 1) & ~(PAGE - 1);
	start_brk = stat_field(47);

	if (eh->e_type == ET_EXEC) {
		CHECK(base == 0x400000, "an ET_EXEC at %#lx", (unsigned long)base);
		if (!on)
			CHECK(start_brk == end, "the break starts at %#lx, want the page after .bss, %#lx", start_brk,
			      (unsigned long)end);
		else
			CHECK(start_brk >= end + PAGE && start_brk < end + PAGE + BRK_RND_MAX,
			      "the break starts at %#lx, want a page and up to 1 GiB after %#lx", start_brk,
			      (unsigned long)end);
		say("ET_EXEC at %#lx, break at %s, ASLR %s", (unsigned long)base,
		    start_brk == end ? "the page after .bss" : "a random page after .bss", on ? "on" : "off");
		return 0;
	}

	CHECK(eh->e_type == ET_DYN, "e_type %u", eh->e_type);
	CHECK((base & (PAGE - 1)) == 0, "the base %#lx is not page-aligned", (unsigned long)base);
	if (!on) {
		unsigned long top = atlas ? ATLAS_MMAP_TOP : linux_mmap_top();

		CHECK(start_brk == PIE_BRK, "the break starts at %#lx, want ELF_ET_DYN_BASE %#lx rounded up, %#lx",
		      start_brk, DYN_BASE, PIE_BRK);
		CHECK(map_named(maps, "[heap]", &m) == 0 || m.start == PIE_BRK, "[heap] starts at %#lx",
		      (unsigned long)m.start);
		if (top)
			CHECK(end == top, "the image ends at %#lx, want the mmap top %#lx", (unsigned long)end, top);
		say("static-PIE at mmap_top-%#lx, break at %#lx, AT_PHDR base+%#lx, AT_ENTRY base+%#lx, ASLR off",
		    (unsigned long)(end - base), start_brk, (unsigned long)eh->e_phoff, (unsigned long)eh->e_entry);
		return 0;
	}
	CHECK(start_brk >= PIE_BRK && start_brk < PIE_BRK + BRK_RND_MAX, "the break starts at %#lx, want [%#lx, %#lx)",
	      start_brk, PIE_BRK, PIE_BRK + BRK_RND_MAX);
	if (atlas)
		CHECK(end <= ATLAS_MMAP_TOP_RANDOM && end >= ATLAS_MMAP_TOP_RANDOM - MMAP_RND_MAX,
		      "the image ends at %#lx, outside aslr=on's mmap tops [%#lx, %#lx]", (unsigned long)end,
		      ATLAS_MMAP_TOP_RANDOM - MMAP_RND_MAX, ATLAS_MMAP_TOP_RANDOM);
	say("static-PIE at %#lx (ends %#lx), break at %#lx, ASLR on", (unsigned long)base, (unsigned long)end,
	    start_brk);
	return 0;
}
