/* SPDX-License-Identifier: MIT */
/*
 * options.c - parse Atlas's key=value options (see options.h).
 *
 * Built into the kernel, efi/ and the host tests: no libc, no allocation.
 * The text is not NUL-terminated and may hold any bytes, so every access is
 * bounded by len, and any byte shown in a warning is escaped first.
 *
 * Adding a key: write a parse_KEY and a show_KEY, add one line to keys[].
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kprintf.h"
#include "kstring.h"
#include "options.h"

#define MSG_MAX 256   /* one warning line */
#define SHOW_WORD 48  /* longest word quoted in a warning, "..." included */
#define SHOW_VALUE 40 /* longest current value quoted in a warning */
/* No value may be longer than the longest one that can be stored (tests). */
#define VALUE_MAX (OPT_TESTS_MAX - 1)

static const char *const report_names[] = { "human", "json", "both" };
static const char *const finish_names[] = { "shutdown", "reboot", "halt", "exit", "monitor" };
static const char *const log_names[] = { "info", "debug" };
static const char *const selftest_names[] = { "none", "kstack", "null", "rodata" };
static const char *const onoff_names[] = { "off", "on" };
static const char *const gop_names[] = { "auto", "off", "list" };  /* enum gop_select up to GOP_SIZE */
static const char *const screen_names[] = { "layout", "console" }; /* enum screen_mode */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_eol(char c)
{
	return c == '\r' || c == '\n';
}

/* Does v[0..n) spell exactly the NUL-terminated s? */
static bool same(const char *v, size_t n, const char *s)
{
	return strlen(s) == n && memcmp(v, s, n) == 0;
}

/* Index of v[0..n) in names[], or -1. */
static int lookup(const char *const *names, size_t count, const char *v, size_t n)
{
	for (size_t i = 0; i < count; i++)
		if (same(v, n, names[i]))
			return (int)i;
	return -1;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
	       c == '-';
}

/*
 * Copy p[0..n) into dst[0..size) for a warning: printable ASCII as is, any
 * other byte as \xNN (so NULs and control bytes cannot cut or break the
 * line), and "..." at the end when it does not all fit. size must be > 4.
 */
static void show_bytes(char *dst, size_t size, const char *p, size_t n)
{
	size_t need = 0, room = size - 1, o = 0, i;

	/* Does everything fit? Stop counting as soon as it cannot. */
	for (i = 0; i < n && need <= room; i++)
		need += (p[i] >= 0x20 && p[i] < 0x7f) ? 1 : 4;
	if (need > room)
		room -= 3; /* leave space for "..." */
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c >= 0x20 && c < 0x7f) {
			if (o + 1 > room)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 > room)
				break;
			ksnprintf(dst + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	if (i < n) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = 0;
}

/*
 * Parsers get the value with its quotes removed, v[0..n) with n <= VALUE_MAX
 * (n is 0 for "key="). They change o only when they accept the value, and
 * return whether they did.
 */
static bool parse_report(struct options *o, const char *v, size_t n)
{
	int i = lookup(report_names, COUNT(report_names), v, n);

	if (i < 0)
		return false;
	o->report = (enum report_mode)i;
	return true;
}

/* "auto", "off" or "0x" and 1+ hex digits giving 0x1..0xffff. */
static bool parse_serial(struct options *o, const char *v, size_t n)
{
	uint32_t port = 0;

	if (same(v, n, "auto") || same(v, n, "off")) {
		o->serial = v[0] == 'a' ? SERIAL_AUTO : SERIAL_OFF;
		o->serial_port = 0;
		return true;
	}
	if (n < 3 || v[0] != '0' || v[1] != 'x')
		return false;
	for (size_t i = 2; i < n; i++) {
		int d = hex_digit(v[i]);

		if (d < 0)
			return false;
		port = port * 16 + (uint32_t)d;
		if (port > 0xffff) /* checked every digit, so it cannot wrap */
			return false;
	}
	if (port == 0)
		return false;
	o->serial = SERIAL_PORT;
	o->serial_port = (uint16_t)port;
	return true;
}

static bool parse_finish(struct options *o, const char *v, size_t n)
{
	int i = lookup(finish_names, COUNT(finish_names), v, n);

	if (i < 0)
		return false;
	o->on_finish = (enum on_finish)i;
	return true;
}

/* "all", "none", or NAME[,NAME]... with NAME of [A-Za-z0-9_.-]+. */
static bool parse_tests(struct options *o, const char *v, size_t n)
{
	size_t run = 0; /* length of the current NAME */

	if (n == 0 || n > VALUE_MAX)
		return false;
	/* "all" and "none" pass this check too. */
	for (size_t i = 0; i < n; i++) {
		if (v[i] == ',') {
			if (run == 0)
				return false;
			run = 0;
		} else if (is_name_char(v[i])) {
			run++;
		} else {
			return false;
		}
	}
	if (run == 0)
		return false;
	memset(o->tests, 0, sizeof(o->tests));
	memcpy(o->tests, v, n);
	return true;
}

static bool parse_log(struct options *o, const char *v, size_t n)
{
	int i = lookup(log_names, COUNT(log_names), v, n);

	if (i < 0)
		return false;
	o->log = (enum log_level)i;
	return true;
}

static bool parse_selftest(struct options *o, const char *v, size_t n)
{
	int i = lookup(selftest_names, COUNT(selftest_names), v, n);

	if (i < 0)
		return false;
	o->selftest = (enum selftest)i;
	return true;
}

static bool parse_bench(struct options *o, const char *v, size_t n)
{
	int i = lookup(onoff_names, COUNT(onoff_names), v, n);

	if (i < 0)
		return false;
	o->bench = i;
	return true;
}

static bool parse_screen(struct options *o, const char *v, size_t n)
{
	int i = lookup(screen_names, COUNT(screen_names), v, n);

	if (i < 0)
		return false;
	o->screen = (enum screen_mode)i;
	return true;
}

static bool parse_menu(struct options *o, const char *v, size_t n)
{
	int i = lookup(onoff_names, COUNT(onoff_names), v, n);

	if (i < 0)
		return false;
	o->menu = i;
	return true;
}

/* Seconds 0..OPT_MENU_TIMEOUT_MAX in decimal: no sign, no leading zeros (but "0" itself). */
static bool parse_menu_timeout(struct options *o, const char *v, size_t n)
{
	unsigned x = 0;

	if (n == 0 || (n > 1 && v[0] == '0'))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (unsigned)(v[i] - '0');
		if (x > OPT_MENU_TIMEOUT_MAX) /* checked every digit, so it cannot wrap */
			return false;
	}
	o->menu_timeout = x;
	return true;
}

/* watchdog=off or milliseconds 1..OPT_WATCHDOG_MAX_MS in decimal (no sign, no leading zero). */
static bool parse_watchdog(struct options *o, const char *v, size_t n)
{
	unsigned x = 0;

	if (n == 3 && !memcmp(v, "off", 3)) {
		o->watchdog_ms = 0;
		return true;
	}
	if (n == 0 || v[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (unsigned)(v[i] - '0');
		if (x > OPT_WATCHDOG_MAX_MS) /* checked every digit, so it cannot wrap */
			return false;
	}
	o->watchdog_ms = x;
	return true;
}

/* 0xVA[,0xVA]...: at most OPT_WALK_MAX 64-bit hex addresses. */
static bool parse_walk(struct options *o, const char *v, size_t n)
{
	uint64_t addr[OPT_WALK_MAX];
	unsigned count = 0;
	size_t i = 0;

	while (i < n) {
		uint64_t a = 0;
		size_t digits = 0;

		if (count == OPT_WALK_MAX || n - i < 3 || v[i] != '0' || v[i + 1] != 'x')
			return false;
		for (i += 2; i < n && v[i] != ','; i++, digits++) {
			int d = hex_digit(v[i]);

			if (d < 0 || digits == 16)
				return false;
			a = a * 16 + (uint64_t)d;
		}
		if (!digits || (i < n && i + 1 == n))
			return false;
		addr[count++] = a;
		if (i < n)
			i++; /* the comma */
	}
	if (!count)
		return false;
	memcpy(o->walk, addr, sizeof(addr[0]) * count);
	o->nwalk = count;
	return true;
}

/*
 * run=PROGRAM[;PROGRAM...], each "PATH ARG...": printable ASCII (quote the
 * value to keep the blanks), no empty entries; PATH starts with '\\' or '/'.
 */
static bool parse_run(struct options *o, const char *v, size_t n)
{
	bool at_start = true;

	if (n == 0 || n >= sizeof(o->run))
		return false;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7F)
			return false;
		if (at_start && v[i] != ' ') {
			if (v[i] != '\\' && v[i] != '/')
				return false;
			at_start = false;
		}
		if (v[i] == ';')
			at_start = true;
	}
	if (at_start)
		return false; /* empty last entry */
	memset(o->run, 0, sizeof(o->run));
	memcpy(o->run, v, n);
	return true;
}

/* A decimal 1..OPT_GOP_DIM_MAX without leading zeros: v[0..n). */
static bool parse_dim(const char *v, size_t n, uint32_t *out)
{
	uint32_t x = 0;

	if (n == 0 || v[0] == '0')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint32_t)(v[i] - '0');
		if (x > OPT_GOP_DIM_MAX) /* checked every digit, so it cannot wrap */
			return false;
	}
	*out = x;
	return true;
}

/* "auto", "off", "list" or WxH (decimal, lower-case 'x'). */
static bool parse_gop(struct options *o, const char *v, size_t n)
{
	int i = lookup(gop_names, COUNT(gop_names), v, n);
	uint32_t w, h;
	size_t x = 0;

	if (i >= 0) {
		o->gop = (enum gop_select)i;
		o->gop_width = o->gop_height = 0;
		return true;
	}
	while (x < n && v[x] != 'x')
		x++;
	if (x == n || !parse_dim(v, x, &w) || !parse_dim(v + x + 1, n - x - 1, &h))
		return false;
	o->gop = GOP_SIZE;
	o->gop_width = w;
	o->gop_height = h;
	return true;
}

/* Small decimal count 0..OPT_EBS_STALE_MAX: no sign, no leading '+'. */
static bool parse_ebs_stale(struct options *o, const char *v, size_t n)
{
	unsigned x = 0;

	if (n == 0 || n > 2)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (unsigned)(v[i] - '0');
	}
	if (x > OPT_EBS_STALE_MAX)
		return false;
	o->ebs_stale = x;
	return true;
}

/* The show functions write the current value, for "keeping '...'". */
static void show_report(const struct options *o, char *buf, size_t size)
{
	kstrlcpy(buf, options_report_name(o->report), size);
}

static void show_serial(const struct options *o, char *buf, size_t size)
{
	options_serial_str(o, buf, size);
}

static void show_finish(const struct options *o, char *buf, size_t size)
{
	kstrlcpy(buf, options_finish_name(o->on_finish), size);
}

static void show_tests(const struct options *o, char *buf, size_t size)
{
	show_bytes(buf, size, o->tests, strnlen(o->tests, sizeof(o->tests)));
}

static void show_log(const struct options *o, char *buf, size_t size)
{
	kstrlcpy(buf, options_log_name(o->log), size);
}

static void show_ebs_stale(const struct options *o, char *buf, size_t size)
{
	ksnprintf(buf, size, "%u", o->ebs_stale);
}

static void show_selftest(const struct options *o, char *buf, size_t size)
{
	kstrlcpy(buf, options_selftest_name(o->selftest), size);
}

static void show_run(const struct options *o, char *buf, size_t size)
{
	show_bytes(buf, size, o->run[0] ? o->run : "none", o->run[0] ? strnlen(o->run, sizeof(o->run)) : 4);
}

static void show_bench(const struct options *o, char *buf, size_t size)
{
	kstrlcpy(buf, onoff_names[o->bench ? 1 : 0], size);
}

static void show_menu(const struct options *o, char *buf, size_t size)
{
	kstrlcpy(buf, onoff_names[o->menu ? 1 : 0], size);
}

static void show_menu_timeout(const struct options *o, char *buf, size_t size)
{
	ksnprintf(buf, size, "%u", o->menu_timeout);
}

static void show_gop(const struct options *o, char *buf, size_t size)
{
	options_gop_str(o, buf, size);
}

static void show_screen(const struct options *o, char *buf, size_t size)
{
	kstrlcpy(buf, (unsigned)o->screen < COUNT(screen_names) ? screen_names[o->screen] : "?", size);
}

static void show_watchdog(const struct options *o, char *buf, size_t size)
{
	if (o->watchdog_ms)
		ksnprintf(buf, size, "%u", o->watchdog_ms);
	else
		kstrlcpy(buf, "off", size);
}

static void show_walk(const struct options *o, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	if (!o->nwalk)
		kstrlcpy(buf, "none", size);
	for (unsigned i = 0; i < o->nwalk && used < size; i++)
		used += (size_t)ksnprintf(buf + used, size - used, "%s0x%llx", i ? "," : "",
					  (unsigned long long)o->walk[i]);
}

struct key {
	const char *name;
	const char *expected; /* what the value may be, for warnings */
	bool (*parse)(struct options *o, const char *v, size_t n);
	void (*show)(const struct options *o, char *buf, size_t size);
};

static const struct key keys[] = {
	{ "report", "human|json|both", parse_report, show_report },
	{ "serial", "auto|off|0xPORT with PORT 0x1..0xffff", parse_serial, show_serial },
	{ "on_finish", "shutdown|reboot|halt|exit|monitor", parse_finish, show_finish },
	{ "tests", "all|none|NAME,... with NAME of A-Z a-z 0-9 _ . -", parse_tests, show_tests },
	{ "log", "info|debug", parse_log, show_log },
	{ "ebs_stale", "a count 0..16", parse_ebs_stale, show_ebs_stale },
	{ "selftest", "none|kstack|null|rodata", parse_selftest, show_selftest },
	{ "walk", "0xVA[,0xVA...] with at most 8 addresses", parse_walk, show_walk },
	{ "bench", "on|off", parse_bench, show_bench },
	{ "run", "\"\\PATH ARG...;\\PATH...\" (programs on the boot volume)", parse_run, show_run },
	{ "gop", "auto|off|list|WxH, e.g. 1920x1080", parse_gop, show_gop },
	{ "screen", "layout|console", parse_screen, show_screen },
	{ "menu", "on|off", parse_menu, show_menu },
	{ "menu_timeout", "seconds 0..3600 (0: wait for a key)", parse_menu_timeout, show_menu_timeout },
	{ "watchdog", "off|milliseconds 1..600000", parse_watchdog, show_watchdog },
};

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

/* "report, serial, ..." from keys[], so the list follows the table; cut if it ever outgrows buf. */
static void known_keys(char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < COUNT(keys) && used < size; i++)
		used += (size_t)ksnprintf(buf + used, size - used, "%s%s", i ? ", " : "", keys[i].name);
}

static const struct key *find_key(const char *k, size_t n)
{
	for (size_t i = 0; i < COUNT(keys); i++)
		if (same(k, n, keys[i].name))
			return &keys[i];
	return NULL;
}

/* Handle one word; skip_first is set for the first word when the caller asked to skip it. */
static void apply_word(struct parser *ps, const struct word *w, bool skip_first)
{
	char shown[SHOW_WORD], cur[SHOW_VALUE], list[128];
	char val[VALUE_MAX];
	const struct key *k;
	size_t n = 0;
	bool too_long = false;

	if (skip_first && !w->has_eq && !w->unterminated)
		return; /* the program name, from the UEFI shell */
	show_bytes(shown, sizeof(shown), w->p, w->n);
	k = w->has_eq ? find_key(w->p, w->eq) : NULL;
	if (w->unterminated) {
		if (k) {
			k->show(ps->o, cur, sizeof(cur));
			warnf(ps, "%s: unterminated quote in value of %s: '%s'; keeping '%s'", ps->source, k->name,
			      shown, cur);
		} else {
			warnf(ps, "%s: unterminated quote in '%s'; ignored", ps->source, shown);
		}
		return;
	}
	if (!w->has_eq || !k) {
		known_keys(list, sizeof(list));
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
		k->show(ps->o, cur, sizeof(cur));
		warnf(ps, "%s: bad value '%s' for %s (longer than %d characters; expected %s); keeping '%s'",
		      ps->source, shown, k->name, VALUE_MAX, k->expected, cur);
	} else if (!k->parse(ps->o, val, n)) {
		k->show(ps->o, cur, sizeof(cur));
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

void options_defaults(struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->report = REPORT_HUMAN;
	o->serial = SERIAL_AUTO;
	o->serial_port = 0;
	o->on_finish = FINISH_SHUTDOWN;
	o->log = LOG_INFO;
	kstrlcpy(o->tests, "all", sizeof(o->tests));
	o->menu_timeout = OPT_MENU_TIMEOUT_DEFAULT;
	o->watchdog_ms = OPT_WATCHDOG_DEFAULT_MS;
}

const char *options_selftest_name(enum selftest t)
{
	return (unsigned)t < COUNT(selftest_names) ? selftest_names[t] : "?";
}

const char *options_report_name(enum report_mode m)
{
	return (unsigned)m < COUNT(report_names) ? report_names[m] : "?";
}

const char *options_finish_name(enum on_finish f)
{
	return (unsigned)f < COUNT(finish_names) ? finish_names[f] : "?";
}

const char *options_log_name(enum log_level l)
{
	return (unsigned)l < COUNT(log_names) ? log_names[l] : "?";
}

char *options_gop_str(const struct options *o, char *buf, size_t size)
{
	if (o->gop == GOP_SIZE)
		ksnprintf(buf, size, "%ux%u", o->gop_width, o->gop_height);
	else
		kstrlcpy(buf, (unsigned)o->gop < COUNT(gop_names) ? gop_names[o->gop] : "?", size);
	return buf;
}

char *options_serial_str(const struct options *o, char *buf, size_t size)
{
	switch (o->serial) {
	case SERIAL_AUTO:
		kstrlcpy(buf, "auto", size);
		break;
	case SERIAL_OFF:
		kstrlcpy(buf, "off", size);
		break;
	case SERIAL_PORT:
		ksnprintf(buf, size, "0x%x", o->serial_port);
		break;
	default:
		kstrlcpy(buf, "?", size);
		break;
	}
	return buf;
}
