/* SPDX-License-Identifier: MIT */
/*
 * systrace.c - log=syscalls: every finished system call as strace prints
 * it, "[pid 7] openat(AT_FDCWD, "/tmp/x", 0x241, 0644) = 3" or "= -1 ENOENT",
 * decoded by the argument kinds of include/systab.def; with report=json, a
 * {"rec":"syscall"} record instead. Paths are read from the caller's memory
 * (at most 64 characters shown); other pointers are shown in hex.
 */
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"
#include "proc.h"
#include "record.h"
#include "syscalls.h"
#include "uaccess.h"

#define LINE 320
#define STR_SHOWN 64

static const struct {
	int err;
	const char *name;
} errnos[] = {
	{ EPERM, "EPERM" },
	{ ENOENT, "ENOENT" },
	{ ESRCH, "ESRCH" },
	{ EINTR, "EINTR" },
	{ EIO, "EIO" },
	{ ENXIO, "ENXIO" },
	{ E2BIG, "E2BIG" },
	{ ENOEXEC, "ENOEXEC" },
	{ EBADF, "EBADF" },
	{ ECHILD, "ECHILD" },
	{ EAGAIN, "EAGAIN" },
	{ ENOMEM, "ENOMEM" },
	{ EACCES, "EACCES" },
	{ EFAULT, "EFAULT" },
	{ EBUSY, "EBUSY" },
	{ EEXIST, "EEXIST" },
	{ EXDEV, "EXDEV" },
	{ ENODEV, "ENODEV" },
	{ ENOTDIR, "ENOTDIR" },
	{ EISDIR, "EISDIR" },
	{ EINVAL, "EINVAL" },
	{ ENFILE, "ENFILE" },
	{ EMFILE, "EMFILE" },
	{ ENOTTY, "ENOTTY" },
	{ ETXTBSY, "ETXTBSY" },
	{ EFBIG, "EFBIG" },
	{ ENOSPC, "ENOSPC" },
	{ ESPIPE, "ESPIPE" },
	{ EROFS, "EROFS" },
	{ EMLINK, "EMLINK" },
	{ EPIPE, "EPIPE" },
	{ ERANGE, "ERANGE" },
	{ ENAMETOOLONG, "ENAMETOOLONG" },
	{ ENOSYS, "ENOSYS" },
	{ ENOTEMPTY, "ENOTEMPTY" },
	{ ELOOP, "ELOOP" },
	{ EOVERFLOW, "EOVERFLOW" },
	{ ENOTSUP, "EOPNOTSUPP" },
	{ ETIMEDOUT, "ETIMEDOUT" },
	{ ERESTARTSYS, "ERESTARTSYS" },
	{ ERESTARTNOINTR, "ERESTARTNOINTR" },
	{ ERESTARTNOHAND, "ERESTARTNOHAND" },
};

const char *errno_name(long err)
{
	for (size_t i = 0; i < ARRAY_SIZE(errnos); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	return NULL;
}

/* One argument as strace shows it. */
static void arg(char *buf, size_t size, enum sysarg k, uint64_t v)
{
	char s[STR_SHOWN + 1];
	long n;

	switch (k) {
	case K_INT:
	case K_FD:
		if ((int)v == -100 && k == K_FD)
			ksnprintf(buf, size, "AT_FDCWD");
		else
			ksnprintf(buf, size, "%d", (int)v);
		break;
	case K_UINT:
		ksnprintf(buf, size, "%u", (unsigned)v);
		break;
	case K_OCT:
		ksnprintf(buf, size, "0%o", (unsigned)v);
		break;
	case K_LONG:
		ksnprintf(buf, size, "%lld", (long long)v);
		break;
	case K_ULONG:
	case K_SIZE:
		ksnprintf(buf, size, "%llu", (unsigned long long)v);
		break;
	case K_STR:
		n = v ? strncpy_from_user(s, v, sizeof(s)) : -EFAULT;
		if (n >= 0)
			ksnprintf(buf, size, "\"%s\"", s);
		else if (n == -ENAMETOOLONG)
			ksnprintf(buf, size, "\"%s\"...", s);
		else
			ksnprintf(buf, size, "0x%llx", (unsigned long long)v);
		break;
	default:
		ksnprintf(buf, size, v ? "0x%llx" : "NULL", (unsigned long long)v);
	}
}

void systrace_log(uint64_t nr, const struct sysent *e, const uint64_t *a, long result)
{
	struct proc *p = proc_current();
	char line[LINE], one[STR_SHOWN + 16];
	size_t len = 0;
	const char *en = result < 0 ? errno_name(-result) : NULL;
	struct jrec r;

	if (e)
		len += (size_t)ksnprintf(line, sizeof(line), "%s(", e->name);
	else
		len += (size_t)ksnprintf(line, sizeof(line), "syscall_%llu(", (unsigned long long)nr);
	for (int i = 0; e && i < e->nargs && len < sizeof(line); i++) {
		arg(one, sizeof(one), (enum sysarg)e->kind[i], a[i]);
		len += (size_t)ksnprintf(line + len, sizeof(line) - len, "%s%s", i ? ", " : "", one);
	}
	if (len < sizeof(line))
		ksnprintf(line + len, sizeof(line) - len, ")");
	if (report_human()) {
		if (result < 0 && result > -4096)
			kprintf("[pid %d] %s = -1 %s\n", p->pid, line, en ? en : "E?");
		else if (e && (e->kind[0] == K_PTR) && !strcmp(e->name, "mmap"))
			kprintf("[pid %d] %s = 0x%lx\n", p->pid, line, result);
		else
			kprintf("[pid %d] %s = %ld\n", p->pid, line, result);
		return;
	}
	jrec_begin(&r, "syscall");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_u64(&r, "nr", nr);
	jrec_str(&r, "call", line);
	jrec_i64(&r, "result", result);
	if (en)
		jrec_str(&r, "errno", en);
	report_emit(&r);
}
