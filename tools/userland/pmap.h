/* SPDX-License-Identifier: MIT */
/*
 * pmap.h - what the parts of Atlas's pmap (tools/userland/pmap*.c) share:
 *   pmap.c           the command line, the default, -x and -d formats, messages
 *   pmap_procs.c     the processes: what libproc2 reads about each PID
 *   pmap_extended.c  -X, -XX and -c (every smaps field a column), the rc files
 */
#ifndef ATLAS_PMAP_H
#define ATLAS_PMAP_H

#include <stddef.h>

/* procps reads with fgets() into a 1024-byte buffer: longer lines come in pieces. */
#define LINE_MAX_PMAP 1024

/* The options, as procps's globals. */
struct pmap_options {
	int c, C, d, n, N, q, x, X; /* -X counts: -XX is 2 */
	int showpath;		    /* -p, or ShowPath in the rc file (which toggles it) */
	unsigned long range_low, range_high;
};

extern struct pmap_options opt;
extern const char *prog; /* argv[0]'s last component, procps's program_invocation_short_name */

/* procps's xwarnx() and xerrx() (glibc's error()): "prog: message" on stderr, stdout flushed first. */
void warnx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void errx_(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/*
 * procps's justify_print(): a heading padded to width (right- or
 * left-aligned) and a space; width 0 prints the heading and ends the line.
 * Returns the width the column takes.
 */
int heading(const char *s, int width, int right);

/*
 * The whole file at path, NUL-terminated, in a malloc'd buffer the caller
 * frees; *len its length. NULL when it cannot be opened. Read once, so that
 * -X's two passes see the same text.
 */
char *slurp(const char *path, size_t *len);

/* A file's text as fgets() hands it out: lines, or LINE_MAX_PMAP - 1 byte pieces of longer ones. */
struct lines {
	const char *start, *pos, *end;
};

/* The next line (or piece) into buf, NUL-terminated, like fgets(buf, size, f); NULL at the end. */
char *next_line(struct lines *in, char *buf, size_t size);

/* ---- pmap_procs.c ---- */

/* What procps knows of a process when it prints its map. */
struct target {
	int tgid;		   /* "Tgid:" of /proc/PID/status, else the PID */
	unsigned long start_stack; /* field 28 of /proc/PID/stat */
	char *cmdline;		   /* the header's text, escaped; malloc'd */
};

/* Decides once how command lines are escaped (the locale's codeset, as procps sees it). */
void procs_init(void);

/*
 * Reads what the header and the stack label need about pid, in libproc2's
 * order. Returns 0, or -1 when the process is not there (procps leaves it out).
 */
int select_pid(int pid, struct target *t);

/* ---- pmap_extended.c ---- */

/* procps's print_extended_maps(): -X, -XX and -c over one process's smaps text. */
void extended(const char *text, size_t len);

/* The rc file's [Fields Display] and [Mapping] into the options; 0 when it cannot be opened. */
int rc_read(const char *file);

/* Writes the rc template to file, which must not exist yet. Returns 1 when written. */
int rc_create(const char *file);

/* $HOME/.pmaprc (named after the program), malloc'd; NULL, with a warning, without HOME. */
char *rc_default_file(void);

#endif
