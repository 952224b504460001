/* ATLAS-EXPECT: exit=0 */
/* ATLAS-ARGS: alpha beta-2 gamma=3 */
/* ATLAS-ENV: ATLAS_FOO=bar ATLAS_NUM=42 */
/* SPDX-License-Identifier: MIT */
/*
 * argv_env_auxv - the SysV initial stack: argc, argv (NULL-terminated),
 * envp (exactly the ATLAS-ENV entries), then auxv with AT_PHDR, AT_PHENT,
 * AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM, AT_EXECFN, AT_NULL; and each
 * auxv value checked: AT_PAGESZ 4096, AT_PHENT 56, AT_PHDR points at this
 * program's program headers (a PT_LOAD holds them and the ELF header is at
 * the start of the first PT_LOAD), AT_ENTRY is _start, AT_RANDOM 16 bytes
 * not all zero, AT_EXECFN equal to argv[0].
 */
#include <elf.h>
#include <sys/auxv.h>

#include "utest.h"

extern char _start[];

int main(int argc, char **argv, char **envp)
{
	static const char *const want_argv[] = { "alpha", "beta-2", "gamma=3" };
	static const unsigned long want_aux[] = {
		AT_PHDR, AT_PHENT, AT_PHNUM, AT_PAGESZ, AT_ENTRY, AT_RANDOM, AT_EXECFN
	};
	int envc = 0, found_foo = 0, found_num = 0;
	char **p;
	const Elf64_auxv_t *aux;
	const Elf64_Phdr *phdr;
	const Elf64_Ehdr *ehdr = NULL;
	unsigned long phnum;
	uintptr_t phdr_end;
	int phdrs_loaded = 0, entry_in_text = 0;

	CHECK(argc == 4, "argc is %d, expected 4", argc);
	CHECK(argv[0] != NULL && argv[0][0] != '\0', "argv[0] is empty");
	for (int i = 1; i < 4; i++)
		CHECK(strcmp(argv[i], want_argv[i - 1]) == 0, "argv[%d] is \"%s\", expected \"%s\"", i, argv[i],
		      want_argv[i - 1]);
	CHECK(argv[argc] == NULL, "argv[argc] is not NULL");
	CHECK(envp == argv + argc + 1, "envp is %p, expected argv + argc + 1 = %p", (void *)envp,
	      (void *)(argv + argc + 1));

	for (p = envp; *p; p++, envc++) {
		found_foo += strcmp(*p, "ATLAS_FOO=bar") == 0;
		found_num += strcmp(*p, "ATLAS_NUM=42") == 0;
	}
	CHECK(envc == 2 && found_foo == 1 && found_num == 1, "envp has %d entries, expected ATLAS_FOO=bar ATLAS_NUM=42",
	      envc);
	CHECK(strcmp(getenv("ATLAS_FOO"), "bar") == 0, "getenv(ATLAS_FOO) is wrong");

	/* auxv follows envp's NULL: each required entry present, ending with AT_NULL. */
	aux = (const Elf64_auxv_t *)(p + 1);
	for (size_t i = 0; i < sizeof(want_aux) / sizeof(want_aux[0]); i++) {
		const Elf64_auxv_t *a = aux;
		while (a->a_type != AT_NULL && a->a_type != want_aux[i])
			a++;
		CHECK(a->a_type == want_aux[i], "auxv has no entry of type %lu", want_aux[i]);
		CHECK(a->a_un.a_val == getauxval(want_aux[i]), "getauxval(%lu) disagrees with auxv", want_aux[i]);
	}

	CHECK(getauxval(AT_PAGESZ) == 4096, "AT_PAGESZ is %lu", getauxval(AT_PAGESZ));
	CHECK(getauxval(AT_PHENT) == sizeof(Elf64_Phdr), "AT_PHENT is %lu, expected 56", getauxval(AT_PHENT));
	phnum = getauxval(AT_PHNUM);
	CHECK(phnum >= 1 && phnum < 64, "AT_PHNUM is %lu", phnum);
	phdr = (const Elf64_Phdr *)getauxval(AT_PHDR);
	CHECK(phdr != NULL, "AT_PHDR is 0");
	phdr_end = (uintptr_t)(phdr + phnum);
	for (unsigned long i = 0; i < phnum; i++) {
		const Elf64_Phdr *ph = &phdr[i];
		if (ph->p_type != PT_LOAD)
			continue;
		CHECK(ph->p_memsz >= ph->p_filesz, "PT_LOAD %lu: memsz < filesz", i);
		if ((uintptr_t)phdr >= ph->p_vaddr && phdr_end <= ph->p_vaddr + ph->p_filesz)
			phdrs_loaded = 1;
		if ((ph->p_flags & PF_X) && getauxval(AT_ENTRY) >= ph->p_vaddr &&
		    getauxval(AT_ENTRY) < ph->p_vaddr + ph->p_memsz)
			entry_in_text = 1;
		if (ph->p_offset == 0 && ehdr == NULL)
			ehdr = (const Elf64_Ehdr *)ph->p_vaddr;
	}
	CHECK(phdrs_loaded, "no PT_LOAD covers AT_PHDR %p..%#lx", (const void *)phdr, (unsigned long)phdr_end);
	CHECK(entry_in_text, "AT_ENTRY %#lx is in no executable PT_LOAD", getauxval(AT_ENTRY));
	CHECK(ehdr != NULL, "no PT_LOAD maps the ELF header");
	CHECK(memcmp(ehdr->e_ident, ELFMAG, SELFMAG) == 0, "no ELF magic at %p", (const void *)ehdr);
	CHECK((uintptr_t)ehdr + ehdr->e_phoff == (uintptr_t)phdr, "AT_PHDR %p is not ELF header + e_phoff",
	      (const void *)phdr);
	CHECK(ehdr->e_phnum == phnum && ehdr->e_entry == getauxval(AT_ENTRY), "ELF header disagrees with auxv");
	CHECK(getauxval(AT_ENTRY) == (uintptr_t)_start, "AT_ENTRY is %#lx, _start is %p", getauxval(AT_ENTRY),
	      (void *)_start);

	{
		const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
		int nonzero = 0;
		CHECK(rnd != NULL, "AT_RANDOM is 0");
		for (int i = 0; i < 16; i++)
			nonzero |= rnd[i];
		CHECK(nonzero, "the 16 AT_RANDOM bytes are all zero");
	}
	{
		const char *execfn = (const char *)getauxval(AT_EXECFN);
		CHECK(execfn != NULL, "AT_EXECFN is 0");
		CHECK(strcmp(execfn, argv[0]) == 0, "AT_EXECFN \"%s\" differs from argv[0] \"%s\"", execfn, argv[0]);
	}
	say("argc 4, argv %s %s %s, 2 env vars, auxv: PAGESZ 4096, PHENT 56, PHDR/PHNUM %lu, ENTRY _start, RANDOM, "
	    "EXECFN \"%s\"",
	    argv[1], argv[2], argv[3], phnum, argv[0]);
	return 0;
}
