/* SPDX-License-Identifier: MIT */
/*
 * sys_fs.c - the file system calls: the console (fd 1 and 2), an empty stdin
 * (fd 0), and read-only snapshots of /proc/self/maps and /proc/self/status.
 * Every user pointer goes through uaccess.
 */
#include "console.h"
#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "proc.h"
#include "procfs.h"
#include "record.h"
#include "syscall.h"
#include "uaccess.h"

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define O_ACCMODE 3
#define O_RDONLY 0
#define AT_FDCWD (-100)
#define IOV_MAX 1024
#define IO_CHUNK 512
#define PATH_MAX 256
/* An output piece's text, escaped, stays under this (the rest of the record fits in the other ~200 bytes). */
#define OUTPUT_ESCAPED_MAX (JREC_MAX - 200)
/* Below this many bytes a piece fits whatever they are (6 characters each at worst). */
#define OUTPUT_SAFE (OUTPUT_ESCAPED_MAX / 6)

struct lx_iovec {
	uint64_t base, len;
};

static struct fdesc *fd_get(struct proc *p, uint64_t fd)
{
	return proc_fd(p, fd);
}

/*
 * With report=json the console carries only records, so a program's output
 * is cut into lines and each becomes {"rec":"output"} (long lines in pieces).
 */
static void json_output(struct proc *p, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			proc_output_line(p); /* an empty line is still a line */
			continue;
		}
		p->out[p->out_len++] = s[i];
		/* A piece must fit a record escaped: binary bytes take 6 characters each. */
		if (p->out_len == sizeof(p->out) - 1 ||
		    (p->out_len >= OUTPUT_SAFE && jrec_strn_size(p->out, p->out_len) > OUTPUT_ESCAPED_MAX))
			proc_flush_output(p);
	}
}

/* Console output, through a kernel bounce buffer. */
static long write_console(struct proc *p, uint64_t ubuf, uint64_t len)
{
	char chunk[IO_CHUNK];
	uint64_t done = 0;

	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		if (copy_from_user(chunk, ubuf + done, n))
			return done ? (long)done : -EFAULT;
		if (report_human())
			console_write(chunk, n);
		else
			json_output(p, chunk, n);
		done += n;
	}
	return (long)done;
}

static long fd_write(struct proc *p, uint64_t fd, uint64_t buf, uint64_t len)
{
	struct fdesc *f = fd_get(p, fd);

	if (!f)
		return -EBADF;
	if (f->kind != FD_CONSOLE)
		return -EBADF; /* stdin and /proc snapshots are read-only */
	return write_console(p, buf, len);
}

static long fd_read(struct proc *p, uint64_t fd, uint64_t buf, uint64_t len)
{
	struct fdesc *f = fd_get(p, fd);
	size_t n;

	if (!f)
		return -EBADF;
	if (!user_range_ok(buf, len))
		return -EFAULT;
	if (f->kind == FD_STDIN)
		return 0; /* no keyboard yet: end of file */
	if (f->kind != FD_MEMFILE)
		return -EBADF;
	n = f->pos < f->size ? f->size - f->pos : 0;
	if (n > len)
		n = len;
	if (copy_to_user(buf, f->data + f->pos, n))
		return -EFAULT;
	f->pos += n;
	return (long)n;
}

long sys_read(struct proc *p, const uint64_t *a)
{
	return fd_read(p, a[0], a[1], a[2]);
}

long sys_write(struct proc *p, const uint64_t *a)
{
	return fd_write(p, a[0], a[1], a[2]);
}

/* readv and writev: the same loop over struct iovec with read or write. */
static long rwv(struct proc *p, uint64_t fd, uint64_t uiov, uint64_t cnt, int writing)
{
	long total = 0;

	if (!fd_get(p, fd))
		return -EBADF;
	if (cnt > IOV_MAX)
		return -EINVAL;
	for (uint64_t i = 0; i < cnt; i++) {
		struct lx_iovec v;
		long r;

		if (copy_from_user(&v, uiov + i * sizeof(v), sizeof(v)))
			return -EFAULT;
		r = writing ? fd_write(p, fd, v.base, v.len) : fd_read(p, fd, v.base, v.len);
		if (r < 0)
			return total ? total : r;
		total += r;
		if (!writing && (uint64_t)r < v.len)
			break; /* short read: end of file */
	}
	return total;
}

long sys_readv(struct proc *p, const uint64_t *a)
{
	return rwv(p, a[0], a[1], a[2], 0);
}

long sys_writev(struct proc *p, const uint64_t *a)
{
	return rwv(p, a[0], a[1], a[2], 1);
}

/* Render /proc/self/maps or /proc/self/status into a fresh snapshot. */
static char *proc_file(struct proc *p, const char *name, size_t *size)
{
	struct proc_status st;
	size_t need;
	char *buf;

	memset(&st, 0, sizeof(st));
	st.name = p->name;
	st.pid = p->pid;
	st.state = 'R';
	st.threads = 1;
	/* Only status needs the resident counts, which cost a walk over every page. */
	if (strcmp(name, "maps"))
		uvm_status(&p->uvm, &st);
	need = !strcmp(name, "maps") ? procfs_maps(p->uvm.vmas, NULL, 0) : procfs_status(&st, NULL, 0);
	buf = kmalloc(need + 1);
	if (!buf)
		return NULL;
	if (!strcmp(name, "maps"))
		procfs_maps(p->uvm.vmas, buf, need + 1);
	else
		procfs_status(&st, buf, need + 1);
	*size = need;
	return buf;
}

/*
 * dirfd is the int Linux declares (syscall_dispatch cut it to 32 bits): glibc
 * passes AT_FDCWD zero-extended. As in Linux, an absolute path ignores it;
 * a relative one needs AT_FDCWD, or an open directory, and no fd here is one.
 */
static long open_at(struct proc *p, int64_t dirfd, uint64_t upath, uint64_t flags)
{
	char path[PATH_MAX], pidself[32];
	const char *leaf = NULL;
	long len;

	len = strncpy_from_user(path, upath, sizeof(path));
	if (len < 0)
		return len;
	if (path[0] != '/' && dirfd != AT_FDCWD)
		return dirfd < 0 || !fd_get(p, (uint64_t)dirfd) ? -EBADF : -ENOTDIR;
	ksnprintf(pidself, sizeof(pidself), "/proc/%d/", p->pid);
	if (!strncmp(path, "/proc/self/", 11))
		leaf = path + 11;
	else if (!strncmp(path, pidself, strlen(pidself)))
		leaf = path + strlen(pidself);
	if (!leaf || (strcmp(leaf, "maps") && strcmp(leaf, "status")))
		return -ENOENT; /* the only files there are */
	if ((flags & O_ACCMODE) != O_RDONLY)
		return -EACCES;
	for (int fd = 0; fd < PROC_FDS; fd++) {
		if (p->fd[fd].kind != FD_NONE)
			continue;
		p->fd[fd].data = proc_file(p, leaf, &p->fd[fd].size);
		if (!p->fd[fd].data)
			return -ENOMEM;
		p->fd[fd].kind = FD_MEMFILE;
		p->fd[fd].pos = 0;
		return fd;
	}
	return -EMFILE;
}

long sys_open(struct proc *p, const uint64_t *a)
{
	return open_at(p, AT_FDCWD, a[0], a[1]);
}

long sys_openat(struct proc *p, const uint64_t *a)
{
	return open_at(p, (int64_t)a[0], a[1], a[2]);
}

long sys_close(struct proc *p, const uint64_t *a)
{
	struct fdesc *f = fd_get(p, a[0]);

	if (!f)
		return -EBADF;
	kfree(f->data);
	memset(f, 0, sizeof(*f));
	return 0;
}

long sys_lseek(struct proc *p, const uint64_t *a)
{
	struct fdesc *f = fd_get(p, a[0]);
	int64_t off = (int64_t)a[1], base;
	uint64_t whence = a[2];

	if (!f)
		return -EBADF;
	if (f->kind != FD_MEMFILE)
		return -ESPIPE;
	base = whence == SEEK_SET ? 0 :
	       whence == SEEK_CUR ? (int64_t)f->pos :
	       whence == SEEK_END ? (int64_t)f->size :
				    -1;
	if (base < 0 || base + off < 0)
		return -EINVAL;
	f->pos = (size_t)(base + off);
	return (long)f->pos;
}

/* No terminal yet: every request, TIOCGWINSZ too, is -ENOTTY on an open fd. */
long sys_ioctl(struct proc *p, const uint64_t *a)
{
	return fd_get(p, a[0]) ? -ENOTTY : -EBADF;
}
