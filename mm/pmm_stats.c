/* SPDX-License-Identifier: MIT */
/*
 * pmm_stats.c - the PMM's counters, purpose names and consistency check
 * (see pmm.h for the interface). pmm_verify walks every free list and the
 * page cache and checks them against the bitmaps and the counters. Apart
 * from the allocator because nothing on its paths uses it: it only reads the
 * PMM's state, through pmm_internal.h.
 */
#include "pmm.h"

#include "panic.h"
#include "pmm_internal.h"

static const char *const purpose_names[PMM_PURPOSES] = {
	[PMM_PT] = "pt",     [PMM_HEAP] = "heap",   [PMM_STACK] = "stack",
	[PMM_USER] = "user", [PMM_OTHER] = "other", [PMM_FILE] = "file",
};

/* ---- reports ---------------------------------------------------------------- */

uint64_t pmm_free_count(void)
{
	return pmm.st.free_pages;
}

uint64_t pmm_total_count(void)
{
	return pmm.st.total_pages;
}

void pmm_get_stats(struct pmm_stats *s)
{
	*s = pmm.st;
	s->spans = (uint32_t)pmm.nspans;
	s->cached_pages = pmm.dirty.count + pmm.zeroed.count;
	s->zeroed_pages = pmm.zeroed.count;
}

const char *pmm_purpose_name(enum pmm_purpose p)
{
	return (unsigned)p < PMM_PURPOSES ? purpose_names[p] : "?";
}

int pmm_verify(void)
{
	uint64_t pages = 0, blocks = 0, used = pmm.st.meta_pages, bits = 0;

	for (unsigned k = 0; k < PMM_ORDERS; k++) {
		uint64_t count = 0, prev = 0;

		for (uint64_t phys = pmm.list[k]; phys; prev = phys, phys = pmm_free_node(phys, k)->next) {
			struct span *s = pmm_span_of(phys);
			uint64_t idx = s ? page_index(s, phys) : 0;

			if (!s || (idx & ((1ULL << k) - 1)) || !bit(s->free, idx) || bit(s->cont, idx) ||
			    !bit(s->head[k], idx >> k) || pmm_free_node(phys, k)->prev != prev ||
			    ++count > pmm.st.free_blocks[k])
				panic("mm: pmm free list %u broken at %#llx", k, ULL(phys));
		}
		if (count != pmm.st.free_blocks[k] || !count != !(pmm.nonempty & (1U << k)))
			panic("mm: pmm free list %u: %llu blocks, %llu counted", k, ULL(count),
			      ULL(pmm.st.free_blocks[k]));
		pages += count << k;
		blocks += count;
	}
	for (size_t i = 0; i < pmm.nspans; i++)
		for (uint64_t w = 0; w < words(pmm.spans[i].pages); w++)
			for (uint64_t x = pmm.spans[i].free[w]; x; x &= x - 1) /* no popcount: libgcc is not linked */
				bits++;
	for (unsigned p = 0; p < PMM_PURPOSES; p++)
		used += pmm.st.used_pages[p];
	/* The page cache: every listed page has its cached bit, and no other page does. */
	{
		const struct page_list *lists[] = { &pmm.dirty, &pmm.zeroed };
		uint64_t listed = 0, cbits = 0;

		for (size_t i = 0; i < 2; i++) {
			uint64_t count = 0;

			for (uint64_t phys = lists[i]->head; phys; phys = *(const uint64_t *)virt(phys)) {
				struct span *s = pmm_span_of(phys);

				if (!s || !bit(s->cached, page_index(s, phys)) || bit(s->free, page_index(s, phys)) ||
				    !bit(s->head[0], page_index(s, phys)) || ++count > lists[i]->count)
					panic("mm: page cache list %zu broken at %#llx", i, ULL(phys));
			}
			if (count != lists[i]->count)
				panic("mm: page cache list %zu: %llu pages, %llu counted", i, ULL(count),
				      ULL(lists[i]->count));
			listed += count;
		}
		for (size_t i = 0; i < pmm.nspans; i++)
			for (uint64_t w = 0; w < words(pmm.spans[i].pages); w++)
				for (uint64_t x = pmm.spans[i].cached[w]; x; x &= x - 1)
					cbits++;
		if (cbits != listed)
			panic("mm: %llu pages marked cached, %llu on the cache lists", ULL(cbits), ULL(listed));
		pages += listed;
	}
	if (pages != pmm.st.free_pages || bits != blocks || pmm.st.total_pages != pages + used)
		panic("mm: pmm counters broken: %llu free pages listed, %llu counted, %llu free bits", ULL(pages),
		      ULL(pmm.st.free_pages), ULL(bits));
	return 0;
}
