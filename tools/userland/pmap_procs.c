/* SPDX-License-Identifier: MIT */
/*
 * pmap_procs.c - what procps's pmap knows about each PID it is given, read as
 * libproc2 (procps-ng 4.0.2's library/readproc.c and escape.c, for
 * procps_pids_select(PIDS_SELECT_PID)) reads it: the thread group from
 * /proc/PID/status first (a thread's id shows its process), then nothing at
 * all when /proc/PID or its stat is missing or empty, the command name, state
 * and stack start from stat, and the command line, escaped per locale.
 */
#define _GNU_SOURCE
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "pmap.h"

/* libproc2 reads at most 128 KiB - 1 of a command line (MAX_BUFSZ). */
#define CMDLINE_MAX (128 * 1024)

/* ---- escaping, as libproc2's escape_str() ---- */

static int utf8_locale;

/*
 * procps escapes command names one way in a UTF-8 locale and another in any
 * other, as glibc's nl_langinfo(CODESET) says after setlocale(LC_ALL, "").
 * Under musl (whose default locale is UTF-8 and which accepts any name) the
 * glibc answer is worked out from the environment: the name LC_CTYPE takes,
 * UTF-8 when it is C.UTF-8 (glibc's built-in one) or an installed UTF-8 locale.
 */
static int locale_is_utf8(void)
{
#ifdef __GLIBC__
	const char *cs;

	setlocale(LC_ALL, "");
	cs = nl_langinfo(CODESET);
	return cs && !strcasecmp(cs, "UTF-8");
#else
	static const char *const vars[] = { "LC_ALL", "LC_CTYPE", "LANG" };
	const char *name = NULL, *dot;
	char path[PATH_MAX];
	struct stat st;

	for (size_t i = 0; i < sizeof(vars) / sizeof(vars[0]) && !name; i++) {
		name = getenv(vars[i]);
		if (name && !*name)
			name = NULL;
	}
	if (!name || !(dot = strchr(name, '.')))
		return 0;
	if (strncasecmp(dot + 1, "utf-8", 5) && strncasecmp(dot + 1, "utf8", 4))
		return 0;
	if (dot - name == 1 && name[0] == 'C')
		return 1;
	snprintf(path, sizeof(path), "/usr/lib/locale/%.*s.utf8", (int)(dot - name), name);
	return stat(path, &st) == 0;
#endif
}

/* Outside UTF-8: controls become '.', bytes above 0x7e '?' (escape.c's ESC_tab). */
static void escape_bytes(unsigned char *s)
{
	for (; *s; s++) {
		if (*s < 0x20 || *s == 0x7f)
			*s = '.';
		else if (*s > 0x7f)
			*s = '?';
	}
}

/* The length of the UTF-8 sequence a byte starts, or -1 (escape.c's UTF_tab). */
static int utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xc2)
		return -1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return c < 0xf5 ? 4 : -1;
}

/*
 * escape_str() in place: in UTF-8, control characters become '?' and from a
 * byte that cannot start a sequence (or one cut short) on, the rest is
 * escaped as outside UTF-8.
 */
static void escape_text(char *text)
{
	unsigned char *s = (unsigned char *)text;
	int len = (int)strlen(text);

	if (!utf8_locale) {
		escape_bytes(s);
		return;
	}
	for (int i = 0; i < len;) {
		int n = utf8_len(*s);

		if (n < 0 || i + n > len) {
			escape_bytes(s);
			return;
		}
		if (*s < 0x20 || *s == 0x7f)
			*s = '?';
		s += n;
		i += n;
	}
}

/* ---- the processes: what libproc2 reads for PIDS_SELECT_PID ---- */

/* libproc2's file2str(): the file, or NULL when it is missing or empty. */
static char *read_proc(int pid, const char *what)
{
	char path[64], *text;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	text = slurp(path, &len);
	if (text && !len) {
		free(text);
		text = NULL;
	}
	return text;
}

/*
 * The command line as fill_cmdline_cvt() shows it: the arguments joined by
 * spaces ('\n's too become spaces, a trailing one is dropped), escaped; for
 * a process without one (a kernel thread, a zombie) its name from stat in
 * brackets, " <defunct>" after it for a zombie; "?" when that is empty too.
 */
static char *command_text(int pid, const char *comm, char state)
{
	char path[64], *buf = malloc(CMDLINE_MAX), *out;
	size_t n = 0;
	FILE *f;

	if (!buf)
		errx_("ERROR: memory allocation failed");
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	f = fopen(path, "r");
	if (f) {
		n = fread(buf, 1, CMDLINE_MAX - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	if (n) {
		size_t i = n;

		while (i && buf[i - 1] == '\0')
			i--;
		while (i--)
			if (buf[i] == '\n' || buf[i] == '\0')
				buf[i] = ' ';
		if (buf[n - 1] == ' ')
			buf[n - 1] = '\0';
		escape_text(buf);
	} else {
		snprintf(buf, CMDLINE_MAX, "[%s]%s", comm, state == 'Z' ? " <defunct>" : "");
	}
	out = strdup(buf[0] ? buf : "?");
	free(buf);
	if (!out)
		errx_("ERROR: memory allocation failed");
	return out;
}

/* simple_readproc() leaves out a process whose /proc/PID or stat is missing. */
int select_pid(int pid, struct target *t)
{
	char path[32], comm[64] = "", state = 0, *text, *s, *close;
	unsigned long start_stack = 0;
	int ppid = 0;
	struct stat st;

	/* listed_nextpid(): the thread group from status, before anything else. */
	t->tgid = pid;
	text = read_proc(pid, "status");
	if (text) {
		s = strstr(text, "Tgid:");
		if (s)
			t->tgid = atoi(s + 5);
		free(text);
	}
	snprintf(path, sizeof(path), "/proc/%d", pid);
	if (stat(path, &st) == -1)
		return -1;
	text = read_proc(pid, "stat");
	if (!text)
		return -1;
	/* stat2proc(): the name is between the first '(' and the last ')'. */
	s = strchr(text, '(');
	close = s ? strrchr(s + 1, ')') : NULL;
	if (close && close[1]) {
		size_t len = (size_t)(close - (s + 1));

		if (len >= sizeof(comm))
			len = sizeof(comm) - 1;
		memcpy(comm, s + 1, len);
		comm[len] = '\0';
		escape_text(comm);
		sscanf(close + 2,
		       "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*u %*u "
		       "%*u %*u %*u %*u %*u %lu",
		       &state, &ppid, &start_stack);
	}
	free(text);
	/* LIBPROC_HIDE_KERNEL leaves out kthreadd and its children. */
	if (getenv("LIBPROC_HIDE_KERNEL") && (ppid == 2 || pid == 2))
		return -1;
	t->start_stack = start_stack;
	t->cmdline = command_text(pid, comm, state);
	return 0;
}

void procs_init(void)
{
	utf8_locale = locale_is_utf8();
}
