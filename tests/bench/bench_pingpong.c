/* ATLAS-EXPECT: exit=0 */
/* ATLAS-ARGS: pingpong */
/* ATLAS-INSTANCES: 2 */
/* SPDX-License-Identifier: MIT */
/*
 * bench_pingpong.c - tests/bench/bench.c in its ping-pong role, declared as a
 * built-in program with two instances that run at the same time (instance i
 * gets i as its last argument). run= programs on Atlas run one after the other,
 * so tools/bench.py builds a private Atlas (build/bench/atlas-pingpong/) whose
 * only built-in program is this one. It is not part of the normal suite: user.mk
 * builds tests/user/ only. Built like bench.c, with -Wl,-e,bench_entry.
 */
#include "bench.c"
