/* SPDX-License-Identifier: MIT */
/*
 * iomem.c - the physical address tree (include/iomem.h): sorting, nesting,
 * the checks, and Linux's /proc/iomem text. No hardware, no kernel state:
 * the host tests drive it with crafted inputs.
 *
 * Nesting is a stack walk over the ranges sorted by start (then larger
 * first): the stack holds the chain of ranges that contain the current
 * one. A range that starts inside the top of the stack but ends beyond it
 * is not inside it; Linux would refuse to insert it, Atlas keeps it as a
 * sibling and flags both, because the conflict is the interesting part.
 */
#include "iomem.h"

#include <stdarg.h>

#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"

#define MAX_IORES_LEVEL 5 /* Linux kernel/resource.c: deeper levels print at this indent */
#define STACK_MAX 64

static const char *const kind_names[IOK_KINDS] = {
	[IOK_RAM] = "ram",
	[IOK_RESERVED] = "reserved",
	[IOK_ACPI] = "acpi",
	[IOK_NVS] = "nvs",
	[IOK_UNUSABLE] = "unusable",
	[IOK_PMEM] = "pmem",
	[IOK_RT_CODE] = "rt_code",
	[IOK_RT_DATA] = "rt_data",
	[IOK_FW_MMIO] = "fw_mmio",
	[IOK_FLASH] = "flash",
	[IOK_ECAM] = "ecam",
	[IOK_WINDOW] = "bridge_window",
	[IOK_BAR] = "bar",
	[IOK_ROM] = "rom",
	[IOK_FB] = "framebuffer",
	[IOK_LAPIC] = "lapic",
	[IOK_IOAPIC] = "ioapic",
	[IOK_HPET] = "hpet",
	[IOK_ACPI_TABLE] = "acpi_table",
	[IOK_LEGACY] = "legacy",
	[IOK_KERNEL] = "kernel",
	[IOK_PT] = "page_tables",
	[IOK_HEAP] = "heap",
	[IOK_STACK] = "stack",
};

static const char *const flag_names[IOMEM_FLAGS] = {
	"overlap", "bar_in_ram", "outside_window", "bar_overlap", "not_in_memmap", "beyond_phys",
};

const char *iomem_kind_name(unsigned kind)
{
	return kind < IOK_KINDS && kind_names[kind] ? kind_names[kind] : "?";
}

const char *iomem_flags_str(uint32_t flags, char *buf, size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = 0;
	for (int i = 0; i < IOMEM_FLAGS; i++) {
		if (!(flags & (1U << i)))
			continue;
		used += (size_t)ksnprintf(used < size ? buf + used : NULL, used < size ? size - used : 0, "%s%s",
					  used ? "," : "", flag_names[i]);
	}
	return buf;
}

int iomem_kind_is_firmware(unsigned kind)
{
	return kind <= IOK_FW_MMIO;
}

int iomem_kind_is_ram(unsigned kind)
{
	return kind == IOK_RAM || kind == IOK_ACPI || kind == IOK_NVS || kind == IOK_PMEM || kind == IOK_RT_CODE ||
	       kind == IOK_RT_DATA;
}

static int is_bar(unsigned kind)
{
	return kind == IOK_BAR || kind == IOK_ROM;
}

/* MMIO: the ranges a firmware map should describe (bridge windows route, they decode nothing). */
static int is_mmio(unsigned kind)
{
	return is_bar(kind) || kind == IOK_ECAM || kind == IOK_FB || kind == IOK_LAPIC || kind == IOK_IOAPIC ||
	       kind == IOK_HPET || kind == IOK_FLASH;
}

static int contains(const struct iomem_in *a, const struct iomem_in *b)
{
	return a->start <= b->start && b->end <= a->end;
}

static int intersects(const struct iomem_in *a, const struct iomem_in *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* Sort order: start ascending, then end descending (the container first), then kind, then input order. */
static int before(const struct iomem_in *in, int a, int b)
{
	const struct iomem_in *x = &in[a], *y = &in[b];

	if (x->start != y->start)
		return x->start < y->start;
	if (x->end != y->end)
		return x->end > y->end;
	if (x->kind != y->kind)
		return x->kind < y->kind;
	return a < b;
}

/* Is [s, e] covered by the union of the firmware-map inputs? */
static int covered_by_firmware(const struct iomem_in *in, int n, uint64_t s, uint64_t e)
{
	/* The firmware ranges do not overlap each other (a normalized map): extend s while one covers it. */
	for (int guard = 0; guard <= n; guard++) {
		int moved = 0;

		for (int i = 0; i < n; i++) {
			if (in[i].space != IOMEM_MEM || !iomem_kind_is_firmware(in[i].kind))
				continue;
			if (in[i].start <= s && s <= in[i].end) {
				if (in[i].end >= e)
					return 1;
				s = in[i].end + 1;
				moved = 1;
			}
		}
		if (!moved)
			return 0;
	}
	return 0;
}

static uint32_t check(const struct iomem_in *in, int n, int i, unsigned phys_bits)
{
	const struct iomem_in *x = &in[i];
	uint32_t f = 0;

	if (x->space == IOMEM_MEM && phys_bits && phys_bits < 64 && x->end >> phys_bits)
		f |= IOMEM_F_BEYOND_PHYS;
	if (x->space == IOMEM_MEM && is_mmio(x->kind) && !covered_by_firmware(in, n, x->start, x->end))
		f |= IOMEM_F_NOT_IN_MEMMAP;
	for (int j = 0; j < n; j++) {
		const struct iomem_in *y = &in[j];

		if (j == i || y->space != x->space || y->end < y->start || !intersects(x, y))
			continue;
		if (is_bar(x->kind) && x->space == IOMEM_MEM && iomem_kind_is_ram(y->kind))
			f |= IOMEM_F_BAR_IN_RAM;
		if (is_bar(x->kind) && is_bar(y->kind))
			f |= IOMEM_F_BAR_OVERLAP;
	}
	if (x->owner[0] != IOMEM_NO_OWNER) {
		int inside = 0;

		for (int k = 0; k < 2; k++) {
			int o = x->owner[k];

			if (o >= 0 && o < n && in[o].space == x->space && in[o].end >= in[o].start &&
			    contains(&in[o], x))
				inside = 1;
		}
		if (!inside)
			f |= IOMEM_F_OUTSIDE_WINDOW;
	}
	return f;
}

int iomem_build(const struct iomem_in *in, int n, enum iomem_space space, unsigned phys_bits, struct iomem_node *out,
		int cap)
{
	int16_t order[1024];
	int stack[STACK_MAX], sp = 0, m = 0, count = 0;

	if (n < 0 || n > (int)(sizeof(order) / sizeof(order[0])))
		return -EINVAL;
	for (int i = 0; i < n; i++)
		if (in[i].space == space && in[i].end >= in[i].start)
			order[m++] = (int16_t)i;
	/* Insertion sort: a few hundred ranges, nearly sorted already. */
	for (int i = 1; i < m; i++)
		for (int j = i; j > 0 && before(in, order[j], order[j - 1]); j--) {
			int16_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (int k = 0; k < m; k++) {
		const struct iomem_in *x = &in[order[k]];
		struct iomem_node *node;
		uint32_t overlap = 0;

		while (sp) {
			struct iomem_node *top = &out[stack[sp - 1]];

			if (top->start <= x->start && x->end <= top->end)
				break;
			if (x->start <= top->end) {
				/* Starts inside the top but ends beyond it: neither contains the other. */
				top->flags |= IOMEM_F_OVERLAP;
				overlap = IOMEM_F_OVERLAP;
			}
			sp--;
		}
		if (count == cap)
			return -ENOSPC;
		node = &out[count];
		memset(node, 0, sizeof(*node));
		node->start = x->start;
		node->end = x->end;
		node->kind = x->kind;
		node->space = x->space;
		node->depth = (uint8_t)sp;
		node->parent = sp ? (int16_t)stack[sp - 1] : -1;
		node->src = order[k];
		node->flags = overlap | check(in, n, order[k], phys_bits);
		kstrlcpy(node->name, x->name, sizeof(node->name));
		if (sp < STACK_MAX)
			stack[sp++] = count;
		count++;
	}
	/* A range that overlapped an earlier sibling's tail is flagged above; so is the sibling. */
	return count;
}

long iomem_format_nodes(const struct iomem_node *n, int count, int width, char *buf, size_t size)
{
	size_t used = 0;

	if (size)
		buf[0] = 0;
	for (int i = 0; i < count; i++) {
		int depth = n[i].depth < MAX_IORES_LEVEL ? n[i].depth : MAX_IORES_LEVEL;

		used += (size_t)ksnprintf(used < size ? buf + used : NULL, used < size ? size - used : 0,
					  "%*s%0*llx-%0*llx : %s\n", depth * 2, "", width,
					  (unsigned long long)n[i].start, width, (unsigned long long)n[i].end,
					  n[i].name);
	}
	return (long)used;
}
