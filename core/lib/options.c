/* SPDX-License-Identifier: MIT */
/*
 * options.c - read Atlas's key=value options (see options.h): split the text
 * into words, strip quotes, and hand each value to its key
 * (core/lib/optkeys.c), with one warning per problem.
 *
 * Built into the kernel, efi/ and the host tests: no libc, no allocation.
 * The text is not NUL-terminated and may hold any bytes, so every access is
 * bounded by len, and any byte shown in a warning is escaped first.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kprintf.h"
#include "kstring.h"
#include "options.h"

#define MSG_MAX 400   /* one warning line */
#define SHOW_WORD 48  /* longest word quoted in a warning, "..." included */
#define SHOW_VALUE 40 /* longest current value quoted in a warning */
/* No value may be longer than the longest one that can be stored (tests). */
#define VALUE_MAX (OPT_TESTS_MAX - 1)

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_eol(char c)
{
	return c == '\r' || c == '\n';
}

/* A word as found in the text: raw bytes, quotes still in. */
struct word {
	const char *p;
	size_t n;
	size_t eq; /* offset of the first '=' outside quotes */
	bool has_eq;
	bool unterminated; /* a '"' opened and the line or text ended */
};

struct parser {
	struct options *o;
	const char *source;
	opt_warn_fn warn;
	void *ctx;
	int warnings;
};

static void warnf(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warnf(struct parser *ps, const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	ps->warnings++;
	if (ps->warn)
		ps->warn(ps->ctx, msg);
}

/* Handle one word; skip_first is set for the first word when the caller asked to skip it. */
static void apply_word(struct parser *ps, const struct word *w, bool skip_first)
{
	char shown[SHOW_WORD], cur[SHOW_VALUE], list[192];
	char val[VALUE_MAX];
	const struct opt_key *k;
	size_t n = 0;
	bool too_long = false;

	if (skip_first && !w->has_eq && !w->unterminated)
		return; /* the program name, from the UEFI shell */
	opt_show_bytes(shown, sizeof(shown), w->p, w->n);
	k = w->has_eq ? opt_key_find(w->p, w->eq) : NULL;
	if (w->unterminated) {
		if (k) {
			opt_key_show(ps->o, k, cur, sizeof(cur));
			warnf(ps, "%s: unterminated quote in value of %s: '%s'; keeping '%s'", ps->source, k->name,
			      shown, cur);
		} else {
			warnf(ps, "%s: unterminated quote in '%s'; ignored", ps->source, shown);
		}
		return;
	}
	if (!w->has_eq || !k) {
		opt_keys_list(list, sizeof(list));
		if (!w->has_eq)
			warnf(ps, "%s: '%s' is not key=value (known: %s); ignored", ps->source, shown, list);
		else
			warnf(ps, "%s: unknown option '%s' (known: %s); ignored", ps->source, shown, list);
		return;
	}
	/* The value without its quotes; a value cannot contain a '"' itself. */
	for (size_t i = w->eq + 1; i < w->n; i++) {
		if (w->p[i] == '"')
			continue;
		if (n == sizeof(val)) {
			too_long = true;
			break;
		}
		val[n++] = w->p[i];
	}
	if (too_long) {
		opt_key_show(ps->o, k, cur, sizeof(cur));
		warnf(ps, "%s: bad value '%s' for %s (longer than %d characters; expected %s); keeping '%s'",
		      ps->source, shown, k->name, VALUE_MAX, k->expected, cur);
	} else if (!opt_key_parse(ps->o, k, val, n)) {
		opt_key_show(ps->o, k, cur, sizeof(cur));
		warnf(ps, "%s: bad value '%s' for %s (expected %s); keeping '%s'", ps->source, shown, k->name,
		      k->expected, cur);
	}
}

int options_parse(struct options *o, const char *text, size_t len, const char *source, int skip_first_word,
		  opt_warn_fn warn, void *ctx)
{
	struct parser ps = { o, source ? source : "options", warn, ctx, 0 };
	bool first = true;
	size_t i = 0;

	/* A UTF-8 byte order mark, as some editors write at the start of a file. */
	if (len >= 3 && (unsigned char)text[0] == 0xef && (unsigned char)text[1] == 0xbb &&
	    (unsigned char)text[2] == 0xbf)
		i = 3;
	while (i < len) {
		struct word w = { 0 };
		bool quoted = false;
		size_t start;

		if (is_blank(text[i])) {
			i++;
			continue;
		}
		if (text[i] == '#') {
			while (i < len && !is_eol(text[i]))
				i++;
			continue;
		}
		/*
		 * A word runs to the next blank outside quotes. A quote does not
		 * cross a line end, so one missing '"' in atlas.cfg costs one line,
		 * not the rest of the file.
		 */
		start = i;
		for (; i < len; i++) {
			char c = text[i];

			if (quoted) {
				if (c == '"')
					quoted = false;
				else if (is_eol(c))
					break;
			} else if (c == '"') {
				quoted = true;
			} else if (is_blank(c)) {
				break;
			} else if (c == '=' && !w.has_eq) {
				w.eq = i - start;
				w.has_eq = true;
			}
		}
		w.p = text + start;
		w.n = i - start;
		w.unterminated = quoted;
		apply_word(&ps, &w, first && skip_first_word);
		first = false;
	}
	return ps.warnings;
}
