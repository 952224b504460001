/* SPDX-License-Identifier: MIT */
/*
 * progs.c - extra ring-3 programs from the boot volume, read before
 * ExitBootServices so the kernel never needs a file system: every entry of
 * run="\path\prog.elf arg1 arg2;\other.elf", then every file in \atlas\bin\
 * (a firmware engineer drops a binary on the ESP and it runs; a directory
 * there is named in a warning and skipped). Problems are warnings naming the
 * file; the rest still load.
 */
#include "efi.h"
#include "kprintf.h"
#include "kstring.h"

#define PROG_MAX_BYTES (16ULL << 20)
#define BIN_DIR L"\\atlas\\bin"
#define BIN_DIR_ASCII "\\atlas\\bin\\"
#define DIRENT_BYTES 512

static void warn(struct boot_info *bi, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(struct boot_info *bi, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	efi_option_warning(bi, msg);
}

static void add(struct boot_info *bi, EFI_FILE_PROTOCOL *root, const char *path, const char *args, uint32_t instances)
{
	struct boot_prog *p;
	EFI_STATUS s;

	if (bi->nprogs == BOOT_PROGS_MAX) {
		warn(bi, "run: more than %d programs; '%s' not loaded", BOOT_PROGS_MAX, path);
		return;
	}
	p = &bi->progs[bi->nprogs];
	memset(p, 0, sizeof(*p));
	if (kstrlcpy(p->path, path, sizeof(p->path)) >= sizeof(p->path) ||
	    kstrlcpy(p->args, args, sizeof(p->args)) >= sizeof(p->args)) {
		warn(bi, "run: path or arguments of '%s' too long; not loaded", path);
		return;
	}
	p->instances = instances;
	s = efi_read_file(root, path, PROG_MAX_BYTES, &p->phys, &p->size);
	if (s != EFI_SUCCESS) {
		warn(bi, "run: cannot load '%s': %s%s", path, efi_status_str(s),
		     s == EFI_BAD_BUFFER_SIZE ? " (empty, or larger than 16 MiB)" : "");
		return;
	}
	bi->nprogs++;
}

/* run=: entries separated by ';', each "PATH ARG ARG". */
static void load_run_option(struct boot_info *bi, EFI_FILE_PROTOCOL *root)
{
	const char *r = bi->opts.run;

	while (*r) {
		char path[BOOT_PROG_PATH] = "", args[BOOT_PROG_ARGS] = "";
		size_t pn = 0, an = 0;
		uint32_t instances;

		while (*r == ' ')
			r++;
		while (*r && *r != ' ' && *r != ';')
			if (pn + 1 < sizeof(path))
				path[pn++] = *r++;
			else
				r++;
		while (*r == ' ')
			r++;
		while (*r && *r != ';')
			if (an + 1 < sizeof(args))
				args[an++] = *r++;
			else
				r++;
		while (an && args[an - 1] == ' ')
			an--;
		path[pn] = 0;
		args[an] = 0;
		/* "\path*N": N instances at the same time, like ATLAS-INSTANCES (tests/user/README.md). */
		if (pn > 2 && path[pn - 2] == '*' && path[pn - 1] >= '1' && path[pn - 1] <= '8') {
			instances = (uint32_t)(path[pn - 1] - '0');
			path[pn - 2] = 0;
			pn -= 2;
		} else {
			instances = 1;
		}
		if (pn)
			add(bi, root, path, args, instances);
		if (*r == ';')
			r++;
	}
}

/* Every regular file in \atlas\bin\, in directory order. */
static void load_bin_dir(struct boot_info *bi, EFI_FILE_PROTOCOL *root)
{
	EFI_FILE_PROTOCOL *dir;
	union {
		EFI_FILE_INFO info;
		uint8_t raw[DIRENT_BYTES];
	} u;

	if (root->Open(root, &dir, BIN_DIR, EFI_FILE_MODE_READ, 0) != EFI_SUCCESS)
		return; /* no \atlas\bin: nothing to do */
	for (;;) {
		char path[BOOT_PROG_PATH];
		size_t n = sizeof(BIN_DIR_ASCII) - 1, i;
		UINTN size = sizeof(u);

		if (dir->Read(dir, &size, &u) != EFI_SUCCESS || size == 0)
			break;
		memcpy(path, BIN_DIR_ASCII, n);
		for (i = 0; u.info.FileName[i] && n + 1 < sizeof(path); i++)
			path[n++] = u.info.FileName[i] < 0x80 ? (char)u.info.FileName[i] : '?';
		path[n] = 0;
		if (u.info.Attribute & EFI_FILE_DIRECTORY) {
			const char *name = path + sizeof(BIN_DIR_ASCII) - 1;

			/* FAT keeps "." and ".." in every subdirectory: not the user's doing. */
			if (strcmp(name, ".") && strcmp(name, ".."))
				warn(bi, "run: '%s' is a directory; skipped (only the files in %s run)", path,
				     BIN_DIR_ASCII);
			continue;
		}
		add(bi, root, path, "", 1);
	}
	dir->Close(dir);
}

void efi_load_programs(struct boot_info *bi, EFI_LOADED_IMAGE *li)
{
	EFI_FILE_PROTOCOL *root = efi_open_root(li, "run");

	if (!root)
		return;
	load_run_option(bi, root);
	load_bin_dir(bi, root);
	root->Close(root);
	if (bi->nprogs)
		efi_log("Atlas: %u extra program(s) loaded from the boot volume\n", bi->nprogs);
}
