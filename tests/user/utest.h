/* SPDX-License-Identifier: MIT */
/*
 * utest.h - helpers shared by the ring-3 test programs in tests/user/.
 *
 * Not a program: tests/user/user.mk and tools/mkprogs.sh only pick up *.c.
 * Everything here is static inline so that a program that uses only part of
 * it still builds with -Wall -Wextra -Werror.
 *
 * Only system calls Atlas implements are used: output goes out with write(2)
 * straight away (no stdio buffer, so a line printed just before an expected
 * fault is not lost), and files are read with open/read/close (musl's stdio
 * would use readv, which Atlas does not have).
 */
#ifndef ATLAS_UTEST_H
#define ATLAS_UTEST_H

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* The program's name; tests/user/user.mk passes -DPROG='"NAME"'. */
#ifndef PROG
#define PROG "user"
#endif

#define KiB (1024UL)
#define MiB (1024UL * 1024UL)
#define PAGE 4096UL

/* Linux x86-64 arch_prctl codes (musl does not export them). */
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

/*
 * Raw system call: the kernel's own return value (-errno on failure); errno
 * and musl's wrappers are not involved.
 */
static inline long sys6(long n, long a1, long a2, long a3, long a4, long a5, long a6)
{
	long ret;
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sys0(n) sys6((n), 0, 0, 0, 0, 0, 0)
#define sys1(n, a) sys6((n), (long)(a), 0, 0, 0, 0, 0)
#define sys2(n, a, b) sys6((n), (long)(a), (long)(b), 0, 0, 0, 0)
#define sys3(n, a, b, c) sys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sys4(n, a, b, c, d) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define sys5(n, a, b, c, d, e) sys6((n), (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)

/*
 * Hide a pointer's value from the optimiser, so that a deliberately bad
 * access is compiled as written (GCC may otherwise turn a constant NULL
 * dereference into ud2, or drop a store to a const object).
 */
static inline void *hide(void *p)
{
	__asm__ volatile("" : "+r"(p));
	return p;
}

static inline uintptr_t hide_addr(uintptr_t a)
{
	__asm__ volatile("" : "+r"(a));
	return a;
}

static inline void put_raw(int fd, const char *s, size_t n)
{
	while (n > 0) {
		long r = sys3(SYS_write, fd, s, n);
		if (r <= 0)
			return;
		s += r;
		n -= (size_t)r;
	}
}

/* One line "PROG: ..." on fd 1, written at once. */
__attribute__((format(printf, 1, 2))) static inline void say(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n = snprintf(line, sizeof(line), "%s: ", PROG);

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	put_raw(1, line, (size_t)n);
}

/* "PROG: FAIL: ..." and exit status 1. */
__attribute__((format(printf, 1, 2), noreturn)) static inline void fail(const char *fmt, ...)
{
	char line[512];
	va_list ap;
	int n = snprintf(line, sizeof(line), "%s: FAIL: ", PROG);

	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	put_raw(1, line, (size_t)n);
	exit(1);
}

#define CHECK(cond, ...)                   \
	do {                               \
		if (!(cond))               \
			fail(__VA_ARGS__); \
	} while (0)

/* Reached only when an expected fault did not happen. */
#define NO_FAULT(what) fail("%s did not fault", (what))

/* True unless running on Linux (the host check): gates Atlas-only checks. */
static inline int on_atlas(void)
{
	struct utsname u;

	if (uname(&u) != 0)
		return 1;
	return strcmp(u.sysname, "Linux") != 0;
}

/* Read a whole (small) file into buf, NUL-terminated. Returns its length. */
static inline size_t read_file(const char *path, char *buf, size_t size)
{
	long fd = sys3(SYS_open, path, O_RDONLY, 0);
	size_t len = 0;

	CHECK(fd >= 0, "open(%s) returned %ld", path, fd);
	for (;;) {
		long r = sys3(SYS_read, fd, buf + len, size - 1 - len);
		CHECK(r >= 0, "read(%s) returned %ld", path, r);
		if (r == 0)
			break;
		len += (size_t)r;
		CHECK(len < size - 1, "%s is larger than %zu bytes", path, size - 1);
	}
	sys1(SYS_close, fd);
	buf[len] = '\0';
	return len;
}

/* One line of /proc/self/maps. */
struct map {
	uint64_t start, end;
	char perm[5]; /* "r-xp" */
	char name[128];
};

static inline int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Lower-case hex number at *p (at least one digit); advances *p. */
static inline int parse_hex(const char **p, uint64_t *v)
{
	const char *s = *p;

	*v = 0;
	if (hexval(*s) < 0)
		return -1;
	while (hexval(*s) >= 0)
		*v = *v * 16 + (uint64_t)hexval(*s++);
	*p = s;
	return 0;
}

/*
 * Parse one maps line "start-end perm offset major:minor inode   name"
 * (Linux's format; the name is optional). Returns 0, or -1 if malformed.
 */
static inline int parse_map_line(const char *line, struct map *m)
{
	const char *p = line;
	uint64_t v;
	size_t n = 0;

	memset(m, 0, sizeof(*m));
	if (parse_hex(&p, &m->start) || *p++ != '-' || parse_hex(&p, &m->end) || *p++ != ' ')
		return -1;
	for (int i = 0; i < 4; i++) {
		static const char ok[4][3] = { "r-", "w-", "x-", "ps" };
		if (*p == '\0' || !strchr(ok[i], *p))
			return -1;
		m->perm[i] = *p++;
	}
	if (*p++ != ' ' || parse_hex(&p, &v) || *p++ != ' ')
		return -1;
	if (parse_hex(&p, &v) || *p++ != ':' || parse_hex(&p, &v) || *p++ != ' ')
		return -1;
	if (*p < '0' || *p > '9')
		return -1;
	while (*p >= '0' && *p <= '9')
		p++;
	while (*p == ' ')
		p++;
	while (*p != '\0' && *p != '\n' && n < sizeof(m->name) - 1)
		m->name[n++] = *p++;
	m->name[n] = '\0';
	return m->start < m->end ? 0 : -1;
}

/* Next line of text at *cur into m; 0 at the end. Fails on a malformed line. */
static inline int next_map(const char **cur, struct map *m)
{
	const char *line = *cur;
	const char *nl;

	if (*line == '\0')
		return 0;
	nl = strchr(line, '\n');
	CHECK(nl != NULL, "maps line without newline: %.80s", line);
	CHECK(parse_map_line(line, m) == 0, "malformed maps line: %.*s", (int)(nl - line), line);
	*cur = nl + 1;
	return 1;
}

/* The maps line containing addr: 1 if found. */
static inline int map_of(const char *maps, uint64_t addr, struct map *m)
{
	const char *cur = maps;

	while (next_map(&cur, m))
		if (addr >= m->start && addr < m->end)
			return 1;
	return 0;
}

/* The first maps line named name: 1 if found. */
static inline int map_named(const char *maps, const char *name, struct map *m)
{
	const char *cur = maps;

	while (next_map(&cur, m))
		if (strcmp(m->name, name) == 0)
			return 1;
	return 0;
}

/* Total size of the lines named name (0 if none). */
static inline uint64_t map_size(const char *maps, const char *name)
{
	const char *cur = maps;
	struct map m;
	uint64_t total = 0;

	while (next_map(&cur, &m))
		if (strcmp(m.name, name) == 0)
			total += m.end - m.start;
	return total;
}

/* "Key:   1234 kB" of /proc/self/status, in kB. */
static inline long status_kb(const char *status, const char *key)
{
	size_t klen = strlen(key);
	const char *p = status;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 10);
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	fail("no %s line in /proc/self/status", key);
}

/* Nanoseconds of CLOCK_MONOTONIC. */
static inline int64_t now_ns(void)
{
	struct timespec ts;
	long r = sys2(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, &ts);

	CHECK(r == 0, "clock_gettime(CLOCK_MONOTONIC) returned %ld", r);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

#endif
