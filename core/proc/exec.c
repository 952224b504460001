/* SPDX-License-Identifier: MIT */
/*
 * exec.c - execve and execveat: the steps seed 000 walks through.
 *
 *  1. copy the path, argv and envp in from the caller (E2BIG, EFAULT;
 *     exec_args.c);
 *  2. find the file (ENOENT, EACCES for no x bit or not a regular file) and
 *     read it in;
 *  3. "#!" scripts: the interpreter and its one optional argument go in
 *     front, the script's name replaces argv[0], and the interpreter is
 *     loaded instead (5 nested scripts, ELOOP beyond, as Linux 5.8+; the
 *     line itself is read by exec_script.c);
 *  4. validate the ELF (core/proc/elf.c; a dynamic program is ENOEXEC with
 *     the reason said on the console) and build the new address space:
 *     segments, [stack] with argc/argv/envp/auxv, the break;
 *  5. only then, with nothing left that can fail, replace the old one: the
 *     caller of a failed exec gets its error back with everything intact.
 *     Close-on-exec descriptors close, caught signals return to their
 *     default, the alternate signal stack goes, a vfork parent wakes.
 *
 * {"rec":"exec"} records what was placed where (with log=debug also a line).
 */
#include "aslr.h"
#include "elf.h"
#include "exec_internal.h"
#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "options.h"
#include "proc.h"
#include "record.h"
#include "syscall.h"
#include "sysfs_util.h"
#include "uaccess.h"
#include "vfs.h"
#include "x86.h"

#define INTERP_DEPTH 5 /* nested scripts (Linux 5.8+: exec_binprm's depth > 5) */
#define EXEC_FILE_MAX (256ULL << 20)
#define EXEC_HEAD 4096 /* what exec reads before deciding: Linux's first page (bprm->buf is 256 bytes of it) */

/* n bytes of f from off into dst, all of them: 0, or the read's error (-EIO when short). */
static int read_exact(struct file *f, uint64_t off, void *dst, size_t n)
{
	struct uio u = uio_kernel(dst, n);
	long r = n ? vfs_pread(f, &u, off) : 0;

	return r < 0 ? (int)r : (size_t)r != n ? -EIO : 0;
}

/* uvm_load_elf_from's reader: the segments' bytes straight from the file into the new pages. */
static int file_reader(void *ctx, uint64_t off, void *dst, size_t n)
{
	return read_exact(ctx, off, dst, n);
}

/* Whether an ELF file's program header table lies past its first avail bytes (the parser needs it). */
static int phdrs_beyond(const char *head, size_t avail)
{
	Elf64_Ehdr eh;

	if (avail < sizeof(eh) || memcmp(head, "\177ELF", 4))
		return 0; /* not ELF, or all of it is here: the parser says what is wrong */
	memcpy(&eh, head, sizeof(eh));
	return eh.e_phoff > avail || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > avail - eh.e_phoff;
}

/*
 * Open ino and read what exec decides on: the first EXEC_HEAD bytes (the
 * "#!" line, or the ELF and program headers, which every linker puts in the
 * first page), or the whole file when its program headers lie further in.
 * The segments are read later from *fp, straight into the new pages. On
 * success the caller puts *fp and frees *out (the first *avail bytes of
 * the *size).
 */
static long read_head(struct inode *ino, struct file **fp, char **out, size_t *avail, size_t *size)
{
	size_t n = ino->size < EXEC_HEAD ? ino->size : EXEC_HEAD;
	struct file *f;
	char *buf;
	int err;

	if (ino->size > EXEC_FILE_MAX)
		return -ENOMEM;
	err = vfs_open_inode(ino, O_RDONLY, &f);
	if (err)
		return err;
	*size = ino->size;
	buf = kmalloc(n ? n : 1);
	err = buf ? read_exact(f, 0, buf, n) : -ENOMEM;
	if (!err && n < *size && phdrs_beyond(buf, n)) {
		kfree(buf);
		n = *size;
		buf = kmalloc(n);
		err = buf ? read_exact(f, 0, buf, n) : -ENOMEM;
	}
	if (err) {
		kfree(buf);
		file_put(f);
		return err;
	}
	*fp = f;
	*out = buf;
	*avail = n;
	return 0;
}

/* Say why a file could not be run: one line and a record. */
static void refuse(const char *path, const char *why)
{
	struct proc *p = proc_current();
	struct jrec r;

	if (report_human())
		kprintf("exec: pid %d: %s: %s\n", p ? p->pid : 0, path, why);
	jrec_begin(&r, "exec");
	jrec_u64(&r, "pid", p ? (uint64_t)p->pid : 0);
	jrec_str(&r, "path", path);
	jrec_bool(&r, "ok", 0);
	jrec_str(&r, "reason", why);
	report_emit(&r);
}

/* Blocks the argv rewrites of "#!" levels allocated: freed together at the end. */
struct scratch {
	void *blocks[2 * INTERP_DEPTH + 2];
	int n;
};

static void scratch_free(struct scratch *sc)
{
	for (int i = 0; i < sc->n; i++)
		kfree(sc->blocks[i]);
	sc->n = 0;
}

struct loaded {
	int path_gone; /* execveat through a close-on-exec descriptor: a script is -ENOENT */
	struct uvm *uvm;
	struct elf_image img;
	uint64_t rsp;
	unsigned personality; /* the caller's: ADDR_NO_RANDOMIZE keeps the fixed layout */
	struct aslr_pick aslr;
	char path[PROC_PATH];
};

/*
 * Steps 2-4 for path (from base): the new address space in *ld. Scripts
 * recurse with their interpreter; argv may be rewritten (its new storage is
 * kept in sc, freed by the caller).
 */
static long load(const struct fs_ctx *fs, struct inode *base, const char *path, struct strv *argv,
		 const struct strv *envp, int depth, struct loaded *ld, struct scratch *sc, const char *execfn)
{
	char err[ELF_ERR_MAX], *data = NULL, name[NAME_MAX + 1];
	struct inode *ino, *parent = NULL;
	/* Set by read_head; gcc cannot see that through the inlined error paths. */
	struct file *f = NULL;
	size_t size = 0, avail = 0;
	long r;

	r = vfs_walk_named(fs, base, path, WALK_FOLLOW, &ino, &parent, name);
	if (r)
		return r;
	/* The file's own path, symlinks resolved, as /proc/PID/exe and the maps lines show it on Linux. */
	if (parent) {
		long n = vfs_dir_path(fs, parent, ld->path, sizeof(ld->path));

		if (n >= 0)
			ksnprintf(ld->path + n, sizeof(ld->path) - (size_t)n, "%s%s", n > 1 ? "/" : "", name);
		inode_put(parent);
	} else {
		/* Reached through a magic link (/proc/self/exe, as busybox re-runs itself): the path it names. */
		long n = vfs_readlink(fs, base, path, ld->path, sizeof(ld->path) - 1);

		if (n > 0 && ld->path[0] == '/')
			ld->path[n] = 0;
		else
			kstrlcpy(ld->path, path, sizeof(ld->path));
	}
	if (!S_ISREG(ino->mode) || !(ino->mode & 0111)) {
		inode_put(ino);
		return -EACCES;
	}
	/* Linux's exec_binprm: the interpreter is opened, then a chain past INTERP_DEPTH scripts is ELOOP. */
	if (depth > INTERP_DEPTH) {
		inode_put(ino);
		refuse(path, "the interpreter of more than 5 nested \"#!\" scripts");
		return -ELOOP;
	}
	r = read_head(ino, &f, &data, &avail, &size);
	inode_put(ino);
	if (r)
		return r;
	if (avail >= 2 && data[0] == '#' && data[1] == '!') {
		char line[BINPRM_BUF] = { 0 }, *interp, *arg;
		char **nv;
		size_t k = 0;
		const char *why = NULL;
		int lr;

		memcpy(line, data, avail < BINPRM_BUF ? avail : BINPRM_BUF);
		kfree(data);
		file_put(f);
		lr = exec_script_line(line, &interp, &arg, &why);
		if (lr) {
			refuse(path, why); /* one line naming the script and the reason, as for an ELF */
			return lr;
		}
		/* A script named through a descriptor that closes on exec: its interpreter could not open it. */
		if (ld->path_gone)
			return -ENOENT;
		/* "" opens the working directory on Linux (open_exec of an empty name): not a regular file. */
		if (!*interp)
			return -EACCES;
		/* argv becomes: interp [arg] path argv[1..]; the strings live in one new block. */
		/* The script as the interpreter gets it: the name execve was given (execveat: /dev/fd/N/NAME). */
		const char *script = depth ? path : execfn;
		size_t need = strlen(interp) + 1 + (arg ? strlen(arg) + 1 : 0) + strlen(script) + 1;
		nv = kcalloc(argv->n + 3 + 1, sizeof(char *));
		char *blk = kmalloc(need);
		if (!nv || !blk) {
			kfree(nv);
			kfree(blk);
			return -ENOMEM;
		}
		char *w = blk;
		nv[k++] = w;
		w += ksnprintf(w, need, "%s", interp) + 1;
		if (arg) {
			nv[k++] = w;
			w += ksnprintf(w, need - (size_t)(w - blk), "%s", arg) + 1;
		}
		nv[k++] = w;
		ksnprintf(w, need - (size_t)(w - blk), "%s", script);
		for (size_t i = 1; i < argv->n; i++)
			nv[k++] = argv->v[i];
		nv[k] = NULL;
		sc->blocks[sc->n++] = nv;
		sc->blocks[sc->n++] = blk;
		{
			struct strv sv = { nv, NULL, k, 0 };

			/* The interpreter is looked up from the root or the cwd, not from an *at() base (open_exec). */
			r = load(fs, NULL, nv[0], &sv, envp, depth + 1, ld, sc, execfn);
			if (!r)
				*argv = sv;
		}
		return r;
	}
	/* Where the stack, the mmap area and the break go (ASLR), then a static-PIE at the mmap area's top. */
	aslr_pick(ld->personality, &ld->aslr);
	r = elf_parse_head_below(data, avail, size, ld->aslr.l.mmap_top, &ld->img, err);
	kfree(data);
	if (r) {
		refuse(path, err);
		file_put(f);
		return -ENOEXEC;
	}
	aslr_place_brk(&ld->aslr, &ld->img);
	ld->uvm = uvm_new();
	r = ld->uvm ? 0 : -ENOMEM;
	if (!r) {
		uvm_set_layout(ld->uvm, &ld->aslr.l);
		r = uvm_load_elf_from(ld->uvm, &ld->img, file_reader, f, ld->path, err, sizeof(err));
		if (r && err[0])
			refuse(path, err); /* a named reason: a .bss larger than memory, ... */
	}
	if (!r) {
		ld->uvm->load_base = ld->img.load_bias;
		r = uvm_setup_stack(ld->uvm, &ld->img, (const char *const *)argv->v, (const char *const *)envp->v,
				    execfn, &ld->rsp);
	}
	file_put(f);
	if (r) {
		uvm_put(ld->uvm);
		ld->uvm = NULL;
		return r;
	}
	return 0;
}

/* The exec record: what seed 000 lists, for this program. */
static void record(const struct proc *p, const struct loaded *ld, const struct strv *argv, size_t envc)
{
	struct jrec r;

	if (report_human() && g_boot->opts.log != LOG_INFO)
		kprintf("exec: pid %d %s: entry 0x%llx, stack 0x%llx, brk 0x%llx, %zu args, %zu env%s\n", p->pid,
			ld->path, (unsigned long long)ld->img.entry, (unsigned long long)ld->rsp,
			(unsigned long long)ld->uvm->brk, argv->n, envc, ld->aslr.level ? ", randomized" : "");
	jrec_begin(&r, "exec");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "path", ld->path);
	jrec_bool(&r, "ok", 1);
	jrec_hex(&r, "entry", ld->img.entry);
	jrec_hex(&r, "phdr", ld->img.phdr_vaddr);
	jrec_hex(&r, "load_base", ld->uvm->load_base);
	jrec_hex(&r, "stack", ld->rsp);
	jrec_hex(&r, "brk", ld->uvm->brk);
	jrec_u64(&r, "segments", (uint64_t)ld->img.nseg);
	jrec_u64(&r, "argc", argv->n);
	jrec_u64(&r, "envc", envc);
	jrec_hex(&r, "arg_start", ld->uvm->arg_start);
	jrec_hex(&r, "env_end", ld->uvm->env_end);
	/* ASLR: the edges it drew (all 0 at level 0, the fixed layout of memlayout.h). */
	jrec_u64(&r, "aslr", (uint64_t)ld->aslr.level);
	jrec_hex(&r, "stack_top", ld->uvm->stack_top);
	jrec_hex(&r, "stack_rnd", ld->aslr.stack_rnd);
	jrec_hex(&r, "stack_pad", ld->aslr.stack_pad);
	jrec_hex(&r, "mmap_top", ld->uvm->mmap_top);
	jrec_hex(&r, "mmap_rnd", ld->aslr.mmap_rnd);
	jrec_hex(&r, "brk_start", ld->uvm->brk_start);
	jrec_hex(&r, "brk_rnd", ld->aslr.brk_rnd);
	report_emit(&r);
}

/* Step 5: the caller becomes the new program. Cannot fail. */
static void commit(struct loaded *ld, const char *name)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	struct uvm *old = p->uvm;
	struct trap_frame *tf = t->tf;
	const char *base = name;

	p->uvm = ld->uvm;
	write_cr3(p->uvm->pt.root);
	uvm_put(old);
	fdtable_close_on_exec(p->files);
	if (p->sighand->refs > 1) {
		struct sighand *own = sighand_copy(p->sighand);

		if (own) {
			sighand_put(p->sighand);
			p->sighand = own;
		}
	}
	sighand_reset_for_exec(p->sighand);
	t->altstack = (struct lx_stack){ 0, SS_DISABLE, 0, 0 };
	t->fs_base = 0;
	wrmsr(MSR_FS_BASE, 0);
	sched_fpu_reset();
	for (const char *c = name; *c; c++)
		if (*c == '/')
			base = c + 1;
	kstrlcpy(p->name, base, sizeof(p->name));
	kstrlcpy(p->path, ld->path, sizeof(p->path));
	p->arg_start = p->uvm->arg_start;
	p->arg_end = p->uvm->arg_end;
	p->env_start = p->uvm->env_start;
	p->env_end = p->uvm->env_end;
	p->did_exec = 1;
	p->personality &= ~READ_IMPLIES_EXEC; /* what Linux's SET_PERSONALITY does for a 64-bit program */
	vfork_release(p);
	memset(tf, 0, offsetof(struct trap_frame, vector));
	tf->rip = ld->img.entry;
	tf->rsp = ld->rsp;
	tf->rflags = RFLAGS_IF | RFLAGS_RESERVED1;
	tf->vector = VEC_SIGNAL; /* IRETQ: every register as the ABI says (zero) */
	t->syscall_nr = -1;
}

long do_execve(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp, uint64_t flags)
{
	struct proc *p = proc_current();
	struct strv argv, envp;
	struct loaded ld;
	struct inode *base;
	struct scratch sc = { { 0 }, 0 };
	char *path;
	size_t total = 0;
	long r;

	if (flags & ~(uint64_t)(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	r = path_in(upath, &path, 0);
	if (r)
		return r;
	memset(&ld, 0, sizeof(ld));
	r = at_base(dirfd, path, &base);
	if (!r)
		r = exec_strv_in(uargv, &argv, &total);
	if (r) {
		kfree(path);
		return r;
	}
	r = exec_strv_in(uenvp, &envp, &total);
	if (r) {
		exec_strv_free(&argv);
		kfree(path);
		return r;
	}
	struct strv run = argv;
	/*
	 * The name the new program is given (a script's interpreter gets it as
	 * its script, AT_EXECFN points at it): the path, or for execveat from a
	 * descriptor "/dev/fd/N/PATH", as Linux's do_execveat_common names it.
	 */
	char fdname[PROC_PATH + 32];
	const char *execfn = path;

	if (dirfd != AT_FDCWD && path[0] != '/') {
		ksnprintf(fdname, sizeof(fdname), path[0] ? "/dev/fd/%d/%s" : "/dev/fd/%d", dirfd, path);
		execfn = fdname;
		ld.path_gone = fd_get_cloexec(p->files, dirfd) == 1;
	}
	ld.personality = p->personality;
	r = load(p->fs, base, path, &run, &envp, 0, &ld, &sc, execfn);
	/* The new image is ready: now the other threads end, in the old address space. */
	if (!r && (p->nthreads > 1 || thread_current()->tid != p->pid)) {
		r = proc_end_other_threads();
		if (r)
			uvm_put(ld.uvm);
	}
	if (!r) {
		record(p, &ld, &run, envp.n);
		commit(&ld, path);
	}
	scratch_free(&sc);
	exec_strv_free(&argv);
	exec_strv_free(&envp);
	kfree(path);
	return r;
}

long sys_execve(uint64_t upath, uint64_t uargv, uint64_t uenvp)
{
	return do_execve(AT_FDCWD, upath, uargv, uenvp, 0);
}

long sys_execveat(int dirfd, uint64_t upath, uint64_t uargv, uint64_t uenvp, int flags)
{
	return do_execve(dirfd, upath, uargv, uenvp, flags);
}

struct proc *proc_spawn_path(const char *path, const char *const *argv, const char *const *envp, int ctty, char *err,
			     size_t err_size)
{
	struct strv av = { (char **)argv, NULL, 0, 0 }, ev = { (char **)envp, NULL, 0, 0 };
	struct scratch sc = { { 0 }, 0 };
	struct fs_ctx *fs = fs_ctx_new(vfs_root(), vfs_root());
	struct loaded ld;
	struct proc *p = NULL;
	int pid = proc_alloc_pid();
	long r;

	while (argv && argv[av.n])
		av.n++;
	while (envp && envp[ev.n])
		ev.n++;
	memset(&ld, 0, sizeof(ld));
	r = !fs ? -ENOMEM : pid < 0 ? pid : load(fs, NULL, path, &av, &ev, 0, &ld, &sc, path);
	if (!r) {
		const char *base = path;

		for (const char *c = path; *c; c++)
			if (*c == '/')
				base = c + 1;
		p = proc_alloc(NULL, pid);
		r = p ? 0 : -ENOMEM;
		if (p) {
			p->kernel_waits = 1;
			record(p, &ld, &av, ev.n);
			p->uvm = ld.uvm;
			ld.uvm = NULL;
			kstrlcpy(p->name, base, sizeof(p->name));
			kstrlcpy(p->path, ld.path[0] == '/' ? ld.path : path, sizeof(p->path));
			p->arg_start = p->uvm->arg_start;
			p->arg_end = p->uvm->arg_end;
			p->env_start = p->uvm->env_start;
			p->env_end = p->uvm->env_end;
			r = proc_start(p, ld.img.entry, ld.rsp, ctty);
			if (r) {
				proc_abort(p);
				p = NULL;
			}
		}
	}
	if (ld.uvm)
		uvm_put(ld.uvm);
	scratch_free(&sc);
	fs_ctx_put(fs);
	if (r)
		ksnprintf(err, err_size, "%s (%ld)",
			  r == -ENOENT	? "no such file" :
			  r == -ENOEXEC ? "not an executable" :
			  r == -EACCES	? "not executable" :
					  "could not start it",
			  r);
	return p;
}
