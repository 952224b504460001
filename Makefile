# Atlas - bare-metal x86-64 UEFI application.
#
#   make            build build/atlas.efi, build/esp.img, build/disk.img
#   make run        boot it in QEMU + OVMF (ARGS='key=value ...', GUI=1); fails unless all passed
#   make debug      same, stopped at the reset vector, with gdb attached
#   make test       lint, host unit tests, host tool tests, boot tests (what CI runs)
#   make lint       clang-format, cppcheck, the layering check, generated docs current
#   make test-matrix  boot the whole suite in every cell of the boot matrix (long)
#   make bench      boot with bench=on and tabulate the kernel's own figures
#   make fuzz       the system-call fuzzer in Atlas (SEEDS=1-50 CALLS=20000)
#   make signed     atlas.efi signed for Secure Boot (snakeoil key by default)
#   make run-secureboot  make run with Secure Boot enforced (OVMF snakeoil)
#   make deps       install the Debian packages the above need
#   make clean

BUILD    := build
V        ?= 0
Q        := $(if $(filter 1,$(V)),,@)
CC       := gcc
LD       := ld
OBJCOPY  := objcopy
PYTHON   := /usr/bin/python3
GCC_INC  := $(shell $(CC) -print-file-name=include)

OVMF_DIR  ?= /usr/share/OVMF
OVMF_CODE ?= $(OVMF_DIR)/OVMF_CODE_4M.fd
OVMF_VARS ?= $(OVMF_DIR)/OVMF_VARS_4M.fd
QEMU      ?= qemu-system-x86_64
MEM       ?= 512M

GNUEFI_LIB := /usr/lib
GNUEFI_INC := /usr/include/efi

# Debian packages: what build, run and test need (deps installs the missing ones).
DEB_PACKAGES := gcc make binutils gnu-efi ovmf qemu-system-x86 mtools dosfstools gdisk \
	libcmocka-dev python3 python3-pytest cppcheck clang-format gdb musl-tools sbsigntool openssl \
	console-setup-linux busybox-static pci.ids zbar-tools python3-pil procps g++ golang-go

# Freestanding flags shared by the kernel and the firmware stage.
FREESTANDING := -std=gnu11 -O2 -g -Wall -Wextra -Werror -ffreestanding -nostdinc -isystem $(GCC_INC) \
	-fno-stack-protector -fno-stack-check -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx \
	-mgeneral-regs-only -fshort-wchar -fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-fno-tree-loop-distribute-patterns -iquote include

# The kernel proper: linked at KERNEL_BASE (-2 GiB), so mcmodel=kernel.
# No padding before functions, loops and jump targets: -O2's 16-byte alignment
# cost ~10 KiB of .text (4 %) and buys nothing under QEMU's TCG; it keeps
# atlas.efi under 1/20 of vmlinuz (docs/bench.md, image_size).
KERNEL_CFLAGS := $(FREESTANDING) -falign-functions=1 -falign-jumps=1 -falign-loops=1 -falign-labels=1 \
	-mcmodel=kernel -fno-pic -fno-pie -DATLAS_KERNEL
# The firmware stage: position-independent, relocated by gnu-efi's _relocate.
# GNU_EFI_USE_MS_ABI: firmware calls go straight through EFIAPI (ms_abi)
# pointers; efi_main itself is SysV, called by crt0.
EFI_CFLAGS := $(FREESTANDING) -fpic -fvisibility=hidden -DATLAS_EFI -DGNU_EFI_USE_MS_ABI \
	-isystem $(GNUEFI_INC) -isystem $(GNUEFI_INC)/x86_64

# The console fonts: Debian's PSF fonts (console-setup-linux), turned into C at build time.
FONT_DIR := /usr/share/consolefonts
FONTS := fb_font_8x16=$(FONT_DIR)/Lat2-Terminus16.psf.gz fb_font_16x32=$(FONT_DIR)/Lat2-Terminus32x16.psf.gz
FONT_C := $(BUILD)/font.c

# Every C and assembly file of core/ (and its layer folders: core/x86, core/lib, ...), mm/
# and drivers/ is the kernel's; a new folder under core/ builds without a change here.
KERNEL_SRC_DIRS := core core/* mm drivers
KERNEL_C := $(wildcard $(addsuffix /*.c,$(KERNEL_SRC_DIRS))) $(FONT_C)
KERNEL_S := $(filter-out core/kernel.ld.S,$(wildcard $(addsuffix /*.S,$(KERNEL_SRC_DIRS))))
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_C) $(KERNEL_S))

# Firmware-independent code efi/ shares with the kernel (compiled twice).
SHARED_C := core/lib/fmt.c core/lib/string.c core/lib/strutil.c core/lib/options.c core/lib/optkeys.c core/lib/lz.c mm/memmap.c mm/efimem.c mm/paging.c mm/klayout.c drivers/serial.c
EFI_C := $(wildcard efi/*.c) $(SHARED_C)
EFI_S := efi/handoff.S efi/kernel_blob.S
EFI_OBJS := $(patsubst %,$(BUILD)/efi/%.o,$(EFI_C) $(EFI_S))

HEADERS := $(wildcard include/*.h include/*.inc efi/*.h)

.PHONY: all deps run debug test lint unit boot-test bench clean format test-matrix
all: $(BUILD)/atlas.efi $(BUILD)/esp.img $(BUILD)/disk.img

# ---- kernel ---------------------------------------------------------------
$(BUILD)/kernel/%.c.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo '  CC [kernel] $<'
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel/%.S.o: %.S $(HEADERS)
	@mkdir -p $(dir $@)
	@echo '  AS [kernel] $<'
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel.ld: core/kernel.ld.S include/memlayout.h
	@mkdir -p $(dir $@)
	$(CC) -E -P -x c -DLINKER_SCRIPT -iquote include $< -o $@

KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

# Two links: the first with an empty symbol table, the second with the table
# generated from the first. The table sits after .text, so no function moves.
$(BUILD)/ksyms-empty.S:
	@mkdir -p $(dir $@)
	tools/gensyms.sh - $@

$(BUILD)/kernel.pass1.elf: $(KERNEL_OBJS) $(BUILD)/kernel.ld $(BUILD)/ksyms-empty.o
	$(Q)$(LD) $(KERNEL_LDFLAGS) -T $(BUILD)/kernel.ld -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o

$(BUILD)/ksyms.S: $(BUILD)/kernel.pass1.elf tools/gensyms.sh
	tools/gensyms.sh $< $@

$(BUILD)/%.o: $(BUILD)/%.S
	$(Q)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel.elf: $(KERNEL_OBJS) $(BUILD)/kernel.ld $(BUILD)/ksyms.o
	@echo '  LD         $@'
	$(Q)$(LD) $(KERNEL_LDFLAGS) -T $(BUILD)/kernel.ld -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms.o
	tools/check-ksyms.sh $(BUILD)/kernel.pass1.elf $@

# What atlas.efi carries: the kernel without its symbol table (gdb reads kernel.elf).
$(BUILD)/kernel.bin.elf: $(BUILD)/kernel.elf
	$(OBJCOPY) --strip-all $< $@

$(FONT_C): tools/psf2c.py $(foreach f,$(FONTS),$(lastword $(subst =, ,$(f))))
	@mkdir -p $(dir $@)
	@echo '  FONT       $@'
	$(Q)$(PYTHON) tools/psf2c.py -o $@ $(FONTS)

# ---- firmware stage -------------------------------------------------------
$(BUILD)/efi/%.c.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	@echo '  CC [efi]    $<'
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

# Compressed as the ring-3 programs are (docs/lz.md, no dictionary); efi/kload.c decodes it.
$(BUILD)/kernel.bin.lz: $(BUILD)/kernel.bin.elf $(BUILD)/lzpack
	@echo '  LZ         $@'
	$(Q)$(BUILD)/lzpack $< $@

$(BUILD)/efi/efi/kernel_blob.S.o: efi/kernel_blob.S $(BUILD)/kernel.bin.lz
	@mkdir -p $(dir $@)
	@echo '  AS [efi]    $< (+ kernel.bin.lz)'
	$(Q)$(CC) $(EFI_CFLAGS) -DKERNEL_BLOB='"$(BUILD)/kernel.bin.lz"' -c $< -o $@

$(BUILD)/efi/%.S.o: %.S $(HEADERS)
	@mkdir -p $(dir $@)
	@echo '  AS [efi]    $<'
	$(Q)$(CC) $(EFI_CFLAGS) -c $< -o $@

$(BUILD)/atlas.so: $(EFI_OBJS)
	$(LD) -nostdlib -znocombreloc -z noexecstack -shared -Bsymbolic -T $(GNUEFI_LIB)/elf_x86_64_efi.lds \
		$(GNUEFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) -L$(GNUEFI_LIB) -lgnuefi -o $@
	tools/check-relocs.sh $@ $(filter $(BUILD)/efi/%,$(EFI_OBJS))

$(BUILD)/atlas.efi: $(BUILD)/atlas.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela -j '.rel.*' \
		-j '.rela.*' -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@
	tools/check-pe.sh $@

# ---- boot media -----------------------------------------------------------
include tests/user/user.mk
include tools/userland/userland.mk
include tests/lang/lang.mk

# The initramfs: busybox-static with its applet links, Atlas's own tools in /bin
# (tools/userland: pmap), the ring-3 suite in /usr/lib/atlas, the C++ and Go
# programs in /usr/lib/atlas/lang (tests/lang), tools/initrd/ (etc/...), and
# INITRD_EXTRA=dir[ dir...] on top.
BUSYBOX ?= /bin/busybox
INITRD := $(BUILD)/initrd.cpio
INITRD_EXTRA ?=
INITRD_SKEL := $(shell find tools/initrd 2>/dev/null)
INITRD_EXTRA_FILES := $(foreach d,$(INITRD_EXTRA),$(shell find $(d) 2>/dev/null))
$(INITRD): tools/mkinitrd.py $(USER_ELFS) $(USER_GLIBC_ELFS) $(USERLAND_BINS) $(LANG_BINS) $(INITRD_SKEL) \
		$(INITRD_EXTRA_FILES)
	@test -x $(BUSYBOX) || { echo "$(BUSYBOX) not found: apt-get install busybox-static (make deps)" >&2; exit 1; }
	$(Q)$(PYTHON) tools/mkinitrd.py -o $@ --busybox $(BUSYBOX) $(USERLAND_INITRD_ARGS) --suite $(BUILD)/user \
		--skel tools/initrd --extra $(LANG_ROOT) $(foreach d,$(INITRD_EXTRA),--extra $(d))

PCI_IDS_FILE := /usr/share/misc/pci.ids
$(BUILD)/esp.img: $(BUILD)/atlas.efi startup.nsh tools/atlas.cfg tools/mkesp.sh $(INITRD) $(SUITE) $(wildcard $(PCI_IDS_FILE))
	INITRD=$(INITRD) SUITE=$(SUITE) tools/mkesp.sh $@ $(BUILD)/atlas.efi startup.nsh tools/atlas.cfg

$(BUILD)/disk.img: $(BUILD)/esp.img tools/mkdisk.sh
	tools/mkdisk.sh $@ $(BUILD)/esp.img

# ---- running --------------------------------------------------------------
# The serial port goes to this terminal and, for the exit status, to build/run/serial.log.
RUN_SERIAL ?= -chardev stdio,id=com1,signal=on,logfile=$(BUILD)/run/serial.log -serial chardev:com1
QEMU_FLAGS = -machine q35 -m $(MEM) -nic none -no-reboot \
	-drive if=pflash,format=raw,unit=0,readonly=on,file=$(OVMF_CODE) \
	-drive if=pflash,format=raw,unit=1,file=$(BUILD)/run/OVMF_VARS.fd \
	-drive format=raw,file=$(BUILD)/run/disk.img \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	$(RUN_SERIAL) $(if $(GUI),,-display none)

# Words put before ARGS (ARGS win): make run ends by itself, with the run's
# result as QEMU's exit status (the shipped atlas.cfg waits in the monitor).
RUN_DEFAULTS ?= on_finish=exit
# ARGS reaches the shell inside single quotes, so the options' own quoting
# (run="\x.elf a b") passes through untouched.
shell_quote = '$(subst ','\'',$(1))'

# A private copy of the disk whose atlas.cfg ends with RUN_DEFAULTS and ARGS
# (later words win), because OVMF's removable-media path passes no LoadOptions.
run-media: $(BUILD)/disk.img
	@mkdir -p $(BUILD)/run
	cp $(OVMF_VARS) $(BUILD)/run/OVMF_VARS.fd
	tools/mkdisk.sh --with-args $(call shell_quote,$(strip $(RUN_DEFAULTS) $(ARGS))) $(BUILD)/run/disk.img \
		$(BUILD)/esp.img

# Exit status: 0 only when every test passed (tools/runstatus.sh reads QEMU's
# status, and the summary in the serial log when the run powered off).
run: deps all run-media
	@rm -f $(BUILD)/run/serial.log
	$(QEMU) $(QEMU_FLAGS); tools/runstatus.sh $$? $(BUILD)/run/serial.log

# gdb owns this terminal; the serial output goes to a file (tail -f it in another one).
DEBUG_SERIAL ?= -serial file:$(BUILD)/run/serial.log
debug: deps all run-media $(BUILD)/atlas.gdb
	@echo "atlas: serial output goes to $(BUILD)/run/serial.log (tail -f it in a second terminal)"
	$(QEMU) $(QEMU_FLAGS:$(RUN_SERIAL)=$(DEBUG_SERIAL)) -s -S & \
	gdb -q -x $(BUILD)/atlas.gdb; kill %1 2>/dev/null; true

# tools/atlas.gdb with include/memlayout.h's addresses filled in.
$(BUILD)/atlas.gdb: tools/atlas.gdb tools/gengdb.py include/memlayout.h
	@mkdir -p $(dir $@)
	$(Q)$(PYTHON) tools/gengdb.py tools/atlas.gdb $@

# ---- Secure Boot ----------------------------------------------------------
# Debian's ovmf ships a test key pair ("snakeoil", passphrase snakeoil) and a
# firmware whose PK, KEK and db hold its certificate, with Secure Boot on.
SB_KEY       ?= /usr/share/ovmf/PkKek-1-snakeoil.key
SB_CERT      ?= /usr/share/ovmf/PkKek-1-snakeoil.pem
OVMF_SB_CODE ?= $(OVMF_DIR)/OVMF_CODE_4M.snakeoil.fd
OVMF_SB_VARS ?= $(OVMF_DIR)/OVMF_VARS_4M.snakeoil.fd
# That firmware is the SMM build: SMM on, variable flash reachable from SMM only.
QEMU_SB_FLAGS = -machine smm=on -global driver=cfi.pflash01,property=secure,value=on

.PHONY: signed run-secureboot
signed: $(BUILD)/atlas-signed.efi $(BUILD)/esp-signed.img $(BUILD)/disk-signed.img

$(BUILD)/atlas-signed.efi: $(BUILD)/atlas.efi tools/sign.sh
	tools/sign.sh $< $@ $(SB_KEY) $(SB_CERT)

$(BUILD)/esp-signed.img: $(BUILD)/atlas-signed.efi startup.nsh tools/atlas.cfg tools/mkesp.sh $(INITRD) $(SUITE)
	INITRD=$(INITRD) SUITE=$(SUITE) tools/mkesp.sh $@ $(BUILD)/atlas-signed.efi startup.nsh tools/atlas.cfg

$(BUILD)/disk-signed.img: $(BUILD)/esp-signed.img tools/mkdisk.sh
	tools/mkdisk.sh $@ $(BUILD)/esp-signed.img

# Like run, but with Secure Boot enforced; ARGS, GUI and MEM work the same way.
run-secureboot: OVMF_CODE = $(OVMF_SB_CODE)
run-secureboot: deps signed
	@mkdir -p $(BUILD)/run
	cp $(OVMF_SB_VARS) $(BUILD)/run/OVMF_VARS.fd
	tools/mkdisk.sh --with-args $(call shell_quote,$(strip $(RUN_DEFAULTS) $(ARGS))) $(BUILD)/run/disk.img \
		$(BUILD)/esp-signed.img
	@rm -f $(BUILD)/run/serial.log
	$(QEMU) $(QEMU_FLAGS) $(QEMU_SB_FLAGS); tools/runstatus.sh $$? $(BUILD)/run/serial.log

# ---- checks ---------------------------------------------------------------
include tests/unit/unit.mk

SOURCES := $(wildcard efi/*.c efi/*.h $(addsuffix /*.c,$(KERNEL_SRC_DIRS)) include/*.h tests/unit/*.c tests/unit/*.h \
	tests/user/*.c tests/user/*.h tests/user/run/*.c tests/user/run/fuzz/*.c tests/user/run/fuzz/*.h tests/bench/*.c tests/tools/*.c tools/lzpack.c \
	tools/syscalls-md.c tools/userland/*.c tools/userland/*.h)

lint: $(BUILD)/syscalls-md $(BUILD)/atlas.gdb
	@echo '  LINT       clang-format --dry-run --Werror (.clang-format)'
	@clang-format --dry-run --Werror $(SOURCES)
	@echo '  LINT       tools/check-layers.sh: every #include points down (docs/architecture.md)'
	@tools/check-layers.sh
	@tests/tools/test_check_layers.sh > $(BUILD)/test_check_layers.tap || { cat $(BUILD)/test_check_layers.tap; exit 1; }
	@echo '  LINT       docs/syscalls.md is what include/syscalls.h says'
	@$(BUILD)/syscalls-md | cmp -s - docs/syscalls.md || { echo "docs/syscalls.md is stale: make docs/syscalls.md" >&2; exit 1; }
	@echo '  LINT       cppcheck'
	@cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 --inline-suppr \
		--suppress=missingIncludeSystem --suppress=ctunullpointer -D__x86_64__ -DATLAS_KERNEL -Iinclude $(filter %.c,$(SOURCES))

# docs/syscalls.md: the system-call table in words, from include/syscalls.h.
$(BUILD)/syscalls-md: tools/syscalls-md.c include/syscalls.h include/syscall.h include/trap.h
	@mkdir -p $(dir $@)
	$(Q)$(HOST_CC) -std=gnu11 -O1 -Wall -Wextra -Werror -iquote include -o $@ tools/syscalls-md.c

docs/syscalls.md: $(BUILD)/syscalls-md
	$(BUILD)/syscalls-md > $@

format:
	clang-format -i $(SOURCES)

boot-test: all
	$(PYTHON) -m pytest -v tests/boot tests/bench

test: deps lint unit user-host tools-test boot-test

# Every cell of the boot matrix (memory x CPU model x machine x SMP x serial x
# OVMF size): the whole suite must pass in each. Long: not part of make test.
test-matrix: deps all
	$(PYTHON) tools/matrix.py

# The system-call fuzzer (tests/user/run/fuzz.c) in Atlas: SEEDS=1-50 CALLS=20000 (tools/fuzz.py).
SEEDS ?= 1-50
CALLS ?= 20000
.PHONY: fuzz
fuzz: deps all
	SEEDS="$(SEEDS)" CALLS="$(CALLS)" MEM="$(MEM)" $(PYTHON) tools/fuzz.py

# Benchmarks: figures, not pass/fail (RUNS=N boots per configuration).
# Only make bench needs these: Debian's kernel for the Linux side, and the chart.
BENCH_PACKAGES := linux-image-amd64 python3-matplotlib
.PHONY: bench-deps
bench: deps bench-deps all
	$(PYTHON) tools/bench.py

bench-deps:
	$(call install-missing,$(BENCH_PACKAGES))

# Install whichever of the Debian packages $(1) are not installed yet.
define install-missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
endef

deps:
	$(call install-missing,$(DEB_PACKAGES))

clean:
	rm -rf $(BUILD)
