/* SPDX-License-Identifier: MIT */
/*
 * exec_internal.h - what core/proc/exec.c (execve's steps) borrows from
 * core/proc/exec_args.c (argv/envp copied in) and core/proc/exec_script.c
 * (the "#!" line). No other file includes it. Process context, interrupts
 * as the system call runs.
 */
#ifndef ATLAS_EXEC_INTERNAL_H
#define ATLAS_EXEC_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#define BINPRM_BUF 256 /* the "#!" line: at most this much is read, as Linux's BINPRM_BUF_SIZE */

/* argv or envp as kernel strings: an array of pointers into one buffer. */
struct strv {
	char **v;  /* NULL-terminated */
	char *buf; /* the strings */
	size_t n, bytes;
};

/* Free s's array and strings (kfree) and clear it; a cleared s is fine. */
void exec_strv_free(struct strv *s);

/*
 * Copy the NULL-terminated user array of strings at uv (0: empty) into *s,
 * adding the strings' bytes to *total. 0, or -EFAULT, -E2BIG (too many or
 * too long: past a quarter of the stack limit in all), -ENOMEM; on error
 * *s holds nothing. The caller frees with exec_strv_free().
 */
long exec_strv_in(uint64_t uv, struct strv *s, size_t *total);

/*
 * The "#!" line of buf (the file's first BINPRM_BUF bytes, NUL-padded),
 * cut in place: *interp and *arg (NULL: none) point into buf. 0, or
 * -ENOEXEC with *why (a static string) saying what is wrong.
 */
int exec_script_line(char *buf, char **interp, char **arg, const char **why);

#endif
