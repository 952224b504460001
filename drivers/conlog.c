/* SPDX-License-Identifier: MIT */
/*
 * conlog.c - the console log (see conlog.h).
 *
 * Positions are byte counts since setup (64-bit, never wrap in practice), so
 * "is line n still intact" is one comparison: its start is not older than
 * head - text_cap. Line n starts at starts[n % max_lines] and ends where line
 * n + 1 starts (or at head for the unfinished line).
 */
#include "conlog.h"

#include "kstring.h"

static struct {
	char *text;
	size_t cap;
	uint64_t *starts;
	size_t max;
	uint64_t head;	      /* bytes written */
	uint64_t first, next; /* lines [first, next) are complete; next is the unfinished one */
	int ready;
} lg;

void conlog_setup(char *text, size_t text_cap, uint64_t *starts, size_t max_lines)
{
	memset(&lg, 0, sizeof(lg));
	if (!text || !text_cap || !starts || max_lines < 2)
		return;
	lg.text = text;
	lg.cap = text_cap;
	lg.starts = starts;
	lg.max = max_lines;
	lg.starts[0] = 0;
	lg.ready = 1;
}

int conlog_ready(void)
{
	return lg.ready;
}

static uint64_t start_of(uint64_t n)
{
	return lg.starts[n % lg.max];
}

/* The oldest byte still in the ring. */
static uint64_t oldest(void)
{
	return lg.head > lg.cap ? lg.head - lg.cap : 0;
}

static void end_line(void)
{
	lg.next++;
	if (lg.next - lg.first + 1 > lg.max)
		lg.first++;
	lg.starts[lg.next % lg.max] = lg.head;
}

void conlog_write(const char *s, size_t n)
{
	if (!lg.ready)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			end_line();
			continue;
		}
		if (s[i] == '\r')
			continue;
		lg.text[lg.head % lg.cap] = s[i];
		lg.head++;
		while (lg.first < lg.next && start_of(lg.first) < oldest())
			lg.first++;
		/* One line longer than the whole ring keeps its end. */
		if (lg.first == lg.next && start_of(lg.next) < oldest())
			lg.starts[lg.next % lg.max] = oldest();
	}
}

uint64_t conlog_first(void)
{
	return lg.first;
}

uint64_t conlog_end(void)
{
	if (!lg.ready)
		return 0;
	return lg.next + (lg.head > start_of(lg.next));
}

long conlog_line(uint64_t n, char *buf, size_t size)
{
	uint64_t start, end;
	size_t len, copy;

	if (!lg.ready || n < lg.first || n >= conlog_end())
		return -1;
	start = start_of(n);
	end = n < lg.next ? start_of(n + 1) : lg.head;
	len = (size_t)(end - start);
	copy = size ? (len < size - 1 ? len : size - 1) : 0;
	for (size_t i = 0; i < copy; i++)
		buf[i] = lg.text[(start + i) % lg.cap];
	if (size)
		buf[copy] = 0;
	return (long)len;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Does line n contain pat (any case)? Compared in the ring, so lines of any length work. */
static int line_has(uint64_t n, const char *pat, size_t plen)
{
	uint64_t start = start_of(n), end = n < lg.next ? start_of(n + 1) : lg.head;

	for (uint64_t at = start; at + plen <= end; at++) {
		size_t j = 0;

		while (j < plen && lower(lg.text[(at + j) % lg.cap]) == lower(pat[j]))
			j++;
		if (j == plen)
			return 1;
	}
	return 0;
}

long long conlog_search(uint64_t from, int dir, const char *pat)
{
	size_t plen = strlen(pat);
	uint64_t end = conlog_end();

	if (!lg.ready || !plen)
		return -1;
	if (dir > 0) {
		for (uint64_t n = from < lg.first ? lg.first : from; n < end; n++)
			if (line_has(n, pat, plen))
				return (long long)n;
		return -1;
	}
	if (from >= end)
		from = end ? end - 1 : 0;
	for (uint64_t n = from + 1; n-- > lg.first;)
		if (line_has(n, pat, plen))
			return (long long)n;
	return -1;
}

uint64_t conlog_bytes_written(void)
{
	return lg.head;
}

size_t conlog_text_cap(void)
{
	return lg.cap;
}

size_t conlog_lines_cap(void)
{
	return lg.max;
}
