/* SPDX-License-Identifier: MIT */
/*
 * pmap_extended.c - pmap -X, -XX and -c/-C: every field of /proc/PID/smaps
 * as a column, as procps-ng 4.0.2's print_extended_maps() prints them, and
 * the rc files that choose the columns for -c (~/.pmaprc, or -C FILE),
 * written by -n / -N as its config_create() writes them.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pmap.h"

/* The rc file's longest line (MAX_CNF_LINE_LEN). */
#define RC_LINE_MAX 1024

/* ---- -X, -XX, -c: every smaps field as a column ---- */

/*
 * One column of the extended format. As in procps the list outlives a
 * process: the next PID's smaps must have the same fields, and the totals
 * and widths carry over to its footer.
 */
struct field {
	char name[32];
	char value[21]; /* as smaps wrote it, this area's */
	unsigned long total;
	int width;
	struct field *next;
};

static struct field *fields, *fields_tail;

/* Fields from the rc file's [Fields Display] (-c, -C). */
struct rc_field {
	char name[32];
	struct rc_field *next;
};

static struct rc_field *rc_fields;

/* -X leaves these out; -XX shows everything. */
static int unimportant(const char *s)
{
	static const char *const names[] = { "AnonHugePages", "KernelPageSize", "MMUPageSize",	 "Shared_Dirty",
					     "Private_Dirty", "Shared_Clean",	"Private_Clean", "VmFlags" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(s, names[i]))
			return 1;
	return 0;
}

/* procps's is_enabled(): whether a column is shown. */
static int enabled(const char *s)
{
	if (opt.X == 1)
		return !unimportant(s);
	if (opt.c) {
		for (struct rc_field *f = rc_fields; f; f = f->next)
			if (!strcmp(s, f->name))
				return 1;
		return 0;
	}
	return 1;
}

static int decimal_width(unsigned long v)
{
	int w = v == 0;

	for (; v; v /= 10)
		w++;
	return w;
}

static void __attribute__((noreturn)) smaps_format_error(void)
{
	errx_("Unknown format in smaps file!");
}

/*
 * Two passes over smaps, the first measuring
 * every column and totalling the fields, the second printing. An area's
 * header line, then "Key: N kB" lines (and "THPeligible: N": the scan stops
 * only at a line with no number), then VmFlags.
 */
void extended(const char *text, size_t len)
{
	struct lines in = { text, text, text + len };
	char line[LINE_MAX_PMAP], start[21], end[21], perms[32], offset[21], dev[64], inode[21], desc[128];
	char vmflags[128], key[32], value[21], after;
	int w_start = 0, w_perms = 0, w_offset = 0, w_dev = 0, w_inode = 0, w_flags = 0;
	int measuring = 1, header_due = 1, has_flags = 0;
	char *ret = next_line(&in, line, sizeof(line));

	while (ret) {
		struct field *f;

		desc[0] = '\0';
		if (sscanf(line, "%20[0-9a-f]-%20[0-9a-f] %31s %20[0-9a-f] %63[0-9a-f:] %20s %127[^\n]", start, end,
			   perms, offset, dev, inode, desc) < 6)
			smaps_format_error();
		/* The rest of an area line too long for the buffer is dropped. */
		while (line[strlen(line) - 1] != '\n')
			if (!next_line(&in, line, sizeof(line)) || !line[0])
				smaps_format_error();
		if ((int)strlen(start) > w_start)
			w_start = (int)strlen(start);
		if ((int)strlen(perms) > w_perms)
			w_perms = (int)strlen(perms);
		if ((int)strlen(offset) > w_offset)
			w_offset = (int)strlen(offset);
		if ((int)strlen(dev) > w_dev)
			w_dev = (int)strlen(dev);
		if ((int)strlen(inode) > w_inode)
			w_inode = (int)strlen(inode);

		f = fields;
		while ((ret = next_line(&in, line, sizeof(line))) &&
		       sscanf(line, "%31[^:]: %20[0-9] kB %c", key, value, &after) == 2) {
			if (!enabled(key))
				continue;
			if (!f) {
				f = calloc(1, sizeof(*f));
				if (!f)
					errx_("ERROR: memory allocation failed");
				snprintf(f->name, sizeof(f->name), "%s", key);
				f->width = opt.q ? 0 : (int)strlen(key);
				if (fields_tail)
					fields_tail->next = f;
				else
					fields = f;
				fields_tail = f;
			} else if (strcmp(f->name, key)) {
				errx_("ERROR: %s %s", "inconsistent detail field in smaps file, line:\n", line);
			}
			snprintf(f->value, sizeof(f->value), "%s", value);
			if (measuring) {
				f->total += strtoul(value, NULL, 10);
				if (opt.q && (int)strlen(value) > f->width)
					f->width = (int)strlen(value);
			}
			f = f->next;
		}
		if (ret && sscanf(line, "VmFlags: %127[a-z ]", vmflags) == 1) {
			int n = (int)strlen(vmflags);

			if (n > 0 && vmflags[n - 1] == ' ')
				vmflags[--n] = '\0';
			if (n > w_flags)
				w_flags = n;
			has_flags = 1;
			ret = next_line(&in, line, sizeof(line));
		}

		if (measuring) {
			if (!ret) {
				/* Measured: start again from the top, printing. */
				measuring = 0;
				in.pos = in.start;
				ret = next_line(&in, line, sizeof(line));
				if (!opt.q)
					for (f = fields; f; f = f->next)
						if (decimal_width(f->total) > f->width)
							f->width = decimal_width(f->total);
			}
			continue;
		}
		if (header_due && !opt.q) {
			w_start = heading("Address", w_start, 1);
			if (enabled("Perm"))
				w_perms = heading("Perm", w_perms, 1);
			if (enabled("Offset"))
				w_offset = heading("Offset", w_offset, 1);
			if (enabled("Device"))
				w_dev = heading("Device", w_dev, 1);
			if (enabled("Inode"))
				w_inode = heading("Inode", w_inode, 1);
			for (f = fields; f; f = f->next)
				heading(f->name, f->width, 1);
			if (has_flags && enabled("VmFlags"))
				w_flags = heading("VmFlags", w_flags, 1);
			if (enabled("Mapping"))
				heading("Mapping", 0, 0);
			else
				putchar('\n');
		}
		header_due = 0;
		printf("%*s", w_start, start);
		if (enabled("Perm"))
			printf(" %*s", w_perms, perms);
		if (enabled("Offset"))
			printf(" %*s", w_offset, offset);
		if (enabled("Device"))
			printf(" %*s", w_dev, dev);
		if (enabled("Inode"))
			printf(" %*s", w_inode, inode);
		for (f = fields; f; f = f->next)
			printf(" %*s", f->width, f->value);
		if (has_flags && enabled("VmFlags"))
			printf(" %*s", w_flags, vmflags);
		if (enabled("Mapping")) {
			/* The name as smaps wrote it; its base name unless -p. */
			const char *base = opt.showpath ? NULL : strrchr(desc, '/');

			printf(" %s", base ? base + 1 : desc);
		}
		putchar('\n');
	}

	if (!opt.q && fields) {
		int gap = w_start + 1;

		if (enabled("Perm"))
			gap += w_perms + 1;
		if (enabled("Offset"))
			gap += w_offset + 1;
		if (enabled("Device"))
			gap += w_dev + 1;
		if (enabled("Inode"))
			gap += w_inode + 1;
		printf("%*s", gap, "");
		for (struct field *f = fields; f; f = f->next) {
			for (int i = 0; i < f->width; i++)
				putchar('=');
			putchar(' ');
		}
		putchar('\n');
		printf("%*s", gap, "");
		for (struct field *f = fields; f; f = f->next)
			printf("%*lu ", f->width, f->total);
		fputs("KB \n", stdout);
	}
}

/* ---- rc files (-c, -C, -n, -N) ---- */

enum { SECTION_NONE, SECTION_UNSUPPORTED, SECTION_FIELDS, SECTION_MAPPING };

/*
 * Reads an rc file as procps's config_read(): "[Fields Display]" lists the
 * columns -c shows, "[Mapping]" may say ShowPath (toggles -p); '#' starts a
 * comment. Warns about what it does not understand, line by line. Returns 0
 * when the file cannot be opened.
 */
int rc_read(const char *file)
{
	char buf[RC_LINE_MAX + 1], skip[RC_LINE_MAX + 1];
	int lineno = 0, section = SECTION_NONE;
	FILE *f = fopen(file, "r");

	if (!f)
		return 0;
	while (fgets(buf, sizeof(buf), f)) {
		size_t len = strlen(buf);
		char *s = buf, *token, *tail;

		lineno++;
		if (len > 0 && buf[len - 1] == '\n') {
			buf[len - 1] = '\0';
		} else if (len == RC_LINE_MAX) {
			warnx_("config line too long - line %d", lineno);
			while (fgets(skip, sizeof(skip), f) && (len = strlen(skip)) > 0 && skip[len - 1] != '\n')
				;
		}
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '#' || *s == '\0')
			continue;
		if (*s == '[') {
			if (!strncmp(s, "[Fields Display]", 16)) {
				s += 16;
				section = SECTION_FIELDS;
			} else if (!strncmp(s, "[Mapping]", 9)) {
				s += 9;
				section = SECTION_MAPPING;
			} else {
				while (*s != ']' && *s != '\0')
					s++;
				if (*s == ']') {
					section = SECTION_UNSUPPORTED;
					warnx_("unsupported section found in the config - line %d", lineno);
					s++;
				} else {
					warnx_("syntax error found in the config - line %d", lineno);
				}
			}
			while (*s == ' ' || *s == '\t')
				s++;
			if (*s == '#' || *s == '\0')
				continue;
			/* Something after the section name: said, then read as an entry. */
			warnx_("syntax error found in the config - line %d", lineno);
		}
		switch (section) {
		case SECTION_FIELDS:
		case SECTION_MAPPING:
			token = strtok(s, " \t");
			if (!token)
				break;
			tail = strtok(NULL, " \t");
			if (tail && *tail != '#')
				warnx_("syntax error found in the config - line %d", lineno);
			if (section == SECTION_MAPPING) {
				if (!strcmp(token, "ShowPath"))
					opt.showpath = !opt.showpath;
			} else {
				struct rc_field *r = calloc(1, sizeof(*r));

				if (!r)
					errx_("ERROR: memory allocation failed");
				snprintf(r->name, sizeof(r->name), "%s", token);
				r->next = rc_fields;
				rc_fields = r;
			}
			break;
		case SECTION_UNSUPPORTED:
			break;
		default:
			warnx_("syntax error found in the config - line %d", lineno);
		}
	}
	fclose(f);
	return 1;
}

/* procps's config_create(). */
int rc_create(const char *file)
{
	static const char *const fields_list[] = { "Size",	   "Rss",	    "Pss",	     "Shared_Clean",
						   "Shared_Dirty", "Private_Clean", "Private_Dirty", "Referenced",
						   "Anonymous",	   "AnonHugePages", "Swap",	     "KernelPageSize",
						   "MMUPageSize",  "Locked",	    "VmFlags" };
	FILE *f;

	if (!file)
		return 0;
	f = fopen(file, "r");
	if (f) {
		fclose(f);
		warnx_("the file already exists - delete or rename it first");
		return 0;
	}
	f = fopen(file, "w");
	if (!f)
		return 0;
	fputs("# pmap's Config File\n\n# All the entries are case sensitive.\n# Unsupported entries are ignored!\n\n"
	      "[Fields Display]\n\n# To enable a field uncomment its entry\n\n#Perm\n#Offset\n#Device\n#Inode\n",
	      f);
	for (size_t i = 0; i < sizeof(fields_list) / sizeof(fields_list[0]); i++)
		fprintf(f, "#%s\n", fields_list[i]);
	fputs("#Mapping\n\n\n[Mapping]\n\n# to show paths in the mapping column uncomment the following line\n"
	      "#ShowPath\n\n",
	      f);
	fclose(f);
	return 1;
}

char *rc_default_file(void)
{
	const char *home = getenv("HOME");
	char *file;

	if (!home) {
		warnx_("HOME variable undefined");
		return NULL;
	}
	if (asprintf(&file, "%s/.%src", home, prog) < 0) {
		warnx_("memory allocation failed");
		return NULL;
	}
	return file;
}
