/* SPDX-License-Identifier: MIT */
/*
 * hwcheck.c - self-tests of the hardware picture: BAR sizing leaves every
 * device as it found it (a second scan sees exactly the first one, and the
 * framebuffer behind a sized BAR still takes and returns pixels), and the
 * iomem tree is a tree (every node inside its parent, in address order).
 */
#include "fb.h"
#include "heap.h"
#include "hwinfo.h"
#include "iomemreport.h"
#include "kernel.h"
#include "kstring.h"
#include "pci.h"
#include "pcireport.h"
#include "record.h"
#include "tests.h"

#define FB_PATTERN 0x00A55AC3U

extern uint64_t fb_vram(); /* core/main.c */

/*
 * Enumeration leaves every device as it found it. Drivers have claimed
 * devices since the boot scan (drivers/xhci.c turns on bus mastering and
 * INTx disable), so the boot scan is compared without what drivers own
 * (pci_scan_same_devices), and the command registers, whose decode bits the
 * BAR sizing turns off and back on, exactly between two rescans in a row.
 */
static void check_rescan(void)
{
	const struct pci_scan *first = pci_state();
	struct pci_scan *again;
	uint16_t cmd[PCI_MAX_FUNCS];
	char where[24] = "";
	int n, n2, diff, same, cmds = 1;

	if (!test_selected("hw.pci_rescan") || !first)
		return;
	/* 124 KiB for the length of the check, not for the whole run. */
	again = kmalloc(sizeof(*again));
	if (!again) {
		test_check("hw.pci_rescan", 0, "a second scan finds the same functions", "no memory for a second scan");
		return;
	}
	n = pci_rescan(again);
	same = pci_scan_same_devices(first, again, &diff);
	if (!same && diff < first->nfuncs)
		pci_bdf(&first->f[diff], where, sizeof(where));
	for (int i = 0; i < again->nfuncs; i++)
		cmd[i] = again->f[i].command;
	n2 = pci_rescan(again);
	for (int i = 0; i < again->nfuncs && i < n; i++) {
		if (cmd[i] == again->f[i].command)
			continue;
		if (cmds && !where[0])
			pci_bdf(&again->f[i], where, sizeof(where));
		cmds = 0;
	}
	kfree(again);
	test_check("hw.pci_rescan", same && cmds && n2 == n,
		   "a second scan finds the same functions, registers, BARs and capabilities (less what drivers "
		   "own), a third the same command registers",
		   "%d functions then %d and %d%s%s", first->nfuncs, n, n2, where[0] ? "; first difference at " : "",
		   where);
}

/* The framebuffer's pixels still reach the device after its BAR was sized twice. */
static void check_fb(void)
{
	const struct pci_scan *s = pci_state();
	uint64_t base = g_boot->fb.base;
	volatile uint32_t *px;
	uint32_t saved, got;
	int decoded = 0;

	if (!test_selected("hw.fb_after_scan"))
		return;
	if (!base || !fb_vram() || !s) {
		test_check("hw.fb_after_scan", 1, "nothing to check without a framebuffer mapping", "fb at 0x%llx",
			   (unsigned long long)base);
		return;
	}
	for (int i = 0; i < s->nfuncs; i++)
		for (int b = 0; b < s->f[i].nbars; b++) {
			const struct pci_bar *bar = &s->f[i].bar[b];

			if (bar->enabled && bar->kind != PCI_BAR_IO && base >= bar->base &&
			    base < bar->base + bar->size)
				decoded = 1;
		}
	/* The last pixel: off the layout screen's panels, and written back at once. */
	px = (volatile uint32_t *)(uintptr_t)(fb_vram() + g_boot->fb.size - sizeof(uint32_t));
	saved = *px;
	*px = FB_PATTERN;
	got = *px;
	*px = saved;
	test_check("hw.fb_after_scan", got == FB_PATTERN && decoded,
		   "the framebuffer lies in a decoded BAR and a pixel written reads back", "read 0x%08x, in a BAR: %s",
		   got, decoded ? "yes" : "no");
}

static void check_tree(void)
{
	int bad = -1, n;
	const struct iomem_node *t;

	if (!test_selected("hw.iomem_tree"))
		return;
	for (int io = 0; io <= 1 && bad < 0; io++) {
		t = iomem_nodes(io, &n);
		for (int i = 0; i < n && bad < 0; i++) {
			const struct iomem_node *p = t[i].parent >= 0 ? &t[t[i].parent] : NULL;

			if (t[i].end < t[i].start || (i && t[i].start < t[i - 1].start) ||
			    (p && (t[i].start < p->start || t[i].end > p->end || t[i].depth != p->depth + 1)))
				bad = i;
		}
	}
	test_check("hw.iomem_tree", bad < 0, "every range inside its parent, one level deeper, in address order",
		   bad < 0 ? "%d ranges" : "range %d breaks it", bad < 0 ? n : bad);
}

void hw_checks(void)
{
	check_rescan();
	check_fb();
	check_tree();
}
