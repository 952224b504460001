/* SPDX-License-Identifier: MIT */
/*
 * elf_check.c - the first checks of an ELF parse: e_ident (magic, class,
 * byte order, version, OS ABI) and the ELF header (version, machine, type,
 * header sizes, and that the program header table lies inside the bytes
 * read). Apart from elf.c, which checks and places the program headers,
 * because these checks need nothing but the 64-byte header and name the
 * values they refuse by their gABI names.
 *
 * Built into the kernel and the host tests: no libc, no allocation. The file
 * is untrusted: the header is copied out with memcpy only after its bounds
 * have been checked, and every sum or product taken from it is
 * overflow-checked.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf.h"
#include "elf_internal.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"

/* gABI names elf64.h does not define (guarded in case it grows them). */
#ifndef EI_MAG0
#define EI_MAG0 0
#endif
#ifndef SELFMAG
#define SELFMAG 4
#endif
#ifndef EI_OSABI
#define EI_OSABI 7
#endif
#ifndef ELFCLASSNONE
#define ELFCLASSNONE 0
#endif
#ifndef ELFCLASS32
#define ELFCLASS32 1
#endif
#ifndef ELFDATANONE
#define ELFDATANONE 0
#endif
#ifndef ELFDATA2MSB
#define ELFDATA2MSB 2
#endif
#ifndef ELFOSABI_SYSV
#define ELFOSABI_SYSV 0
#endif
#ifndef ELFOSABI_NETBSD
#define ELFOSABI_NETBSD 2
#endif
#ifndef ELFOSABI_GNU
#define ELFOSABI_GNU 3
#endif
#ifndef ELFOSABI_SOLARIS
#define ELFOSABI_SOLARIS 6
#endif
#ifndef ELFOSABI_FREEBSD
#define ELFOSABI_FREEBSD 9
#endif
#ifndef ELFOSABI_OPENBSD
#define ELFOSABI_OPENBSD 12
#endif
#ifndef ELFOSABI_STANDALONE
#define ELFOSABI_STANDALONE 255
#endif
#ifndef ET_NONE
#define ET_NONE 0
#endif
#ifndef ET_REL
#define ET_REL 1
#endif
#ifndef ET_CORE
#define ET_CORE 4
#endif
#ifndef EM_NONE
#define EM_NONE 0
#endif
#ifndef EM_386
#define EM_386 3
#endif
#ifndef EM_PPC64
#define EM_PPC64 21
#endif
#ifndef EM_S390
#define EM_S390 22
#endif
#ifndef EM_ARM
#define EM_ARM 40
#endif
#ifndef EM_AARCH64
#define EM_AARCH64 183
#endif
#ifndef EM_RISCV
#define EM_RISCV 243
#endif
#ifndef PN_XNUM
#define PN_XNUM 0xffff /* e_phnum escape: the real count is in section header 0 */
#endif

/* The magic, e_ident[EI_MAG0..EI_MAG3]. */
static const uint8_t elf_magic[SELFMAG] = { 0x7f, 'E', 'L', 'F' };

/*
 * Program headers read at most. Real programs have about ten; Linux caps the
 * table at 64 KiB (1170 entries). This bounds the work a hostile file causes.
 */
#define ELF_MAX_PHNUM 1024

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The ELF header is the in-memory structure: copied out whole with memcpy. */
_Static_assert(sizeof(Elf64_Ehdr) == 64, "Elf64_Ehdr is 64 bytes in the file");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "ELFDATA2LSB fields are read as host integers");

struct named {
	unsigned int value;
	const char *name;
};

/* clang-format off */
#define NAMED(x) { (x), #x }

static const struct named class_names[] = { NAMED(ELFCLASSNONE), NAMED(ELFCLASS32), NAMED(ELFCLASS64) };
static const struct named data_names[] = { NAMED(ELFDATANONE), NAMED(ELFDATA2LSB), NAMED(ELFDATA2MSB) };
static const struct named osabi_names[] = {
	NAMED(ELFOSABI_SYSV), NAMED(ELFOSABI_NETBSD), NAMED(ELFOSABI_GNU), NAMED(ELFOSABI_SOLARIS),
	NAMED(ELFOSABI_FREEBSD), NAMED(ELFOSABI_OPENBSD), NAMED(ELFOSABI_STANDALONE),
};
static const struct named type_names[] = {
	NAMED(ET_NONE), NAMED(ET_REL), NAMED(ET_EXEC), NAMED(ET_DYN), NAMED(ET_CORE),
};
static const struct named machine_names[] = {
	NAMED(EM_NONE), NAMED(EM_386), NAMED(EM_PPC64), NAMED(EM_S390), NAMED(EM_ARM), NAMED(EM_X86_64),
	NAMED(EM_AARCH64), NAMED(EM_RISCV),
};
/* clang-format on */

static const char *name_of(const struct named *t, size_t n, unsigned int value)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].value == value) {
			return t[i].name;
		}
	}
	return "unknown";
}

#define NAME_OF(table, value) name_of((table), COUNT(table), (value))

/* Clear the half-filled image and fail; err was written by the REJECT() that calls this. */
int elf_reject(struct elf_parse_ctx *p, int len)
{
	(void)len;
	memset(p->img, 0, sizeof(*p->img));
	return -ENOEXEC;
}

int elf_check_ident(struct elf_parse_ctx *p)
{
	const uint8_t *id = p->data;
	size_t n = p->size < SELFMAG ? p->size : SELFMAG;

	/* The magic first, on whatever part of it there is: a text file is "not ELF", not "too short". */
	if (memcmp(id, elf_magic, n) != 0) {
		uint8_t m[SELFMAG] = { 0 };

		memcpy(m, id, n);
		return REJECT(
			p, "e_ident[EI_MAG0..3] is %02x %02x %02x %02x, expected 7f 45 4c 46 (\"\\177ELF\"): not ELF",
			m[0], m[1], m[2], m[3]);
	}
	if (p->size < sizeof(Elf64_Ehdr)) {
		return REJECT(p, "file is %zu bytes, shorter than the %zu-byte ELF header", p->size,
			      sizeof(Elf64_Ehdr));
	}
	memcpy(&p->eh, p->data, sizeof(p->eh));
	id = p->eh.e_ident;
	if (id[EI_CLASS] != ELFCLASS64) {
		return REJECT(p, "e_ident[EI_CLASS] is %u (%s), expected %u (ELFCLASS64)", id[EI_CLASS],
			      NAME_OF(class_names, id[EI_CLASS]), ELFCLASS64);
	}
	if (id[EI_DATA] != ELFDATA2LSB) {
		return REJECT(p, "e_ident[EI_DATA] is %u (%s), expected %u (ELFDATA2LSB)", id[EI_DATA],
			      NAME_OF(data_names, id[EI_DATA]), ELFDATA2LSB);
	}
	if (id[EI_VERSION] != EV_CURRENT) {
		return REJECT(p, "e_ident[EI_VERSION] is %u, expected %u (EV_CURRENT)", id[EI_VERSION], EV_CURRENT);
	}
	if (id[EI_OSABI] != ELFOSABI_SYSV && id[EI_OSABI] != ELFOSABI_GNU) {
		return REJECT(p, "e_ident[EI_OSABI] is %u (%s), expected %u (ELFOSABI_SYSV) or %u (ELFOSABI_GNU)",
			      id[EI_OSABI], NAME_OF(osabi_names, id[EI_OSABI]), ELFOSABI_SYSV, ELFOSABI_GNU);
	}
	return 0;
}

int elf_check_ehdr(struct elf_parse_ctx *p)
{
	const Elf64_Ehdr *eh = &p->eh;
	uint64_t table, end;

	if (eh->e_version != EV_CURRENT) {
		return REJECT(p, "e_version is %u, expected %u (EV_CURRENT)", eh->e_version, EV_CURRENT);
	}
	if (eh->e_machine != EM_X86_64) {
		return REJECT(p, "e_machine is 0x%x (%s), expected 0x%x (EM_X86_64)", eh->e_machine,
			      NAME_OF(machine_names, eh->e_machine), EM_X86_64);
	}
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN) {
		return REJECT(p, "e_type is %u (%s), expected %u (ET_EXEC) or %u (ET_DYN)", eh->e_type,
			      NAME_OF(type_names, eh->e_type), ET_EXEC, ET_DYN);
	}
	if (eh->e_ehsize != sizeof(Elf64_Ehdr)) {
		return REJECT(p, "e_ehsize is %u, expected %zu (sizeof(Elf64_Ehdr))", eh->e_ehsize, sizeof(Elf64_Ehdr));
	}
	if (eh->e_phentsize != sizeof(Elf64_Phdr)) {
		return REJECT(p, "e_phentsize is %u, expected %zu (sizeof(Elf64_Phdr))", eh->e_phentsize,
			      sizeof(Elf64_Phdr));
	}
	if (eh->e_phnum == 0) {
		return REJECT(p, "e_phnum is 0: no program headers, nothing to load");
	}
	if (eh->e_phnum == PN_XNUM) {
		return REJECT(p, "e_phnum is 0x%x (PN_XNUM): extended program header numbering is not supported",
			      PN_XNUM);
	}
	if (eh->e_phnum > ELF_MAX_PHNUM) {
		return REJECT(p, "e_phnum is %u, more than the %u program headers Atlas reads", eh->e_phnum,
			      ELF_MAX_PHNUM);
	}
	if (__builtin_mul_overflow((uint64_t)eh->e_phnum, (uint64_t)sizeof(Elf64_Phdr), &table) ||
	    __builtin_add_overflow(eh->e_phoff, table, &end)) {
		return REJECT(p, "program header table (e_phoff 0x%llx + %u x %zu) overflows", ULL(eh->e_phoff),
			      eh->e_phnum, sizeof(Elf64_Phdr));
	}
	if (end > p->size) {
		return REJECT(p,
			      "program header table (e_phoff 0x%llx + %u x %zu) runs past the end of the %zu-byte file",
			      ULL(eh->e_phoff), eh->e_phnum, sizeof(Elf64_Phdr), p->size);
	}
	if (end > p->avail) {
		return REJECT(p, "program header table (e_phoff 0x%llx + %u x %zu) is not in the first %zu bytes read",
			      ULL(eh->e_phoff), eh->e_phnum, sizeof(Elf64_Phdr), p->avail);
	}
	return 0;
}
