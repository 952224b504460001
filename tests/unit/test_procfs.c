/* SPDX-License-Identifier: MIT */
/*
 * test_procfs.c - /proc/PID/maps, /proc/PID/status and `pmap -x` text
 * (core/proc/procfs.c) against exact strings.
 *
 * Where a string says "real", it was copied from a Linux 6.18 machine
 * (`cat /proc/PID/maps`, `pmap -x PID` from procps-ng 4.0.2, /proc/PID/status)
 * and only the parts Atlas cannot have were substituted: device and inode
 * ("fe:00 247134" -> "00:00 0", which must not move the name column), the
 * path, and the name of areas Atlas has no kind for. The pmap rows of the
 * typical layout are what procps printed for a process that mapped the same
 * file and anonymous areas at the same addresses and touched the same pages.
 *
 * The VMA lists are filled by hand: mm/vma.c is not part of this test. A
 * hand-made list is a chain (each area the right child of the one before):
 * a valid, if unbalanced, tree for vma_first/vma_next, the only tree
 * operations procfs uses, and it keeps the areas in the order added.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "paging.h"
#include "procfs.h"
#include "vma.h"

#define R VM_READ
#define W VM_WRITE
#define X VM_EXEC
#define KiB 1024ULL

/* ------------------------------------------------------------------ */
/* Building lists and usage by hand.                                  */

#define HAND_MAX 128

struct hand {
	struct vma_list tree;
	size_t n;
	struct vma v[HAND_MAX];
};

/* What procfs gets for a hand-made list (NULL stays NULL). */
static const struct vma_list *T(const struct hand *h)
{
	return h ? &h->tree : NULL;
}

static void add(struct hand *l, uint64_t start, uint64_t end, unsigned prot, enum vma_kind kind, uint64_t offset,
		const char *name)
{
	struct vma *v;

	assert_true(l->n < HAND_MAX);
	v = &l->v[l->n++];
	memset(v, 0, sizeof(*v));
	if (l->n == 1) {
		l->tree.root = v;
	} else {
		l->v[l->n - 2].right = v;
		v->parent = &l->v[l->n - 2];
	}
	l->tree.n = l->n;
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->kind = kind;
	v->offset = offset;
	snprintf(v->name, sizeof(v->name), "%s", name);
}

/* A static musl "hello": image, brk heap, one anonymous mmap, the stack. */
static struct hand *typical(void)
{
	static struct hand l;

	memset(&l, 0, sizeof(l));
	add(&l, 0x400000, 0x401000, R, VMA_IMAGE, 0, "/hello");
	add(&l, 0x401000, 0x403000, R | X, VMA_IMAGE, 0x1000, "/hello");
	add(&l, 0x403000, 0x404000, R, VMA_IMAGE, 0x3000, "/hello");
	add(&l, 0x404000, 0x406000, R | W, VMA_IMAGE, 0x3000, "/hello");
	add(&l, 0x406000, 0x408000, R | W, VMA_HEAP, 0, "[heap]");
	add(&l, 0x7f0000000000, 0x7f0000004000, R | W, VMA_ANON, 0, "[anon]");
	add(&l, 0x7ffefffdf000, 0x7fff00000000, R | W, VMA_STACK, 0, "[stack]");
	return &l;
}

/* Usage given per area in the order the areas come; counts the calls. */
struct usage_table {
	const struct hand *l;
	const struct vma_usage *u;
	size_t calls;
};

static void table_usage(const struct vma *v, struct vma_usage *u, void *ctx)
{
	struct usage_table *t = ctx;
	size_t i = (size_t)(v - t->l->v);

	assert_true(i < t->l->n);
	assert_int_equal(i, t->calls); /* once per area, in order */
	t->calls++;
	*u = t->u[i];
}

static const struct vma_usage typical_usage[] = {
	{ 4 * KiB, 0 },	      { 8 * KiB, 0 },	    { 4 * KiB, 0 },	    { 8 * KiB, 4 * KiB },
	{ 4 * KiB, 4 * KiB }, { 8 * KiB, 8 * KiB }, { 16 * KiB, 16 * KiB },
};

/* Every area: rss = one page per 4 pages, dirty = half of that. */
static void quarter_usage(const struct vma *v, struct vma_usage *u, void *ctx)
{
	size_t *calls = ctx;

	(*calls)++;
	u->rss = (v->end - v->start) / 4;
	u->dirty = u->rss / 2;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void count_lines_and_check_end(const char *s, size_t want_lines)
{
	size_t n = 0;

	for (const char *p = s; *p; p++)
		n += *p == '\n';
	assert_int_equal(n, want_lines);
	if (want_lines)
		assert_int_equal(s[strlen(s) - 1], '\n');
}

/* ------------------------------------------------------------------ */
/* /proc/PID/maps                                                     */

static const char typical_maps[] = "00400000-00401000 r--p 00000000 00:00 0                                  /hello\n"
				   "00401000-00403000 r-xp 00001000 00:00 0                                  /hello\n"
				   "00403000-00404000 r--p 00003000 00:00 0                                  /hello\n"
				   "00404000-00406000 rw-p 00003000 00:00 0                                  /hello\n"
				   "00406000-00408000 rw-p 00000000 00:00 0                                  [heap]\n"
				   "7f0000000000-7f0000004000 rw-p 00000000 00:00 0                          [anon]\n"
				   "7ffefffdf000-7fff00000000 rw-p 00000000 00:00 0                          [stack]\n";

static void test_maps_typical(void **state)
{
	char buf[4096];
	size_t n;

	(void)state;
	n = procfs_maps(T(typical()), buf, sizeof(buf));
	assert_string_equal(buf, typical_maps);
	assert_int_equal(n, strlen(typical_maps));
}

/* One area in, one line out. */
static const char *one_line(uint64_t start, uint64_t end, unsigned prot, enum vma_kind kind, uint64_t offset,
			    const char *name)
{
	static struct hand l;
	static char buf[256];

	memset(&l, 0, sizeof(l));
	add(&l, start, end, prot, kind, offset, name);
	assert_true(procfs_maps(T(&l), buf, sizeof(buf)) < sizeof(buf));
	return buf;
}

/*
 * Lines copied from this machine's /proc/self/maps. The name starts at column
 * 74 (seq_pad to 72, then a space) for 12- and 16-digit addresses alike.
 */
static void test_maps_real_linux_lines(void **state)
{
	/* real: "7ffed8058000-7ffed8079000 rw-p 00000000 00:00 0                          [stack]" */
	static const char stack[] =
		"7ffed8058000-7ffed8079000 rw-p 00000000 00:00 0                          [stack]\n";
	/* real: "55aa6acf0000-55aa6ad11000 rw-p 00000000 00:00 0                          [heap]" */
	static const char heap[] = "55aa6acf0000-55aa6ad11000 rw-p 00000000 00:00 0                          [heap]\n";
	/* real: "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]" */
	static const char vsyscall[] =
		"ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [anon]\n";
	/* real: "55aa50b5a000-55aa50b5f000 r-xp 00002000 fe:00 247134                     /usr/bin/cat" */
	static const char image[] =
		"55aa50b5a000-55aa50b5f000 r-xp 00002000 00:00 0                          /usr/bin/cat\n";

	(void)state;
	assert_string_equal(one_line(0x7ffed8058000, 0x7ffed8079000, R | W, VMA_STACK, 0, "[stack]"), stack);
	assert_string_equal(one_line(0x55aa6acf0000, 0x55aa6ad11000, R | W, VMA_HEAP, 0, "[heap]"), heap);
	assert_string_equal(one_line(0xffffffffff600000, 0xffffffffff601000, X, VMA_ANON, 0, "[anon]"), vsyscall);
	assert_string_equal(one_line(0x55aa50b5a000, 0x55aa50b5f000, R | X, VMA_IMAGE, 0x2000, "/usr/bin/cat"), image);
	assert_int_equal(strchr(stack, '[') - stack, 73);
	assert_int_equal(strchr(vsyscall, '[') - vsyscall, 73);
	assert_int_equal(strchr(image, '/') - image, 73);
}

static void test_maps_huge_addresses(void **state)
{
	(void)state;
	/* The last user page below the non-canonical hole. */
	assert_string_equal(one_line(0x7fffffffe000, 0x7ffffffff000, R, VMA_ANON, 0, "[anon]"),
			    "7fffffffe000-7ffffffff000 r--p 00000000 00:00 0                          [anon]\n");
	assert_string_equal(one_line(0x7ffffffde000, 0x7ffffffff000, R | W, VMA_STACK, 0, "[stack]"),
			    "7ffffffde000-7ffffffff000 rw-p 00000000 00:00 0                          [stack]\n");
	/* Addresses below 0x10000000 are zero-padded to 8 digits. */
	assert_string_equal(one_line(0x1000, 0x2000, 0, VMA_ANON, 0, "[anon]"),
			    "00001000-00002000 ---p 00000000 00:00 0                                  [anon]\n");
}

static void test_maps_perms_and_offsets(void **state)
{
	(void)state;
	assert_string_equal(one_line(0x10000, 0x11000, R | W | X, VMA_IMAGE, 0, "/a"),
			    "00010000-00011000 rwxp 00000000 00:00 0                                  /a\n");
	assert_string_equal(one_line(0x10000, 0x11000, W, VMA_ANON, 0, "[anon]"),
			    "00010000-00011000 -w-p 00000000 00:00 0                                  [anon]\n");
	/* Linux shows offset 0 for areas without a file, whatever vm_pgoff holds. */
	assert_string_equal(one_line(0x10000, 0x11000, R | W, VMA_HEAP, 0x5000, "[heap]"),
			    "00010000-00011000 rw-p 00000000 00:00 0                                  [heap]\n");
	/* A file offset wider than 8 digits widens the field; the name column stays at 74. */
	assert_string_equal(one_line(0x10000, 0x11000, R, VMA_IMAGE, 0x123456789000, "/big"),
			    "00010000-00011000 r--p 123456789000 00:00 0                              /big\n");
	/* The widest prefix 64-bit values allow (64 characters) is still padded to 72. */
	assert_string_equal(one_line(0xffffffffff600000, 0xffffffffff601000, R, VMA_IMAGE, 0xfffffffffffff000, "/w"),
			    "ffffffffff600000-ffffffffff601000 r--p fffffffffffff000 00:00 0          /w\n");
	/* The name comes from the kind for non-image areas. */
	assert_string_equal(one_line(0x10000, 0x11000, R, VMA_STACK, 0, ""),
			    "00010000-00011000 r--p 00000000 00:00 0                                  [stack]\n");
}

/* seq_file_path(m, file, "\n"): a newline in a path is written as \012. */
static void test_maps_path_escape(void **state)
{
	(void)state;
	assert_string_equal(one_line(0x10000, 0x11000, R, VMA_IMAGE, 0, "/a\nb c"),
			    "00010000-00011000 r--p 00000000 00:00 0                                  /a\\012b c\n");
}

/* A name filling all VMA_NAME bytes without a terminator is cut there. */
static void test_maps_unterminated_name(void **state)
{
	struct hand *l = malloc(sizeof(*l));
	char buf[256];

	(void)state;
	assert_non_null(l);
	memset(l, 0, sizeof(*l));
	add(l, 0x10000, 0x11000, R, VMA_IMAGE, 0, "");
	memset(l->v[0].name, 'n', sizeof(l->v[0].name));
	l->v[0].name[0] = '/';
	procfs_maps(T(l), buf, sizeof(buf));
	assert_int_equal(strlen(buf), 73 + VMA_NAME + 1);
	free(l);
}

static void test_maps_empty(void **state)
{
	struct hand l = { .n = 0, .tree = { NULL, 0 } };
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(procfs_maps(T(&l), buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(procfs_maps(T(&l), NULL, 0), 0);
	assert_int_equal(procfs_maps(T(NULL), buf, sizeof(buf)), 0);
}

static void test_maps_128_areas(void **state)
{
	struct hand *l = malloc(sizeof(*l));
	size_t size = HAND_MAX * 128, n, off = 0;
	char *buf = malloc(size), *want = malloc(size);

	(void)state;
	assert_non_null(l);
	assert_non_null(buf);
	assert_non_null(want);
	memset(l, 0, sizeof(*l));
	for (uint64_t i = 0; i < HAND_MAX; i++) {
		uint64_t start = 0x7ff000000000 + i * 0x3000;
		enum vma_kind kind = i % 2 ? VMA_ANON : VMA_IMAGE;
		char pre[80];

		add(l, start, start + 0x2000, i % 3 ? R | W : R, kind, i * 0x1000, "/lib/libc.so");
		/* libc's own padding as the independent reference for seq_pad. */
		snprintf(pre, sizeof(pre), "%08llx-%08llx %s %08llx 00:00 0 ", (unsigned long long)start,
			 (unsigned long long)start + 0x2000, i % 3 ? "rw-p" : "r--p",
			 kind == VMA_IMAGE ? (unsigned long long)i * 0x1000 : 0ULL);
		off += (size_t)snprintf(want + off, size - off, "%-72s %s\n", pre,
					kind == VMA_IMAGE ? "/lib/libc.so" : "[anon]");
	}
	n = procfs_maps(T(l), buf, size);
	assert_int_equal(n, off);
	assert_string_equal(buf, want);
	count_lines_and_check_end(buf, HAND_MAX);
	free(want);
	free(buf);
	free(l);
}

/* ------------------------------------------------------------------ */
/* pmap -x                                                            */

static const char typical_pmap[] = "5:   /hello\n"
				   "Address           Kbytes     RSS   Dirty Mode  Mapping\n"
				   "0000000000400000       4       4       0 r---- hello\n"
				   "0000000000401000       8       8       0 r-x-- hello\n"
				   "0000000000403000       4       4       0 r---- hello\n"
				   "0000000000404000       8       8       4 rw--- hello\n"
				   "0000000000406000       8       4       4 rw---   [ anon ]\n"
				   "00007f0000000000      16       8       8 rw---   [ anon ]\n"
				   "00007ffefffdf000     132      16      16 rw---   [ stack ]\n"
				   "---------------- ------- ------- ------- \n"
				   "total kB             180      52      32\n";

static void test_pmap_typical(void **state)
{
	struct hand *l = typical();
	struct usage_table t = { l, typical_usage, 0 };
	char buf[4096];
	size_t n;

	(void)state;
	n = procfs_pmap_x(T(l), 5, "/hello", table_usage, &t, buf, sizeof(buf));
	assert_string_equal(buf, typical_pmap);
	assert_int_equal(n, strlen(typical_pmap));
	assert_int_equal(t.calls, l->n);
}

/*
 * Rows copied from procps-ng 4.0.2 `pmap -x` on this machine and from seed
 * 004's example; the same areas and counts must give the same text.
 */
static void test_pmap_real_lines(void **state)
{
	static struct hand l;
	static const struct vma_usage u[] = {
		{ 708 * KiB, 0 },	{ 20 * KiB, 20 * KiB },	   { 36 * KiB, 0 },
		{ 40 * KiB, 40 * KiB }, { 4992 * KiB, 860 * KiB },
	};
	struct usage_table t = { &l, u, 0 };
	static const char want[] = "5752:   bash /dev/fd/3\n"
				   "Address           Kbytes     RSS   Dirty Mode  Mapping\n"
				   /* real: bash's text segment */
				   "000055581fe0e000     772     708       0 r-x-- bash\n"
				   /* real */
				   "00007ffdaa2f4000     132      20      20 rw---   [ stack ]\n"
				   /* seed 004 */
				   "000055a0e46da000      36      36       0 r---- dbus-daemon\n"
				   "00007ffc6d262000     132      40      40 rw---   [ stack ]\n"
				   "00007ffc6e000000    7716    4992     860 rw---   [ anon ]\n"
				   /* real, with its trailing space */
				   "---------------- ------- ------- ------- \n"
				   /* the seed's layout: 8788 kB in all */
				   "total kB            8788    5796     920\n";
	char buf[1024];

	(void)state;
	memset(&l, 0, sizeof(l));
	/* Not sorted: pmap prints the areas in the order the list holds them. */
	add(&l, 0x55581fe0e000, 0x55581fe0e000 + 772 * KiB, R | X, VMA_IMAGE, 0x2f000, "/usr/bin/bash");
	add(&l, 0x7ffdaa2f4000, 0x7ffdaa2f4000 + 132 * KiB, R | W, VMA_STACK, 0, "[stack]");
	add(&l, 0x55a0e46da000, 0x55a0e46da000 + 36 * KiB, R, VMA_IMAGE, 0, "/usr/bin/dbus-daemon");
	add(&l, 0x7ffc6d262000, 0x7ffc6d262000 + 132 * KiB, R | W, VMA_STACK, 0, "[stack]");
	add(&l, 0x7ffc6e000000, 0x7ffc6e000000 + 7716 * KiB, R | W, VMA_ANON, 0, "[anon]");
	procfs_pmap_x(T(&l), 5752, "bash /dev/fd/3", table_usage, &t, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

/* The seed's total line, exactly: "total kB            8788    5068     900". */
static void test_pmap_seed_total(void **state)
{
	static struct hand l;
	static const struct vma_usage u[] = { { 36 * KiB, 0 }, { 5032 * KiB, 900 * KiB } };
	struct usage_table t = { &l, u, 0 };
	char buf[512];

	(void)state;
	memset(&l, 0, sizeof(l));
	add(&l, 0x55a0e46da000, 0x55a0e46da000 + 36 * KiB, R, VMA_IMAGE, 0, "/usr/bin/dbus-daemon");
	add(&l, 0x7f0000000000, 0x7f0000000000 + 8752 * KiB, R | W, VMA_ANON, 0, "[anon]");
	procfs_pmap_x(T(&l), 1, "dbus-daemon", table_usage, &t, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\ntotal kB            8788    5068     900\n"));
	assert_string_equal(strstr(buf, "\ntotal kB"), "\ntotal kB            8788    5068     900\n");
}

/* procps names only paths (basename) and the stack; [heap] is "[ anon ]" like any other. */
static void test_pmap_names(void **state)
{
	static struct hand l;
	char buf[1024];

	(void)state;
	memset(&l, 0, sizeof(l));
	add(&l, 0x1000, 0x2000, R | W, VMA_HEAP, 0, "[heap]");
	add(&l, 0x2000, 0x3000, R | W, VMA_ANON, 0, "[anon]");
	add(&l, 0x3000, 0x4000, R | W, VMA_STACK, 0, "[stack]");
	add(&l, 0x4000, 0x5000, R, VMA_IMAGE, 0, "/a/b/prog");
	add(&l, 0x5000, 0x6000, R, VMA_IMAGE, 0, "prog2");
	add(&l, 0x6000, 0x7000, R, VMA_IMAGE, 0, "/dir/");
	add(&l, 0x7000, 0x8000, R, VMA_IMAGE, 0, "/x\ny");
	add(&l, 0x8000, 0x9000, 0, VMA_ANON, 0, "[anon]");
	procfs_pmap_x(T(&l), 7, "", NULL, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "7:   \n"
				 "Address           Kbytes     RSS   Dirty Mode  Mapping\n"
				 "0000000000001000       4       0       0 rw---   [ anon ]\n"
				 "0000000000002000       4       0       0 rw---   [ anon ]\n"
				 "0000000000003000       4       0       0 rw---   [ stack ]\n"
				 "0000000000004000       4       0       0 r---- prog\n"
				 "0000000000005000       4       0       0 r---- prog2\n"
				 "0000000000006000       4       0       0 r---- /\n"
				 "0000000000007000       4       0       0 r---- x\\012y\n"
				 "0000000000008000       4       0       0 -----   [ anon ]\n"
				 "---------------- ------- ------- ------- \n"
				 "total kB              32       0       0\n");
}

/*
 * Kbytes is whole pages; RSS and Dirty are kB truncated per area (smaps'
 * "Rss: %8lu kB" is bytes >> 10), and the totals add those truncated values.
 */
static void test_pmap_rounding_and_widths(void **state)
{
	static struct hand l;
	static const struct vma_usage u[] = {
		{ 1536, 1536 },
		{ 1536, 1023 },
		{ 4095, 2048 },
		{ 64ULL << 30, 12345ULL << 20 },
	};
	struct usage_table t = { &l, u, 0 };
	char buf[1024];

	(void)state;
	memset(&l, 0, sizeof(l));
	add(&l, 0x10000, 0x11000, R | W, VMA_ANON, 0, "[anon]");
	add(&l, 0x11000, 0x13000, R | W, VMA_ANON, 0, "[anon]");
	add(&l, 0x7fffffffe000, 0x7ffffffff000, R, VMA_ANON, 0, "[anon]");
	/* 64 GiB: 67108864 kB, wider than the 7-column field. */
	add(&l, 0x100000000000, 0x100000000000 + (64ULL << 30), R | W, VMA_ANON, 0, "[anon]");
	procfs_pmap_x(T(&l), 2147483647, "big", table_usage, &t, buf, sizeof(buf));
	assert_string_equal(buf, "2147483647:   big\n"
				 "Address           Kbytes     RSS   Dirty Mode  Mapping\n"
				 "0000000000010000       4       1       1 rw---   [ anon ]\n"
				 "0000000000011000       8       1       0 rw---   [ anon ]\n"
				 "00007fffffffe000       4       3       2 r----   [ anon ]\n"
				 "0000100000000000 67108864 67108864 12641280 rw---   [ anon ]\n"
				 "---------------- ------- ------- ------- \n"
				 "total kB         67108880 67108869 12641283\n");
}

/* The pieces the exit report prints one by one add up to the whole table. */
static void test_pmap_pieces(void **state)
{
	struct hand *l = typical();
	struct usage_table t = { l, typical_usage, 0 };
	struct pmap_totals tot = { 0, 0, 0 };
	char whole[4096], pieces[4096] = "", line[256];
	size_t n = 0;

	(void)state;
	procfs_pmap_x(T(l), 5, "/hello", table_usage, &t, whole, sizeof(whole));
	n += procfs_pmap_header(5, "/hello", pieces + n, sizeof(pieces) - n);
	for (size_t i = 0; i < l->n; i++) {
		assert_true(procfs_pmap_row(&l->v[i], &typical_usage[i], &tot, line, sizeof(line)) < sizeof(line));
		n += (size_t)snprintf(pieces + n, sizeof(pieces) - n, "%s", line);
	}
	n += procfs_pmap_total(&tot, pieces + n, sizeof(pieces) - n);
	assert_string_equal(pieces, whole);
	assert_int_equal(n, strlen(whole));
	/* And the maps lines. */
	n = 0;
	for (size_t i = 0; i < l->n; i++)
		n += procfs_maps_line(&l->v[i], pieces + n, sizeof(pieces) - n);
	assert_string_equal(pieces, typical_maps);
}

static void test_pmap_empty(void **state)
{
	struct hand l = { .n = 0, .tree = { NULL, 0 } };
	static const char want[] = "3:   /bin/true\n"
				   "Address           Kbytes     RSS   Dirty Mode  Mapping\n"
				   "---------------- ------- ------- ------- \n"
				   "total kB               0       0       0\n";
	size_t calls = 0;
	char buf[512];

	(void)state;
	assert_int_equal(procfs_pmap_x(T(&l), 3, "/bin/true", quarter_usage, &calls, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(calls, 0);
	assert_int_equal(procfs_pmap_x(T(NULL), 3, "/bin/true", quarter_usage, &calls, buf, sizeof(buf)), strlen(want));
	assert_string_equal(buf, want);
	assert_int_equal(procfs_pmap_x(T(&l), 3, NULL, NULL, NULL, buf, sizeof(buf)),
			 strlen(want) - strlen("/bin/true"));
}

static void test_pmap_128_areas(void **state)
{
	struct hand *l = malloc(sizeof(*l));
	size_t size = 16384, n, calls = 0;
	char *buf = malloc(size);
	uint64_t kb = 0, rss = 0, dirty = 0;
	char total[80], row[80];

	(void)state;
	assert_non_null(l);
	assert_non_null(buf);
	memset(l, 0, sizeof(*l));
	for (uint64_t i = 0; i < HAND_MAX; i++) {
		uint64_t start = 0x7ff000000000 + (i << 24), len = (i + 1) * 0x4000;

		add(l, start, start + len, R | W, VMA_ANON, 0, "[anon]");
		kb += len >> 10;
		rss += (len / 4) >> 10;
		dirty += (len / 8) >> 10;
	}
	n = procfs_pmap_x(T(l), 9, "many", quarter_usage, &calls, buf, size);
	assert_int_equal(calls, HAND_MAX);
	assert_int_equal(n, strlen(buf));
	count_lines_and_check_end(buf, HAND_MAX + 4);
	snprintf(total, sizeof(total), "\ntotal kB %15llu %7llu %7llu\n", (unsigned long long)kb,
		 (unsigned long long)rss, (unsigned long long)dirty);
	assert_string_equal(strstr(buf, "\ntotal kB"), total);
	assert_string_equal(total, "\ntotal kB          132096   33024   16512\n");
	/* The last area: 128 * 16 KiB = 2048 kB, a quarter resident, half of that dirty. */
	snprintf(row, sizeof(row), "\n%016llx %7d %7d %7d rw---   [ anon ]\n", 0x7ff000000000ULL + (127ULL << 24), 2048,
		 512, 256);
	assert_non_null(strstr(buf, row));
	free(buf);
	free(l);
}

/* ------------------------------------------------------------------ */
/* /proc/PID/status                                                   */

static const struct proc_status typical_status = {
	.name = "hello",
	.pid = 5,
	.state = 'R',
	.has_mm = 1,
	.vm_peak = 180 * KiB,
	.vm_size = 180 * KiB,
	.vm_rss = 52 * KiB,
	.vm_data = 28 * KiB,
	.vm_stk = 132 * KiB,
	.vm_exe = 8 * KiB,
	.rss_anon = 32 * KiB,
	.rss_file = 20 * KiB,
	.threads = 1,
};

/* Keys and widths as in Linux 6.1's /proc/self/status (real: "VmPeak:\t    3060 kB"). */
static const char typical_status_text[] = "Name:\thello\n"
					  "Umask:\t0000\n"
					  "State:\tR (running)\n"
					  "Tgid:\t5\n"
					  "Ngid:\t0\n"
					  "Pid:\t5\n"
					  "PPid:\t0\n"
					  "TracerPid:\t0\n"
					  "Uid:\t0\t0\t0\t0\n"
					  "Gid:\t0\t0\t0\t0\n"
					  "FDSize:\t0\n"
					  "Groups:\t\n"
					  "NStgid:\t5\n"
					  "NSpid:\t5\n"
					  "NSpgid:\t0\n"
					  "NSsid:\t0\n"
					  "VmPeak:\t     180 kB\n"
					  "VmSize:\t     180 kB\n"
					  "VmLck:\t       0 kB\n"
					  "VmPin:\t       0 kB\n"
					  "VmHWM:\t       0 kB\n"
					  "VmRSS:\t      52 kB\n"
					  "RssAnon:\t      32 kB\n"
					  "RssFile:\t      20 kB\n"
					  "RssShmem:\t       0 kB\n"
					  "VmData:\t      28 kB\n"
					  "VmStk:\t     132 kB\n"
					  "VmExe:\t       8 kB\n"
					  "VmLib:\t       0 kB\n"
					  "VmPTE:\t       0 kB\n"
					  "VmSwap:\t       0 kB\n"
					  "HugetlbPages:\t       0 kB\n"
					  "CoreDumping:\t0\n"
					  "THP_enabled:\t0\n"
					  "Threads:\t1\n"
					  "SigQ:\t0/1024\n"
					  "SigPnd:\t0000000000000000\n"
					  "ShdPnd:\t0000000000000000\n"
					  "SigBlk:\t0000000000000000\n"
					  "SigIgn:\t0000000000000000\n"
					  "SigCgt:\t0000000000000000\n"
					  "CapInh:\t0000000000000000\n"
					  "CapPrm:\t000001ffffffffff\n"
					  "CapEff:\t000001ffffffffff\n"
					  "CapBnd:\t000001ffffffffff\n"
					  "CapAmb:\t0000000000000000\n"
					  "NoNewPrivs:\t0\n"
					  "Seccomp:\t0\n"
					  "Seccomp_filters:\t0\n"
					  "Cpus_allowed:\t1\n"
					  "Cpus_allowed_list:\t0\n"
					  "Mems_allowed:\t1\n"
					  "Mems_allowed_list:\t0\n"
					  "voluntary_ctxt_switches:\t0\n"
					  "nonvoluntary_ctxt_switches:\t0\n";

static void test_status_typical(void **state)
{
	char buf[1024];
	size_t n;

	(void)state;
	n = procfs_status(&typical_status, buf, sizeof(buf));
	assert_string_equal(buf, typical_status_text);
	assert_int_equal(n, strlen(typical_status_text));
}

static void test_status_real_widths(void **state)
{
	struct proc_status st = typical_status;
	char buf[1024];

	(void)state;
	st.name = "cat";
	st.pid = 6124;
	st.vm_peak = 3060 * KiB;
	st.vm_rss = 1740 * KiB;
	st.rss_anon = 112 * KiB;
	st.rss_file = 1628 * KiB;
	procfs_status(&st, buf, sizeof(buf));
	/* real lines from /proc/self/status of `cat` */
	assert_non_null(strstr(buf, "Name:\tcat\n"));
	assert_non_null(strstr(buf, "\nTgid:\t6124\n"));
	assert_non_null(strstr(buf, "\nPid:\t6124\n"));
	assert_non_null(strstr(buf, "\nVmPeak:\t    3060 kB\n"));
	assert_non_null(strstr(buf, "\nVmRSS:\t    1740 kB\n"));
	assert_non_null(strstr(buf, "\nRssAnon:\t     112 kB\n"));
	assert_non_null(strstr(buf, "\nRssFile:\t    1628 kB\n"));
	assert_non_null(strstr(buf, "\nVmStk:\t     132 kB\n"));
	assert_non_null(strstr(buf, "\nThreads:\t1\n"));
}

static void test_status_name(void **state)
{
	struct proc_status st = typical_status;
	char buf[1024];

	(void)state;
	/* comm holds 15 characters (TASK_COMM_LEN - 1). */
	st.name = "a_very_long_program_name";
	procfs_status(&st, buf, sizeof(buf));
	assert_true(starts_with(buf, "Name:\ta_very_long_pro\nUmask:"));
	/* proc_task_name() escapes only '\n' and '\\'. */
	st.name = "a\nb\\c\td";
	procfs_status(&st, buf, sizeof(buf));
	assert_true(starts_with(buf, "Name:\ta\\nb\\\\c\td\nUmask:"));
	st.name = NULL;
	procfs_status(&st, buf, sizeof(buf));
	assert_true(starts_with(buf, "Name:\t\nUmask:"));
}

static void test_status_states(void **state)
{
	static const struct {
		char c;
		const char *line;
	} cases[] = {
		{ 'R', "State:\tR (running)\n" }, { 'S', "State:\tS (sleeping)\n" },
		{ 'Z', "State:\tZ (zombie)\n" },  { 'D', "State:\tD (disk sleep)\n" },
		{ 'T', "State:\tT (stopped)\n" }, { 'q', "State:\tq (unknown)\n" },
	};
	struct proc_status st = typical_status;
	char buf[1024];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st.state = cases[i].c;
		procfs_status(&st, buf, sizeof(buf));
		assert_non_null(strstr(buf, cases[i].line));
	}
}

/* A zombie has dropped its mm: Linux prints no Vm*, Rss*, HugetlbPages, CoreDumping or THP_enabled line. */
static void test_status_zombie_without_mm(void **state)
{
	struct proc_status st = typical_status;
	char buf[1024];
	const char *nstgid_to_threads = "NSsid:\t0\nThreads:\t1\n";

	(void)state;
	st.state = 'Z';
	st.has_mm = 0;
	procfs_status(&st, buf, sizeof(buf));
	assert_non_null(strstr(buf, "State:\tZ (zombie)\n"));
	assert_non_null(strstr(buf, nstgid_to_threads));
	assert_null(strstr(buf, "Vm"));
	assert_null(strstr(buf, "Rss"));
	assert_null(strstr(buf, "CoreDumping"));
	assert_null(strstr(buf, "THP_enabled"));
	assert_non_null(strstr(buf, "\nnonvoluntary_ctxt_switches:\t0\n"));
}

static void test_status_rounding_and_widths(void **state)
{
	struct proc_status st = typical_status;
	char buf[1024];

	(void)state;
	st.vm_exe = 5000;	     /* 4 kB: bytes >> 10 */
	st.vm_stk = 1023;	     /* 0 kB */
	st.vm_size = 1ULL << 47;     /* 128 TiB: 137438953472 kB, wider than 8 */
	st.vm_peak = 99999999 * KiB; /* exactly 8 digits */
	st.threads = 3;
	st.pid = 2147483647;
	procfs_status(&st, buf, sizeof(buf));
	assert_non_null(strstr(buf, "\nVmExe:\t       4 kB\n"));
	assert_non_null(strstr(buf, "\nVmStk:\t       0 kB\n"));
	assert_non_null(strstr(buf, "\nVmSize:\t137438953472 kB\n"));
	assert_non_null(strstr(buf, "\nVmPeak:\t99999999 kB\n"));
	assert_non_null(strstr(buf, "\nThreads:\t3\n"));
	assert_non_null(strstr(buf, "\nTgid:\t2147483647\nNgid:\t0\nPid:\t2147483647\nPPid:\t0\n"));
}

/* ------------------------------------------------------------------ */
/* Truncation: every buffer size, each in its own exact-size block.   */

enum which { MAPS, PMAP, STATUS };

static size_t render(enum which w, char *buf, size_t size, size_t *calls)
{
	struct hand *l = typical();
	struct usage_table t = { l, typical_usage, 0 };
	size_t n;

	switch (w) {
	case MAPS:
		return procfs_maps(T(l), buf, size);
	case PMAP:
		n = procfs_pmap_x(T(l), 5, "/hello", table_usage, &t, buf, size);
		*calls = t.calls;
		return n;
	case STATUS:
	default:
		return procfs_status(&typical_status, buf, size);
	}
}

static void check_truncation(enum which w, const char *full)
{
	size_t len = strlen(full), calls = 0;

	assert_int_equal(render(w, NULL, 0, &calls), len);
	for (size_t size = 1; size <= len + 2; size++) {
		char *buf = malloc(size); /* ASan catches a byte past size */
		size_t keep = size - 1 < len ? size - 1 : len;

		assert_non_null(buf);
		memset(buf, 'Z', size);
		calls = 0;
		assert_int_equal(render(w, buf, size, &calls), len);
		assert_int_equal(buf[keep], '\0');
		assert_memory_equal(buf, full, keep);
		if (w == PMAP)
			assert_int_equal(calls, typical()->n); /* the callback runs whatever the size */
		free(buf);
	}
}

static void test_truncation_maps(void **state)
{
	(void)state;
	check_truncation(MAPS, typical_maps);
}

static void test_truncation_pmap(void **state)
{
	(void)state;
	check_truncation(PMAP, typical_pmap);
}

static void test_truncation_status(void **state)
{
	(void)state;
	check_truncation(STATUS, typical_status_text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_maps_typical),
		cmocka_unit_test(test_maps_real_linux_lines),
		cmocka_unit_test(test_maps_huge_addresses),
		cmocka_unit_test(test_maps_perms_and_offsets),
		cmocka_unit_test(test_maps_path_escape),
		cmocka_unit_test(test_maps_unterminated_name),
		cmocka_unit_test(test_maps_empty),
		cmocka_unit_test(test_maps_128_areas),
		cmocka_unit_test(test_pmap_typical),
		cmocka_unit_test(test_pmap_real_lines),
		cmocka_unit_test(test_pmap_seed_total),
		cmocka_unit_test(test_pmap_names),
		cmocka_unit_test(test_pmap_rounding_and_widths),
		cmocka_unit_test(test_pmap_empty),
		cmocka_unit_test(test_pmap_pieces),
		cmocka_unit_test(test_pmap_128_areas),
		cmocka_unit_test(test_status_typical),
		cmocka_unit_test(test_status_real_widths),
		cmocka_unit_test(test_status_name),
		cmocka_unit_test(test_status_states),
		cmocka_unit_test(test_status_zombie_without_mm),
		cmocka_unit_test(test_status_rounding_and_widths),
		cmocka_unit_test(test_truncation_maps),
		cmocka_unit_test(test_truncation_pmap),
		cmocka_unit_test(test_truncation_status),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
