/* SPDX-License-Identifier: MIT */
/*
 * exec_script.c - the "#!" line of a script (step 3 of execve, see exec.c),
 * split into the interpreter's name and its one optional argument exactly
 * as Linux's load_script does, blanks and truncation included. Apart from
 * exec.c because it is pure string work on a buffer: no file, no process.
 */
#include "exec_internal.h"
#include "kerrno.h"

static int spacetab(char c)
{
	return c == ' ' || c == '\t';
}

/* The first of [first, last] that is not a blank, or NULL. */
static char *next_non_spacetab(char *first, char *last)
{
	for (; first <= last; first++)
		if (!spacetab(*first))
			return first;
	return NULL;
}

/* The first blank or NUL of [first, last], or NULL. */
static char *next_terminator(char *first, char *last)
{
	for (; first <= last; first++)
		if (spacetab(*first) || !*first)
			return first;
	return NULL;
}

/*
 * The "#!" line of buf (the file's first BINPRM_BUF bytes, NUL-padded), as
 * Linux's load_script reads it: a newline anywhere in the buffer ends it;
 * without one the line is cut before the buffer's last byte, which is fine
 * when the interpreter's name ended before (the argument is cut) and ENOEXEC
 * when it did not. Blanks around the name and the one argument go, but for
 * a line without a newline, whose end is the file's NUL padding. *interp and
 * *arg (NULL: none) point into buf. Returns 0, or -ENOEXEC with *why set.
 */
int exec_script_line(char *buf, char **interp, char **arg, const char **why)
{
	char *buf_end = &buf[BINPRM_BUF - 1], *i_end = NULL, *i_name, *i_sep;

	for (char *c = buf; c <= buf_end && !i_end; c++)
		if (*c == '\n')
			i_end = c;
	if (!i_end) {
		i_end = next_non_spacetab(buf + 2, buf_end);
		*why = !i_end ? "the \"#!\" line is all blanks" :
				"the \"#!\" line's interpreter name goes on past 255 bytes";
		if (!i_end || !next_terminator(i_end, buf_end))
			return -ENOEXEC;
		i_end = buf_end;
	}
	while (spacetab(i_end[-1]))
		i_end--;
	i_name = next_non_spacetab(buf + 2, i_end);
	*why = "the \"#!\" line names no interpreter";
	if (!i_name || i_name == i_end)
		return -ENOEXEC;
	*arg = NULL;
	i_sep = next_terminator(i_name, i_end);
	if (i_sep && *i_sep)
		*arg = next_non_spacetab(i_sep, i_end);
	*i_end = 0;
	if (*arg)
		*i_sep = 0;
	*interp = i_name;
	return 0;
}
