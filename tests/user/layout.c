/* ATLAS-EXPECT: exit=0 */
/* ATLAS-ARGS: first second */
/* ATLAS-ENV: LAYOUT=1 */
/* SPDX-License-Identifier: MIT */
/*
 * layout - each kind of object is found in the right region of this
 * process's own /proc/self/maps, with the right permissions and name:
 *   a function          r-xp, the program's name
 *   a string literal    r--p, the program's name
 *   an initialised and a .bss global   rw-p, the program's name
 *   a malloc(64) block  rw-p, [heap] (brk) or [anon] (mmap): musl 1.2's
 *                       mallocng keeps its metadata in brk but usually takes
 *                       the first small group from mmap, so either is accepted
 *   a local, argv, argv[0], envp, envp[0], AT_RANDOM bytes   rw-p, [stack]
 * The program's name is the name on the line holding main. On Atlas also:
 * nothing below 4 MiB, [stack] ends at 0x7fff00000000, nothing above it.
 */
#include <sys/auxv.h>

#include "utest.h"

static char maps[64 * 1024];
int data_global = 42;
int bss_global;
static const char literal[] = "a string literal in .rodata";

__attribute__((noinline)) static int function(int x)
{
	return x + 1;
}

static void expect(const char *what, const void *addr, const char *perm, const char *name, const char *name2)
{
	struct map m;

	CHECK(map_of(maps, (uintptr_t)addr, &m), "%s at %p is in no maps line", what, addr);
	CHECK(strcmp(m.perm, perm) == 0, "%s at %p: line %lx-%lx has %s, expected %s", what, addr,
	      (unsigned long)m.start, (unsigned long)m.end, m.perm, perm);
	CHECK(strcmp(m.name, name) == 0 || (name2 && strcmp(m.name, name2) == 0),
	      "%s at %p: line %lx-%lx is named \"%s\", expected \"%s\"%s%s", what, addr, (unsigned long)m.start,
	      (unsigned long)m.end, m.name, name, name2 ? " or " : "", name2 ? name2 : "");
}

int main(int argc, char **argv, char **envp)
{
	int local = function(argc);
	char *block = malloc(64);
	const char *cur = maps;
	struct map m, prog;

	CHECK(block != NULL, "malloc(64) failed");
	read_file("/proc/self/maps", maps, sizeof(maps));

	CHECK(map_of(maps, (uintptr_t)main, &prog), "main at %p is in no maps line", (void *)main);
	CHECK(prog.name[0] != '\0' && prog.name[0] != '[', "main's line is named \"%s\"", prog.name);
	expect("function", (const void *)function, "r-xp", prog.name, NULL);
	expect("string literal", literal, "r--p", prog.name, NULL);
	expect("initialised global", &data_global, "rw-p", prog.name, NULL);
	expect("bss global", &bss_global, "rw-p", prog.name, NULL);
	/* Linux leaves anonymous mmap lines unnamed where Atlas says [anon]. */
	expect("malloc(64) block", block, "rw-p", "[heap]", on_atlas() ? "[anon]" : "");
	expect("local", &local, "rw-p", "[stack]", NULL);
	expect("argv", argv, "rw-p", "[stack]", NULL);
	expect("argv[0]", argv[0], "rw-p", "[stack]", NULL);
	CHECK(envp[0] != NULL, "envp is empty (ATLAS-ENV gives LAYOUT=1)");
	expect("envp", envp, "rw-p", "[stack]", NULL);
	expect("envp[0]", envp[0], "rw-p", "[stack]", NULL);
	expect("AT_RANDOM bytes", (const void *)getauxval(AT_RANDOM), "rw-p", "[stack]", NULL);
	map_of(maps, (uintptr_t)block, &m);

	if (on_atlas()) {
		struct map stack, line;
		CHECK(map_named(maps, "[stack]", &stack), "no [stack] line");
		CHECK(stack.end == 0x00007fff00000000ULL, "[stack] ends at %lx, not 7fff00000000",
		      (unsigned long)stack.end);
		while (next_map(&cur, &line)) {
			CHECK(line.start >= 0x400000, "%lx-%lx %s is inside the null guard [0, 4 MiB)",
			      (unsigned long)line.start, (unsigned long)line.end, line.name);
			CHECK(line.end <= stack.end, "%lx-%lx %s is above the stack", (unsigned long)line.start,
			      (unsigned long)line.end, line.name);
		}
	}
	say("function r-xp, literal r--p, data/bss rw-p in %s; malloc(64) in %s; local/argv/envp/AT_RANDOM in [stack]",
	    prog.name, m.name[0] ? m.name : "an unnamed (anonymous mmap) line");
	free(block);
	return 0;
}
