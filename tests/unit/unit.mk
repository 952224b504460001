# tests/unit/unit.mk - host unit tests (cmocka, ASan + UBSan).
#
# Each tests/unit/test_NAME.c becomes build/unit/test_NAME, linked with the
# project sources listed in UNIT_SRCS_test_NAME. Included by the top Makefile.

HOST_CC ?= gcc
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -DATLAS_HOST \
	-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
	-iquote include -DUNIT_FIXTURES='"$(CURDIR)/tests/unit/fixtures"'
UNIT_LDLIBS := -lcmocka

UNIT_SRCS_test_memmap := mm/memmap.c mm/efimem.c core/lib/strutil.c
UNIT_SRCS_test_options := core/lib/options.c core/lib/optkeys.c core/lib/strutil.c core/lib/fmt.c
UNIT_SRCS_test_fmt := core/lib/fmt.c
# test_fmt compares with libc's vsnprintf on purpose-truncated output.
UNIT_EXTRA_test_fmt := -Wno-format-truncation
UNIT_SRCS_test_paging := mm/paging.c core/lib/strutil.c
UNIT_SRCS_test_acpi := drivers/acpi.c core/lib/strutil.c
UNIT_SRCS_test_json := core/lib/json.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_pmm := tests/unit/unit_panic.c mm/pmm.c mm/pmm_cache.c mm/pmm_range.c mm/pmm_stats.c mm/memmap.c mm/efimem.c core/lib/strutil.c core/lib/fmt.c
UNIT_SRCS_test_heap := tests/unit/unit_panic.c mm/heap.c mm/heap_pagemap.c mm/heap_check.c core/lib/strutil.c core/lib/fmt.c
UNIT_SRCS_test_wx := mm/paging.c core/lib/strutil.c
UNIT_SRCS_test_procfs := core/proc/procfs.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_elf := core/proc/elf.c core/proc/elf_check.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_dirhash := core/fs/dirhash.c
UNIT_SRCS_test_pageref := tests/unit/unit_panic.c mm/pageref.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_vma := mm/vma.c mm/vma_tree.c core/lib/strutil.c
UNIT_SRCS_test_fb := drivers/fb.c drivers/fbcon.c drivers/vt.c drivers/vt_csi.c drivers/vtparse.c core/lib/fmt.c core/lib/strutil.c $(FONT_C)
UNIT_SRCS_test_picture := core/report/picture.c
UNIT_SRCS_test_vt := drivers/vt.c drivers/vt_csi.c drivers/vtparse.c drivers/conlog.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_ps2kbd := drivers/ps2kbd.c core/lib/strutil.c
UNIT_SRCS_test_qr := core/lib/qr.c core/lib/strutil.c
UNIT_SRCS_test_kbd := drivers/kbd.c drivers/usbkbd.c drivers/conlog.c drivers/vtparse.c core/lib/strutil.c core/lib/fmt.c
UNIT_SRCS_test_pci := drivers/pci.c core/lib/strutil.c
# The firmware-table parsers against tables captured from QEMU+OVMF (tests/unit/fixtures, tools/capture-fwtables.py).
UNIT_SRCS_test_acpi_tables := tests/unit/unit_phys.c drivers/acpi_tables.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_smbios := tests/unit/unit_phys.c drivers/smbios.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_pciids := drivers/pciids.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_iomem := core/lib/iomem.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_monitor := core/report/monitor_input.c core/report/monitor_hw.c core/lib/options.c core/lib/optkeys.c \
	core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_vfs := $(filter-out core/fs/ramfs_pages.c core/fs/console_tty.c,$(wildcard core/fs/*.c)) \
	core/lib/strutil.c core/lib/fmt.c
# The kernel's decoder against the host compressor (its main() left out).
UNIT_SRCS_test_clockfreq := core/x86/clockfreq.c core/lib/strutil.c
UNIT_SRCS_test_suitefile := core/lib/suitefile.c core/lib/fmt.c core/lib/strutil.c
UNIT_SRCS_test_lz := core/lib/lz.c tools/lzpack.c
UNIT_EXTRA_test_lz := -DLZPACK_NO_MAIN

.SECONDEXPANSION:
UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/test_*.c))
UNIT_BINS := $(addprefix $(BUILD)/unit/,$(UNIT_TESTS))

$(BUILD)/unit/%: tests/unit/%.c $$(UNIT_SRCS_$$*) $(wildcard include/*.h tests/unit/*.h) | $(BUILD)/unit
	$(HOST_CC) $(UNIT_CFLAGS) $(UNIT_EXTRA_$*) -o $@ $< $(UNIT_SRCS_$*) $(UNIT_LDLIBS)

$(BUILD)/unit:
	mkdir -p $@

.PHONY: unit
unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done
