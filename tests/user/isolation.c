/* ATLAS-EXPECT: exit=0 */
/* ATLAS-INSTANCES: 2 */
/* SPDX-License-Identifier: MIT */
/*
 * isolation - two copies run at once (the runner appends the instance index,
 * 0 or 1, as the last argument). Each stores a value derived from its index
 * in the same global, the same heap block and the same stack slot (the same
 * addresses in both, the layout being deterministic), spins about 200 ms
 * reading them back (many timer preemptions, plus sched_yield), and must
 * always see its own values.
 */
#include "utest.h"

static volatile uint64_t shared_global;

int main(int argc, char **argv)
{
	volatile uint64_t local;
	volatile uint64_t *heap = malloc(sizeof(*heap));
	uint64_t mine, reads = 0;
	int64_t start, elapsed;
	int idx, yields = 0;

	CHECK(argc >= 2, "no instance index argument");
	idx = atoi(argv[argc - 1]);
	CHECK(idx >= 0 && idx < 16, "instance index \"%s\"", argv[argc - 1]);
	CHECK(heap != NULL, "malloc failed");
	mine = 0xa70000000000a700ULL | ((uint64_t)(idx + 1) << 16) | (uint64_t)sys0(SYS_getpid) << 24;
	shared_global = mine;
	*heap = ~mine;
	local = mine ^ 0x5555;

	start = now_ns();
	do {
		for (int i = 0; i < 10000; i++, reads++) {
			CHECK(shared_global == mine, "instance %d: global is %#lx, wrote %#lx", idx,
			      (unsigned long)shared_global, (unsigned long)mine);
			CHECK(*heap == ~mine && local == (mine ^ 0x5555), "instance %d: heap or stack value changed",
			      idx);
		}
		elapsed = now_ns() - start;
		if (elapsed > (yields + 1) * 40000000LL) {
			sys0(SYS_sched_yield);
			yields++;
		}
	} while (elapsed < 200000000LL);
	say("instance %d: global %p, heap %p, stack %p kept their values over %ld ms (%lu reads, %d yields)", idx,
	    (void *)&shared_global, (void *)heap, (void *)&local, (long)(elapsed / 1000000), (unsigned long)reads,
	    yields);
	return 0;
}
