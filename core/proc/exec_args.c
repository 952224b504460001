/* SPDX-License-Identifier: MIT */
/*
 * exec_args.c - step 1 of execve (see exec.c): argv and envp copied in from
 * the caller as kernel strings, with Linux's limits (E2BIG past a quarter
 * of the stack limit, EFAULT for a bad pointer). Apart from exec.c because
 * it is the only part that reads user memory, and grows its buffer as it
 * goes.
 */
#include "exec_internal.h"
#include "heap.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "uaccess.h"

#define ARG_COUNT_MAX 0x7fffffff
#define STRINGS_MAX (USER_STACK_LIMIT / 4)

void exec_strv_free(struct strv *s)
{
	kfree(s->v);
	kfree(s->buf);
	memset(s, 0, sizeof(*s));
}

/* Copy a NULL-terminated user array of strings (uv 0: empty). */
long exec_strv_in(uint64_t uv, struct strv *s, size_t *total)
{
	size_t n = 0, used = 0, cap = 4096;
	uint64_t ptr;

	memset(s, 0, sizeof(*s));
	for (; uv; n++) {
		if (copy_from_user(&ptr, uv + n * 8, 8))
			return -EFAULT;
		if (!ptr)
			break;
		if (n >= ARG_COUNT_MAX)
			return -E2BIG;
	}
	s->v = kcalloc(n + 1, sizeof(char *));
	s->buf = kmalloc(cap);
	if (!s->v || !s->buf)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		long len;

		if (copy_from_user(&ptr, uv + i * 8, 8))
			goto fault;
		for (;;) {
			size_t room = cap - used;

			len = strncpy_from_user(s->buf + used, ptr, room > 32 * 4096 ? 32 * 4096 : room);
			if (len >= 0 || len == -EFAULT || room >= 32 * 4096)
				break;
			/* Longer than the room left: grow and try again. */
			char *bigger = kmalloc(cap * 2);

			if (!bigger)
				goto nomem;
			memcpy(bigger, s->buf, used);
			kfree(s->buf);
			s->buf = bigger;
			cap *= 2;
		}
		if (len < 0) {
			exec_strv_free(s);
			return len == -ENAMETOOLONG ? -E2BIG : len;
		}
		s->v[i] = (char *)(uintptr_t)used; /* an offset until the buffer stops moving */
		used += (size_t)len + 1;
		*total += (size_t)len + 1;
		if (*total > STRINGS_MAX) {
			exec_strv_free(s);
			return -E2BIG;
		}
	}
	for (size_t i = 0; i < n; i++)
		s->v[i] = s->buf + (uintptr_t)s->v[i];
	s->n = n;
	s->bytes = used;
	return 0;
fault:
	exec_strv_free(s);
	return -EFAULT;
nomem:
	exec_strv_free(s);
	return -ENOMEM;
}
