/* ATLAS-EXPECT: signal=SIGSEGV cause="access to PROT_NONE [anon]" */
/* SPDX-License-Identifier: MIT */
/*
 * mmap_prot_none - a PROT_NONE mapping (reserved address space, as musl's
 * malloc uses for guard pages) is listed in /proc/self/maps as ---p, and
 * reading it faults.
 */
#include <sys/mman.h>

#include "utest.h"

static char maps[64 * 1024];

int main(void)
{
	volatile char *p = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct map m;
	char v;

	CHECK(p != MAP_FAILED, "mmap(PROT_NONE) failed");
	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(map_of(maps, (uintptr_t)p, &m), "the PROT_NONE page is not in /proc/self/maps");
	CHECK(strcmp(m.perm, "---p") == 0, "the PROT_NONE page is listed as %s", m.perm);
	say("reading a PROT_NONE page at %p: expect SIGSEGV, access to PROT_NONE [anon]", (void *)p);
	v = p[0];
	fail("reading a PROT_NONE page gave %d instead of faulting", v);
}
