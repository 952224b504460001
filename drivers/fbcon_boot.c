/* SPDX-License-Identifier: MIT */
/*
 * fbcon_boot.c - the framebuffer console on the running machine: taking
 * over the boot framebuffer, with the back buffer and text grid in pages of
 * the page allocator, and the TSC as the clock adaptive scrolling reads.
 * The rest of fbcon (drivers/fbcon.c, drivers/fb.c) is built into the host
 * tests as well.
 */
#include "fb.h"
#include "fbcon.h"

#include "kernel.h"
#include "kerrno.h"
#include "memlayout.h"
#include "pmm.h"
#include "tsc.h"
#include "x86.h"

static uint64_t tsc_ticks(void)
{
	return rdtsc();
}

static const struct fbcon_clock tsc_clock = { tsc_ticks, tsc_hz };

/* Zeroed contiguous pages through the direct map; never freed (the console lives until power-off). */
static void *pmm_bytes(size_t bytes)
{
	uint64_t phys = pmm_alloc_pages((bytes + PAGE_SIZE - 1) / PAGE_SIZE, PMM_OTHER);

	return phys ? PHYS_TO_DIRECT(phys) : NULL;
}

int fbcon_init(const struct boot_fb *bfb, uint64_t virt)
{
	int result;

	if (!bfb->base || !virt)
		return -ENODEV; /* efi/ already said why there is no framebuffer */
	fb_set_allocator(pmm_bytes);
	fbcon_set_clock(&tsc_clock);
	result = fb_init(bfb, virt);
	if (!result)
		result = fbcon_setup();
	if (result == -ENOENT) {
		kprintf("fb: no console font linked in (build/font.c from tools/psf2c.py); console on serial only\n");
		return result;
	}
	if (result) {
		kprintf("fb: %ux%u framebuffer (GOP mode %u) not usable (%d); console on serial only\n", bfb->width,
			bfb->height, bfb->gop_mode, result);
		return result;
	}
	return 0;
}
