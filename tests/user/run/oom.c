/* SPDX-License-Identifier: MIT */
/*
 * oom - allocate until memory runs out: 64 MiB MAP_NORESERVE mappings, every
 * page written, for ever. Not a built-in program (it would eat the RAM of
 * every suite boot): tests/boot/test_mm_limits.py runs it through run= in a
 * 128 MiB machine and checks that it, and only it, is killed (SIGKILL,
 * "out of memory", its RSS named) and that the next program runs. With a
 * count argument it stops after that many MiB and exits 0 (the leak test's
 * memory-hungry kind uses the unlimited form).
 */
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define CHUNK (64UL << 20)
#define PAGE 4096UL

int main(int argc, char **argv)
{
	unsigned long limit_mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 0, done = 0;

	for (;;) {
		char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

		if (p == MAP_FAILED)
			return 2; /* the address space ran out first: not what this program is for */
		for (unsigned long off = 0; off < CHUNK; off += PAGE) {
			p[off] = 1;
			if (limit_mib && (done += PAGE) >> 20 >= limit_mib)
				return 0;
		}
	}
}
