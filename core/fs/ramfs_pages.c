/* SPDX-License-Identifier: MIT */
/* ramfs_pages.c - where the kernel's RAM files keep their bytes: whole pages from the PMM ("file"), via the direct map.
 */
#include "memlayout.h"
#include "pmm.h"
#include "ramfs.h"

void *ramfs_page_alloc(void)
{
	uint64_t pa = pmm_alloc(0, PMM_FILE);

	return pa ? PHYS_TO_DIRECT(pa) : NULL;
}

void ramfs_page_free(void *page)
{
	pmm_free(DIRECT_TO_PHYS(page), 0, PMM_FILE);
}
