/* SPDX-License-Identifier: MIT */
/*
 * bench.c - bench=on: what the memory code costs, measured in the kernel
 * with the TSC and reported as {"rec":"bench"} records. `make bench` collects
 * them; no test asserts on the numbers (timing under TCG varies with the
 * host), only that they are produced.
 */
#include "bench.h"

#include "boot_info.h"
#include "cpu.h"
#include "fb.h"
#include "fbcon.h"
#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kvm.h"
#include "memlayout.h"
#include "pmm.h"
#include "record.h"
#include "tsc.h"
#include "x86.h"

#define PMM_OPS 2000
#define PMM_2M_OPS 16
#define HEAP_OPS 10000
#define HEAP_LARGE_OPS 500

void bench_rec(const char *name, uint64_t value, const char *unit, uint64_t ops)
{
	struct jrec r;

	if (report_human())
		kprintf("  %-24s %12llu %s%s\n", name, (unsigned long long)value, unit, ops ? " (median of runs)" : "");
	jrec_begin(&r, "bench");
	jrec_str(&r, "name", name);
	jrec_u64(&r, "value", value);
	jrec_str(&r, "unit", unit);
	if (ops)
		jrec_u64(&r, "ops", ops);
	report_emit(&r);
}

/* Median of 5 runs of fn(ops), in ns per operation. */
static uint64_t per_op(uint64_t (*fn)(unsigned), unsigned ops)
{
	uint64_t t[5];

	for (int i = 0; i < 5; i++)
		t[i] = fn(ops);
	for (int i = 1; i < 5; i++)
		for (int j = i; j > 0 && t[j - 1] > t[j]; j--) {
			uint64_t x = t[j];
			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	return tsc_to_ns(t[2]) / ops;
}

static uint64_t run_pmm_4k(unsigned ops)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < ops; i++)
		pmm_free(pmm_alloc(0, PMM_OTHER), 0, PMM_OTHER);
	return rdtsc() - t0;
}

static uint64_t run_pmm_2m(unsigned ops)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < ops; i++)
		pmm_free(pmm_alloc(9, PMM_OTHER), 9, PMM_OTHER);
	return rdtsc() - t0;
}

static uint64_t run_kmalloc_64(unsigned ops)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < ops; i++)
		kfree(kmalloc(64));
	return rdtsc() - t0;
}

static uint64_t run_kmalloc_8k(unsigned ops)
{
	uint64_t t0 = rdtsc();

	for (unsigned i = 0; i < ops; i++)
		kfree(kmalloc(8192));
	return rdtsc() - t0;
}

struct mapped {
	uint64_t bytes;
};

static int count_mapped(const struct pt_leaf *l, void *ctx)
{
	((struct mapped *)ctx)->bytes += l->size;
	return 0;
}

/*
 * A full-screen scroll and a full redraw at the current mode, per frame
 * (issue: "at 1920x1080"; tools/bench.py boots with gop=1920x1080 for it).
 * The console is off meanwhile and repainted from its text grid after.
 */
#define FB_BENCH_FRAMES 20

/* Printable ASCII, cycled through the cells so that no frame repeats the last one. */
#define BENCH_FIRST_CHAR '!'
#define BENCH_CHARS ('~' - '!' + 1)

/*
 * Time frames console-sized frames of each kind with the TSC: a full-screen
 * scroll by one text row (memmove in the back buffer + flush of the whole
 * screen) and a full redraw (every text cell drawn + flush); the mean ns per
 * frame in *scroll_ns and *redraw_ns. Leaves the screen black. Returns 0, or
 * -ENODEV without a framebuffer.
 */
static int fb_bench(unsigned frames, uint64_t *scroll_ns, uint64_t *redraw_ns)
{
	uint32_t fw, fh, cols, rows, fg, bg;
	uint64_t t0, t1, t2;

	*scroll_ns = *redraw_ns = 0;
	if (!fb_ready())
		return -ENODEV;
	if (!frames)
		frames = 1;
	fw = fb_font_w();
	fh = fb_font_h();
	cols = fb_width() / fw;
	rows = fb_height() / fh;
	fg = fb_color(FB_GREY);
	bg = fb_color(FB_BLACK);

	t0 = rdtsc();
	for (unsigned i = 0; i < frames; i++) {
		fb_scroll_up(fh, FB_BLACK);
		fb_flush();
	}
	t1 = rdtsc();
	for (unsigned i = 0; i < frames; i++) {
		for (uint32_t r = 0; r < rows; r++)
			for (uint32_t c = 0; c < cols; c++)
				fb_draw_glyph(c * fw, r * fh,
					      fb_glyph_index(BENCH_FIRST_CHAR + (i + r + c) % BENCH_CHARS), fg, bg, 0);
		fb_flush();
	}
	t2 = rdtsc();
	*scroll_ns = tsc_to_ns(t1 - t0) / frames;
	*redraw_ns = tsc_to_ns(t2 - t1) / frames;
	fb_fill_rect(0, 0, fb_width(), fb_height(), FB_BLACK);
	fb_present_all();
	return 0;
}

static void bench_framebuffer(void)
{
	uint64_t scroll_ns, redraw_ns;
	char name[48];

	if (!fb_ready())
		return;
	fbcon_enable(0);
	if (fb_bench(FB_BENCH_FRAMES, &scroll_ns, &redraw_ns) == 0) {
		ksnprintf(name, sizeof(name), "fb_scroll_%ux%u", fb_width(), fb_height());
		bench_rec(name, scroll_ns, "ns/frame", FB_BENCH_FRAMES);
		ksnprintf(name, sizeof(name), "fb_redraw_%ux%u", fb_width(), fb_height());
		bench_rec(name, redraw_ns, "ns/frame", FB_BENCH_FRAMES);
	}
	fbcon_enable(1);
}

/*
 * The kernel's memory after boot (issue 17): the image with .bss plus the
 * pages in use, without the RAM file system's file pages (the initramfs's
 * files and those written since), which get a record of their own; and the
 * direct map's page tables against N/512 + 3 pages for N GiB (with 1 GiB
 * pages; pdpe1gb says whether the CPU has them).
 */
static void bench_kernel_memory(void)
{
	struct pmm_stats s;
	uint64_t image_kib = g_boot->kernel_size >> 10, kernel_pages, b4k, b2m, b1g, bytes;

	pmm_get_stats(&s);
	kernel_pages = s.total_pages - s.free_pages - s.used_pages[PMM_FILE];
	bench_rec("kernel_image", image_kib, "KiB", 0);
	bench_rec("kernel_pages", kernel_pages, "pages", 0);
	bench_rec("ramfs_file_pages", s.used_pages[PMM_FILE], "pages", 0);
	bench_rec("kernel_mem", image_kib + kernel_pages * (PAGE_SIZE >> 10), "KiB", 0);
	kvm_direct_map_sizes(&b4k, &b2m, &b1g);
	bytes = b4k + b2m + b1g;
	bench_rec("direct_map", bytes >> 20, "MiB", 0);
	bench_rec("direct_map_pt_pages", kvm_direct_map_tables(), "pages", 0);
	/* N/512 + 3 for N GiB, as a whole number of pages: floor(bytes / 512 GiB) + 3. */
	bench_rec("direct_map_pt_target", (bytes >> 39) + 3, "pages", 0);
	bench_rec("pdpe1gb", cpu()->pdpe1gb, "bool", 0);
}

void bench_memory(uint64_t kvm_build_ticks)
{
	uint64_t tables[PT_LEVELS + 1], total = 0;
	struct mapped m = { 0 };

	if (!g_boot->opts.bench)
		return;
	/* The boot's calibration window measured the TSC (drivers/clockcal.c): measuring again would move the clock. */
	if (!tsc_hz() && !tsc_calibrate()) {
		kprintf("bench: no clock to calibrate the TSC against; skipping\n");
		return;
	}
	if (report_human())
		kprintf("\nBenchmarks (bench=on; TSC %llu MHz):\n", (unsigned long long)(tsc_hz() / 1000000));
	bench_kernel_memory(); /* first: the figures below allocate and free */
	bench_rec("tsc_hz", tsc_hz(), "Hz", 0);
	bench_rec("kvm_build", tsc_to_ns(kvm_build_ticks), "ns", 0);
	kvm_count_tables(kvm_pt(), tables);
	for (int l = 1; l <= PT_LEVELS; l++)
		total += tables[l];
	pt_for_each_leaf(kvm_pt(), count_mapped, &m);
	/* Per TiB keeps the integer precise: 2 MiB pages cost ~1 PD page per GiB. */
	if (m.bytes)
		bench_rec("pt_pages_per_tib_mapped", total * (1ULL << 40) / m.bytes, "pages", 0);
	bench_rec("pmm_alloc_free_4k", per_op(run_pmm_4k, PMM_OPS), "ns/op", PMM_OPS);
	bench_rec("pmm_alloc_free_2m", per_op(run_pmm_2m, PMM_2M_OPS), "ns/op", PMM_2M_OPS);
	bench_rec("kmalloc_kfree_64", per_op(run_kmalloc_64, HEAP_OPS), "ns/op", HEAP_OPS);
	bench_rec("kmalloc_kfree_8k", per_op(run_kmalloc_8k, HEAP_LARGE_OPS), "ns/op", HEAP_LARGE_OPS);
	bench_framebuffer();
	bench_scale();
}
