/* SPDX-License-Identifier: MIT */
/*
 * test_fmt.c - kvsnprintf/ksnprintf (core/lib/fmt.c) against the host C
 * library's vsnprintf, over generated and hand-written format strings.
 *
 * Only combinations whose result C11 7.21.6.1 defines are compared with the
 * host libc ('#' only with o x X, '0' only with integer conversions, no
 * precision on %c and %p, ...). Where Atlas deliberately differs from glibc
 * the test checks Atlas's own documented result instead:
 *   - %s with NULL prints "(null)" cut by the precision like any string
 *     (glibc prints "" when the precision is below 6);
 *   - %p is %#lx: NULL prints "0" (glibc "(nil)");
 *   - an unknown conversion prints itself and consumes no argument;
 *   - a '%' at the very end of the format ends the output.
 */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <cmocka.h>

#include "kprintf.h"

/* ------------------------------------------------------------------ */
/* Calling both implementations with identical argument lists.        */

typedef int (*call_fn)(char *buf, size_t size, const char *fmt, ...);

/*
 * Atlas's ksnprintf and the C library's snprintf, called through pointers:
 * without their format attributes, since the formats below are built at run
 * time or are odd on purpose.
 */
static const call_fn atlas_call = ksnprintf;
static const call_fn libc_call = snprintf;

/* The C type the conversion's argument has. */
enum atype { T_NONE, T_INT, T_UINT, T_LONG, T_ULONG, T_LLONG, T_ULLONG, T_CHARI, T_STR, T_PTR };

struct fcase {
	const char *fmt;
	int nstar; /* number of '*' int arguments before the value */
	int star[2];
	enum atype type;
	int64_t i; /* integer value (converted to the argument type) */
	const char *s;
	const void *p;
};

#define CALL_STARS(fn, b, n, c, val)                               \
	((c)->nstar == 0 ? fn(b, n, (c)->fmt, val) :               \
	 (c)->nstar == 1 ? fn(b, n, (c)->fmt, (c)->star[0], val) : \
			   fn(b, n, (c)->fmt, (c)->star[0], (c)->star[1], val))

static int run_case(call_fn fn, char *buf, size_t size, const struct fcase *c)
{
	switch (c->type) {
	case T_NONE:
		return c->nstar == 0 ? fn(buf, size, c->fmt) : fn(buf, size, c->fmt, c->star[0]);
	case T_INT:
	case T_CHARI:
		return CALL_STARS(fn, buf, size, c, (int)c->i);
	case T_UINT:
		return CALL_STARS(fn, buf, size, c, (unsigned)c->i);
	case T_LONG:
		return CALL_STARS(fn, buf, size, c, (long)c->i);
	case T_ULONG:
		return CALL_STARS(fn, buf, size, c, (unsigned long)c->i);
	case T_LLONG:
		return CALL_STARS(fn, buf, size, c, (long long)c->i);
	case T_ULLONG:
		return CALL_STARS(fn, buf, size, c, (unsigned long long)c->i);
	case T_STR:
		return CALL_STARS(fn, buf, size, c, c->s);
	case T_PTR:
		return CALL_STARS(fn, buf, size, c, c->p);
	}
	return -1;
}

static void describe(const struct fcase *c, char *out, size_t n)
{
	char stars[40] = "";

	if (c->nstar == 1)
		snprintf(stars, sizeof(stars), " *=%d", c->star[0]);
	else if (c->nstar == 2)
		snprintf(stars, sizeof(stars), " *=%d,%d", c->star[0], c->star[1]);
	switch (c->type) {
	case T_STR:
		snprintf(out, n, "fmt \"%s\"%s s=\"%s\"", c->fmt, stars, c->s ? c->s : "NULL");
		break;
	case T_PTR:
		snprintf(out, n, "fmt \"%s\"%s p=%p", c->fmt, stars, c->p);
		break;
	default:
		snprintf(out, n, "fmt \"%s\"%s v=%lld (type %d)", c->fmt, stars, (long long)c->i, (int)c->type);
		break;
	}
}

#define BIG 512
#define CANARY 0xA5

static int failures;

static void report(const struct fcase *c, const char *what, size_t size, const char *got, int gn, const char *want,
		   int wn)
{
	char d[200];

	if (failures++ >= 20)
		return;
	describe(c, d, sizeof(d));
	print_error("%s: %s size=%zu: atlas \"%s\" (%d), libc \"%s\" (%d)\n", what, d, size, got, gn, want, wn);
}

/*
 * Compare one case with a roomy buffer; with truncate, also with every size
 * from 0 to the full length + 1, checking that Atlas writes nothing past
 * size and always terminates.
 */
static void compare_case(const struct fcase *c, int truncate)
{
	char a[BIG + 16], b[BIG + 16];
	int na, nb;

	memset(a, CANARY, sizeof(a));
	memset(b, CANARY, sizeof(b));
	na = run_case(atlas_call, a, BIG, c);
	nb = run_case(libc_call, b, BIG, c);
	if (na != nb || nb < 0 || nb >= BIG || memcmp(a, b, (size_t)nb + 1) != 0) {
		report(c, "full", BIG, a, na, b, nb);
		return;
	}
	/* Nothing written after the terminator either. */
	for (size_t i = (size_t)nb + 1; i < (size_t)nb + 9 && i < sizeof(a); i++) {
		if ((unsigned char)a[i] != CANARY) {
			report(c, "wrote-past-nul", BIG, a, na, b, nb);
			return;
		}
	}
	if (!truncate)
		return;
	/* size 0 with a NULL buffer: nothing written, full length returned. */
	na = run_case(atlas_call, NULL, 0, c);
	if (na != nb) {
		report(c, "NULL,0", 0, "", na, b, nb);
		return;
	}
	for (size_t size = 0; size <= (size_t)nb + 1; size++) {
		char t[BIG + 16];

		memset(t, CANARY, sizeof(t));
		na = run_case(atlas_call, t, size, c);
		if (na != nb) {
			report(c, "trunc-ret", size, t, na, b, nb);
			return;
		}
		if (size == 0) {
			if ((unsigned char)t[0] != CANARY)
				report(c, "size0-wrote", size, "", na, b, nb);
			continue;
		}
		size_t keep = size - 1 < (size_t)nb ? size - 1 : (size_t)nb;
		if (memcmp(t, b, keep) != 0 || t[keep] != 0) {
			report(c, "trunc-content", size, t, na, b, nb);
			return;
		}
		for (size_t i = size; i < size + 8; i++) {
			if ((unsigned char)t[i] != CANARY) {
				report(c, "trunc-overrun", size, t, na, b, nb);
				return;
			}
		}
	}
}

/* ------------------------------------------------------------------ */
/* Generated integer cases.                                           */

static const int64_t int_values[] = {
	0,
	1,
	-1,
	7,
	8,
	-8,
	42,
	-42,
	99,
	100,
	127,
	128,
	-128,
	-129,
	255,
	256,
	4095,
	32767,
	-32768,
	65535,
	65536,
	0x12345678,
	INT32_MAX,
	INT32_MIN,
	(int64_t)UINT32_MAX,
	0x123456789LL,
	-0x123456789LL,
	0x7fffffffffffLL,
	1000000000000000000LL,
	INT64_MAX,
	INT64_MIN,
	INT64_MIN + 1,
	-2,
	(int64_t)0x8000000000000000ULL >> 1,
};

/* Subsets of "-0+ #" in a fixed order; bit i selects flag i. */
static const char flag_chars[] = "-0+ #";

static void build_flags(char *out, unsigned mask)
{
	for (int i = 0; i < 5; i++)
		if (mask & (1u << i))
			*out++ = flag_chars[i];
	*out = 0;
}

static const char *const widths[] = { "", "1", "2", "6", "24" };
static const char *const precs[] = { "", ".", ".0", ".1", ".3", ".6", ".22" };

struct lenmod {
	const char *s;
	enum atype sig, uns;
};

static const struct lenmod lens[] = {
	{ "hh", T_INT, T_UINT },     { "h", T_INT, T_UINT },   { "", T_INT, T_UINT },	 { "l", T_LONG, T_ULONG },
	{ "ll", T_LLONG, T_ULLONG }, { "z", T_LONG, T_ULONG }, { "t", T_LONG, T_ULONG }, { "j", T_LONG, T_ULONG },
};

/*
 * conv: one of d i u o x X. Every flag subset that C defines for it, every
 * width, precision, length modifier and value. Returns the case count.
 */
static long gen_int_conv(char conv, int trunc_every)
{
	int is_signed = conv == 'd' || conv == 'i';
	int alt_ok = conv == 'o' || conv == 'x' || conv == 'X';
	long count = 0;

	for (unsigned fm = 0; fm < 32; fm++) {
		char flags[8];

		if ((fm & 16) && !alt_ok)
			continue; /* '#' is undefined for d i u */
		build_flags(flags, fm);
		for (size_t wi = 0; wi < sizeof(widths) / sizeof(widths[0]); wi++) {
			for (size_t pi = 0; pi < sizeof(precs) / sizeof(precs[0]); pi++) {
				for (size_t li = 0; li < sizeof(lens) / sizeof(lens[0]); li++) {
					char fmt[40];
					struct fcase c = { 0 };

					snprintf(fmt, sizeof(fmt), "[%%%s%s%s%s%c]", flags, widths[wi], precs[pi],
						 lens[li].s, conv);
					c.fmt = fmt;
					c.type = is_signed ? lens[li].sig : lens[li].uns;
					for (size_t vi = 0; vi < sizeof(int_values) / sizeof(int_values[0]); vi++) {
						c.i = int_values[vi];
						compare_case(&c, trunc_every && count % trunc_every == 0);
						count++;
					}
				}
			}
		}
	}
	return count;
}

static void test_int_d(void **state)
{
	(void)state;
	failures = 0;
	assert_true(gen_int_conv('d', 97) > 10000);
	assert_int_equal(failures, 0);
}

static void test_int_i(void **state)
{
	(void)state;
	failures = 0;
	assert_true(gen_int_conv('i', 0) > 10000);
	assert_int_equal(failures, 0);
}

static void test_int_u(void **state)
{
	(void)state;
	failures = 0;
	assert_true(gen_int_conv('u', 97) > 10000);
	assert_int_equal(failures, 0);
}

static void test_int_x(void **state)
{
	(void)state;
	failures = 0;
	assert_true(gen_int_conv('x', 97) > 10000);
	assert_int_equal(failures, 0);
}

static void test_int_X(void **state)
{
	(void)state;
	failures = 0;
	assert_true(gen_int_conv('X', 0) > 10000);
	assert_int_equal(failures, 0);
}

static void test_int_o(void **state)
{
	(void)state;
	failures = 0;
	assert_true(gen_int_conv('o', 97) > 10000);
	assert_int_equal(failures, 0);
}

/* '*' for width and precision, including negative values. */
static void test_star(void **state)
{
	static const char *const fmts[] = {
		"%*d", "%-*d", "%0*d", "%+*d", "% *d", "%*x", "%#*x", "%0*X", "%#0*o", "%*u", "%*lld", "%*hhd",
	};
	static const char *const pfmts[] = {
		"%.*d", "%.*x", "%#.*o", "%#.*x", "%0.*d", "%+.*lld", "%.*zu", "%08.*d", "%-8.*d", "%.*hu",
	};
	static const char *const wpfmts[] = {
		"%*.*d", "%-*.*d", "%0*.*d", "%#*.*x", "%#*.*o", "%+*.*ld", "% *.*i", "%*.*X",
	};
	static const int wvals[] = { -30, -5, -1, 0, 1, 3, 9, 40 };
	static const int pvals[] = { INT_MIN, -7, -1, 0, 1, 2, 5, 21 };
	static const int64_t vals[] = { 0, 1, -1, 42, -42, 0x1234, INT32_MIN, INT32_MAX, INT64_MIN, INT64_MAX };
	long n = 0;

	(void)state;
	failures = 0;
	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		for (size_t w = 0; w < sizeof(wvals) / sizeof(wvals[0]); w++) {
			for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
				struct fcase c = { .fmt = fmts[f], .nstar = 1, .star = { wvals[w] }, .i = vals[v] };
				c.type = strstr(fmts[f], "ll") ? T_LLONG : T_INT;
				compare_case(&c, n++ % 7 == 0);
			}
		}
	}
	for (size_t f = 0; f < sizeof(pfmts) / sizeof(pfmts[0]); f++) {
		for (size_t p = 0; p < sizeof(pvals) / sizeof(pvals[0]); p++) {
			for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
				struct fcase c = { .fmt = pfmts[f], .nstar = 1, .star = { pvals[p] }, .i = vals[v] };
				c.type = strstr(pfmts[f], "ll") ? T_LLONG : strstr(pfmts[f], "z") ? T_ULONG : T_INT;
				compare_case(&c, n++ % 7 == 0);
			}
		}
	}
	for (size_t f = 0; f < sizeof(wpfmts) / sizeof(wpfmts[0]); f++) {
		for (size_t w = 0; w < sizeof(wvals) / sizeof(wvals[0]); w++) {
			for (size_t p = 0; p < sizeof(pvals) / sizeof(pvals[0]); p++) {
				for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
					struct fcase c = { .fmt = wpfmts[f],
							   .nstar = 2,
							   .star = { wvals[w], pvals[p] },
							   .i = vals[v] };
					c.type = strchr(wpfmts[f], 'l') ? T_LONG : T_INT;
					compare_case(&c, n++ % 11 == 0);
				}
			}
		}
	}
	/* %*s %.*s %*c */
	static const char *const strs[] = { "", "a", "hello", "hello, world" };
	for (size_t w = 0; w < sizeof(wvals) / sizeof(wvals[0]); w++) {
		for (size_t s = 0; s < sizeof(strs) / sizeof(strs[0]); s++) {
			struct fcase c = {
				.fmt = "<%*s>", .nstar = 1, .star = { wvals[w] }, .type = T_STR, .s = strs[s]
			};
			compare_case(&c, 1);
			c.fmt = "<%-*s>";
			compare_case(&c, 1);
			c.fmt = "<%.*s>";
			c.star[0] = pvals[w % 8];
			compare_case(&c, 1);
		}
		struct fcase c = { .fmt = "<%*c>", .nstar = 1, .star = { wvals[w] }, .type = T_CHARI, .i = 'Q' };
		compare_case(&c, 1);
	}
	assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------------ */
/* %c %s %p %% and plain text.                                         */

static void test_char_string(void **state)
{
	static const char *const strs[] = {
		"",
		"a",
		"ab",
		"hello",
		"hello, world",
		"tab\there",
		"a rather long string that is longer than any width used in this table, 0123456789",
	};
	static const char *const sw[] = { "", "1", "5", "12", "40" };
	static const char *const sp[] = { "", ".", ".0", ".1", ".4", ".12", ".100" };
	static const int chars[] = { 'a', 'Z', ' ', '~', '%', 0x7f, 200, 0x141 };
	long n = 0;

	(void)state;
	failures = 0;
	for (int left = 0; left < 2; left++) {
		for (size_t w = 0; w < sizeof(sw) / sizeof(sw[0]); w++) {
			for (size_t p = 0; p < sizeof(sp) / sizeof(sp[0]); p++) {
				char fmt[32];
				snprintf(fmt, sizeof(fmt), "(%%%s%s%ss)", left ? "-" : "", sw[w], sp[p]);
				for (size_t s = 0; s < sizeof(strs) / sizeof(strs[0]); s++) {
					struct fcase c = { .fmt = fmt, .type = T_STR, .s = strs[s] };
					compare_case(&c, n++ % 3 == 0);
				}
			}
			char fmt[32];
			snprintf(fmt, sizeof(fmt), "(%%%s%sc)", left ? "-" : "", sw[w]);
			for (size_t ci = 0; ci < sizeof(chars) / sizeof(chars[0]); ci++) {
				struct fcase c = { .fmt = fmt, .type = T_CHARI, .i = chars[ci] };
				compare_case(&c, 1);
			}
		}
	}
	assert_int_equal(failures, 0);
}

static void test_char_nul(void **state)
{
	char a[16], b[16];
	int na, nb;

	(void)state;
	memset(a, 'x', sizeof(a));
	memset(b, 'x', sizeof(b));
	na = ksnprintf(a, sizeof(a), "A%cB%3c", 0, 0);
	nb = snprintf(b, sizeof(b), "A%cB%3c", 0, 0);
	assert_int_equal(na, 6);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, 7);
}

static void test_pointer(void **state)
{
	static const char *const fmts[] = { "%p", "[%p]", "%20p", "%-20p", "%1p", "%3p", "%-3p" };
	static const uintptr_t ptrs[] = {
		1,	     0xf, 0x1000, 0xdeadbeef, 0x7fffffffe000ULL, 0xffff800000000000ULL, 0xffffffff80001234ULL,
		UINTPTR_MAX,
	};

	(void)state;
	failures = 0;
	for (size_t f = 0; f < sizeof(fmts) / sizeof(fmts[0]); f++) {
		for (size_t p = 0; p < sizeof(ptrs) / sizeof(ptrs[0]); p++) {
			struct fcase c = { .fmt = fmts[f], .type = T_PTR, .p = (const void *)ptrs[p] };
			compare_case(&c, 1);
		}
	}
	assert_int_equal(failures, 0);

	/* Atlas-only: %p is %#lx, so NULL prints "0" (glibc prints "(nil)"). */
	char buf[32];
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%p", (void *)NULL), 1);
	assert_string_equal(buf, "0");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "[%4p|%-4p]", (void *)NULL, (void *)NULL), 11);
	assert_string_equal(buf, "[   0|0   ]");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%p", (void *)0xffffffff80000000ULL), 18);
	assert_string_equal(buf, "0xffffffff80000000");
}

/*
 * Mixed formats, literals, %%, many arguments. CMP lets the compiler check
 * the arguments; CMPX is for the well-defined combinations gcc warns about
 * anyway ("'0' flag ignored with '-' flag" and the like).
 */
#define CMP(...) CMP_WITH(ksnprintf, snprintf, __VA_ARGS__)
#define CMPX(...) CMP_WITH(atlas_call, libc_call, __VA_ARGS__)
#define CMP_WITH(kfn, lfn, ...)                                                                                    \
	do {                                                                                                       \
		char a_[BIG], b_[BIG];                                                                             \
		int na_ = kfn(a_, sizeof(a_), __VA_ARGS__);                                                        \
		int nb_ = lfn(b_, sizeof(b_), __VA_ARGS__);                                                        \
		if (na_ != nb_ || strcmp(a_, b_) != 0) {                                                           \
			print_error("line %d: atlas \"%s\" (%d), libc \"%s\" (%d)\n", __LINE__, a_, na_, b_, nb_); \
			failures++;                                                                                \
		}                                                                                                  \
		for (size_t sz_ = 0; sz_ <= (size_t)nb_ + 1 && nb_ >= 0 && nb_ < BIG; sz_++) {                     \
			char t_[BIG + 8];                                                                          \
			memset(t_, CANARY, sizeof(t_));                                                            \
			na_ = kfn(t_, sz_, __VA_ARGS__);                                                           \
			size_t k_ = sz_ ? (sz_ - 1 < (size_t)nb_ ? sz_ - 1 : (size_t)nb_) : 0;                     \
			if (na_ != nb_ || (sz_ && (memcmp(t_, b_, k_) || t_[k_])) ||                               \
			    (unsigned char)t_[sz_] != CANARY) {                                                    \
				print_error("line %d: truncation to %zu wrong\n", __LINE__, sz_);                  \
				failures++;                                                                        \
				break;                                                                             \
			}                                                                                          \
		}                                                                                                  \
	} while (0)

static void test_mixed(void **state)
{
	(void)state;
	failures = 0;
	CMP("%s", "");
	CMP("plain text, no conversions");
	CMP("100%% sure, %d%%", 99);
	CMP("%%%%%%");
	CMP("%d %i %u %x %X %o %c %s %p %%", -1, 2, 3u, 0xabcu, 0xabcu, 8u, 'z', "str", (void *)0x1234);
	CMP("%5d|%-5d|%05d|%+5d|% 5d|%+05d|% 05d", 42, 42, 42, 42, 42, 42, 42);
	CMP("%5d|%-5d|%05d|%+5d|% 5d|%+05d|% 05d", -42, -42, -42, -42, -42, -42, -42);
	CMPX("%-05d|%-+05d|%0-5d|%-08.3d", 42, 42, 42, -7);
	CMPX("%+ d|% +d|%+ d", 5, 5, -5);
	CMP("%#x|%#X|%#o|%#x|%#o|%#5o|%#05o|%#-6o|%#.0o|%#.0x", 255u, 255u, 8u, 0u, 0u, 8u, 8u, 8u, 0u, 0u);
	CMPX("%#08x|%#-8x|%#.4x|%#8.4x|%#08.4x|%#3x", 0x2au, 0x2au, 0x2au, 0x2au, 0x2au, 0x2au);
	CMP("%#o|%#.3o|%#.2o|%#4o|%#04o", 1u, 8u, 8u, 0u, 0u);
	CMP("%.0d|%.0u|%.0x|%.0o|%5.0d|%-5.0d|%+.0d|% .0d|[%.d]", 0, 0u, 0u, 0u, 0, 0, 0, 0, 0);
	CMP("%lld %llu %llx %llo", (long long)INT64_MIN, (unsigned long long)UINT64_MAX, (unsigned long long)UINT64_MAX,
	    (unsigned long long)UINT64_MAX);
	CMP("%ld %lu %lx %lX", (long)INT64_MIN, (unsigned long)UINT64_MAX, (unsigned long)UINT64_MAX,
	    (unsigned long)0xDEADBEEFCAFEULL);
	CMP("%zu %zd %zx %td %jd %ju", (size_t)SIZE_MAX, (ssize_t)-3, (size_t)0x1000, (ptrdiff_t)-77,
	    (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX);
	CMP("%hhd %hhu %hhx %hd %hu %hx", (signed char)-128, (unsigned char)255, (unsigned char)0xab, (short)-32768,
	    (unsigned short)65535, (unsigned short)0xbeef);
	CMP("%d %d %d %d %d %d %d %d %d %d %d %d", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
	CMP("%lld %d %lld %d %lld %s %lld", 1LL << 40, -1, -(1LL << 40), 7, (long long)INT64_MAX, "x",
	    (long long)INT64_MIN);
	CMP("%s=%-10s|%10s|%.2s|%-6.3s|", "key", "value", "right", "cut", "abcdef");
	CMP("%c%c%c%5c%-5c|", 'a', 'b', 'c', 'd', 'e');
	CMP("%*d|%-*d|%.*d|%*.*d|%*s|", 6, 1, 6, 2, 4, 3, 8, 3, 4, 5, "s");
	CMP("%*d|%*d|%.*d|%.*s|", -6, 1, 0, 2, -1, 3, -3, "abcdef");
	CMPX("%0*d|%0*.*d|%-0*d", 7, -5, 7, 3, -5, 7, 5);
	CMP("%600d|", 1);
	CMP("%.300d|", -1);
	CMP("%-300s|%300s|", "left", "right");
	CMP("%d%s%c%x%%%o", 12345, "--", '*', 0xfeedu, 0777u);
	assert_int_equal(failures, 0);
}

/* Truncation: every buffer size, return value = full length, always terminated. */
static void test_truncation(void **state)
{
	char buf[64];

	(void)state;
	failures = 0;
	CMP("hello, world %d", 12345);
	CMP("%s", "0123456789abcdef0123456789abcdef");
	CMP("%20d|%-20x|", -99, 0xabcdu);
	CMP("%#.30llo", (unsigned long long)UINT64_MAX);
	CMP("%lld|%llu", (long long)INT64_MIN, (unsigned long long)UINT64_MAX);
	assert_int_equal(failures, 0);

	/* size 0: nothing written, full length returned; NULL is fine then. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(ksnprintf(buf, 0, "%s %d", "abc", 12345), 9);
	assert_int_equal(buf[0], 'x');
	assert_int_equal(ksnprintf(NULL, 0, "%020d", 1), 20);
	assert_int_equal(atlas_call(NULL, 0, ""), 0);

	/* size 1: only the terminator. */
	assert_int_equal(ksnprintf(buf, 1, "%s", "abc"), 3);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[1], 'x');

	/* Exactly fitting and one short. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(ksnprintf(buf, 6, "%05d", 123), 5);
	assert_string_equal(buf, "00123");
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(ksnprintf(buf, 5, "%05d", 123), 5);
	assert_string_equal(buf, "0012");
	assert_int_equal(buf[5], 'x');

	/* Empty output still terminates. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%s", ""), 0);
	assert_int_equal(buf[0], 0);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%.0d", 0), 0);
	assert_int_equal(buf[0], 0);
}

/* A va_list passed on is consumed correctly (kvsnprintf called twice via va_copy). */
static int twice(char *a, char *b, size_t n, const char *fmt, ...)
{
	va_list ap, ap2;
	int r1, r2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	r1 = kvsnprintf(a, n, fmt, ap);
	r2 = vsnprintf(b, n, fmt, ap2);
	va_end(ap2);
	va_end(ap);
	return r1 == r2 ? r1 : -1000;
}

static void test_va_list(void **state)
{
	char a[128], b[128];

	(void)state;
	assert_int_equal(twice(a, b, sizeof(a), "%d-%s-%lld-%c-%x", 7, "seven", -7LL, '7', 7u), 14);
	assert_string_equal(a, b);
	assert_string_equal(a, "7-seven--7-7-7");
}

/* ------------------------------------------------------------------ */
/* Atlas-only behaviour.                                              */

static void test_null_string(void **state)
{
	char buf[64];
	/* Hidden from gcc, which would rightly warn about a NULL %s argument. */
	const char *volatile null = NULL;

	(void)state;
	assert_int_equal(ksnprintf(buf, sizeof(buf), "%s", null), 6);
	assert_string_equal(buf, "(null)");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "[%10s]", null), 12);
	assert_string_equal(buf, "[    (null)]");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "[%-8s]", null), 10);
	assert_string_equal(buf, "[(null)  ]");
	/* The precision cuts "(null)" like any other string. */
	assert_int_equal(ksnprintf(buf, sizeof(buf), "[%.3s]", null), 5);
	assert_string_equal(buf, "[(nu]");
	assert_int_equal(ksnprintf(buf, sizeof(buf), "[%.0s]", null), 2);
	assert_string_equal(buf, "[]");
	/* Truncated. */
	assert_int_equal(ksnprintf(buf, 4, "%s", null), 6);
	assert_string_equal(buf, "(nu");
}

static void test_unknown_and_trailing(void **state)
{
	char buf[64];
	const char *volatile fmt;

	(void)state;
	/* Unknown conversions print themselves and consume no argument. */
	fmt = "%y %d";
	assert_int_equal(atlas_call(buf, sizeof(buf), fmt, 5), 4);
	assert_string_equal(buf, "%y 5");
	/* %n is not supported: it must never write through the argument. */
	int target = 1234;
	fmt = "ab%ncd";
	assert_int_equal(atlas_call(buf, sizeof(buf), fmt, &target), 6);
	assert_string_equal(buf, "ab%ncd");
	assert_int_equal(target, 1234);
	/* A lone '%' at the end (even after flags, width, length) ends the output. */
	fmt = "abc%";
	assert_int_equal(atlas_call(buf, sizeof(buf), fmt, 0), 3);
	assert_string_equal(buf, "abc");
	fmt = "abc%-08.3ll";
	assert_int_equal(atlas_call(buf, sizeof(buf), fmt, 0), 3);
	assert_string_equal(buf, "abc");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_d),
		cmocka_unit_test(test_int_i),
		cmocka_unit_test(test_int_u),
		cmocka_unit_test(test_int_x),
		cmocka_unit_test(test_int_X),
		cmocka_unit_test(test_int_o),
		cmocka_unit_test(test_star),
		cmocka_unit_test(test_char_string),
		cmocka_unit_test(test_char_nul),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_va_list),
		cmocka_unit_test(test_null_string),
		cmocka_unit_test(test_unknown_and_trailing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
