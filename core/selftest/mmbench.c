/* SPDX-License-Identifier: MIT */
/*
 * mmbench.c - bench=on figures for costs that must stay flat as the work
 * grows (issue 17, part 3), measured in the kernel where ring 3 cannot reach
 * the size: tools/bench.py boots these configurations with 2 GiB.
 *
 *   fault_at_64m_ns, fault_at_1g_ns   uvm_fault (the kernel's part of a
 *       demand-zero fault: area lookup, page, one table walk) per page,
 *       median of FAULT_RUNS batches of FAULT_OPS faults, taken after 64 MiB
 *       and after 1 GiB of the same process's pages were touched. Target:
 *       within 10% of each other.
 *   spawn_first_ns, spawn_1000th_ns   proc_spawn of the built-in "exit_code"
 *       (address space, ELF copy, stack), the first SPAWN_EDGE spawns of
 *       SPAWN_RUNS in a row against the last SPAWN_EDGE (medians), each
 *       process run to its end and reaped before the next. Target: within 10%.
 */
#include "bench.h"

#include "heap.h"
#include "kernel.h"
#include "kstring.h"
#include "memlayout.h"
#include "pmm.h"
#include "proc.h"
#include "tsc.h"
#include "userprog.h"
#include "uvm.h"
#include "x86.h"

#define FAULT_OPS 256
#define FAULT_RUNS 9
#define AT_64M (64ULL << 20)
#define AT_1G (1ULL << 30)
#define SPAWN_RUNS 1000
#define SPAWN_EDGE 25
#define ERR_MAX 128

static uint64_t median(uint64_t *v, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
			uint64_t x = v[j];

			v[j] = v[j - 1];
			v[j - 1] = x;
		}
	return v[n / 2];
}

/* Fault pages [*next, *next + n) of the area at base in; returns the TSC ticks they took. */
static uint64_t fault_run(struct uvm *u, uint64_t base, uint64_t *next, uint64_t n)
{
	char cause[PROC_CAUSE];
	uint64_t t0 = rdtsc();

	for (uint64_t i = 0; i < n; i++, (*next)++)
		if (uvm_fault(u, base + *next * PAGE_SIZE, PFERR_W | PFERR_U, cause, sizeof(cause)))
			return 0;
	return rdtsc() - t0;
}

/* ns per fault: median of FAULT_RUNS batches at the current size; 0 when a fault failed. */
static uint64_t fault_cost(struct uvm *u, uint64_t base, uint64_t *next)
{
	uint64_t t[FAULT_RUNS];

	for (int r = 0; r < FAULT_RUNS; r++) {
		t[r] = fault_run(u, base, next, FAULT_OPS);
		if (!t[r])
			return 0;
	}
	return tsc_to_ns(median(t, FAULT_RUNS)) / FAULT_OPS;
}

static void bench_faults(void)
{
	uint64_t need = (AT_1G + AT_64M) / PAGE_SIZE + 2 * UVM_RESERVE_PAGES, next = 0, at64, at1g;
	struct uvm u;
	long base;

	if (pmm_free_count() < need) {
		kprintf("bench: fault_at_1g needs %llu MiB free; skipped\n", (unsigned long long)(need >> 8));
		return;
	}
	if (uvm_create(&u))
		goto out;
	base = uvm_mmap(&u, 0, AT_1G + AT_64M, LX_PROT_READ | LX_PROT_WRITE,
			LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_NORESERVE);
	if (base < 0)
		goto out;
	/* The first 64 MiB untimed, then the batches; the same up to 1 GiB. */
	if (!fault_run(&u, (uint64_t)base, &next, AT_64M / PAGE_SIZE))
		goto out;
	at64 = fault_cost(&u, (uint64_t)base, &next);
	if (!at64 || !fault_run(&u, (uint64_t)base, &next, AT_1G / PAGE_SIZE - next))
		goto out;
	at1g = fault_cost(&u, (uint64_t)base, &next);
	if (!at1g)
		goto out;
	bench_rec("fault_at_64m", at64, "ns/op", FAULT_OPS);
	bench_rec("fault_at_1g", at1g, "ns/op", FAULT_OPS);
out:
	uvm_destroy(&u);
}

static void bench_spawns(void)
{
	uint64_t first[SPAWN_EDGE], last[SPAWN_EDGE];
	const struct user_prog *up = NULL;
	char err[ERR_MAX], path[] = "/exit_code";
	const char *argv[] = { path, NULL }, *envp[] = { NULL };
	uint8_t *elf;

	for (uint64_t i = 0; i < user_progs_count && !up; i++)
		if (!strcmp(user_progs[i].name, "exit_code"))
			up = &user_progs[i];
	if (!up)
		return;
	elf = userprog_unpack(up, NULL, err, sizeof(err));
	if (!elf)
		return;
	for (int i = 0; i < SPAWN_RUNS; i++) {
		uint64_t t0 = rdtsc();
		struct proc *p = proc_spawn(up->name, path, elf, up->elf.size, argv, envp, err, sizeof(err));

		t0 = rdtsc() - t0;
		if (!p)
			goto out;
		if (i < SPAWN_EDGE)
			first[i] = t0;
		if (i >= SPAWN_RUNS - SPAWN_EDGE)
			last[i - (SPAWN_RUNS - SPAWN_EDGE)] = t0;
		p->quiet = 1;
		proc_run();
		proc_reap(p);
	}
	bench_rec("spawn_first", tsc_to_ns(median(first, SPAWN_EDGE)), "ns/op", SPAWN_EDGE);
	bench_rec("spawn_1000th", tsc_to_ns(median(last, SPAWN_EDGE)), "ns/op", SPAWN_EDGE);
out:
	kfree(elf);
}

void bench_scale(void)
{
	bench_faults();
	bench_spawns();
}
