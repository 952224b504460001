# tests/user/user.mk - the ring-3 test programs (static musl ELFs) and the
# suite file that carries them beside the image (\atlas\suite.bin on the ESP). Included by the top Makefile, which
# provides $(BUILD). Safe to include anywhere: it does not change the default goal.
#
#   $(BUILD)/user/NAME.elf   tests/user/NAME.c built with musl-gcc, static, non-PIE
#   $(BUILD)/lzpack          the host compressor (tools/lzpack.c + core/lib/lz.c, docs/lz.md)
#   $(BUILD)/suite.bin       tools/mkprogs.sh: every ELF compressed with lzpack (NAME.lz,
#                            against the dictionary progs.dict) and the table of names,
#                            arguments and expectations (include/suitefile.h); tools/mkesp.sh
#                            puts it on the ESP as \atlas\suite.bin
#   $(BUILD)/user/run/NAME.elf  tests/user/run/NAME.c: programs the boot tests run through run= only
#   make user                all of the above
#   make user-host           run every program natively under Linux (tests/user/host_check.py)
#
# See tests/user/README.md for the ATLAS-* comments at the top of each program.

USER_SAVED_GOAL := $(.DEFAULT_GOAL)

USER_CC ?= musl-gcc
USER_CFLAGS := -std=gnu11 -static -no-pie -O1 -fno-stack-protector -Wall -Wextra -Werror \
	-fno-omit-frame-pointer
# NX stacks whatever an object file says: stack_exec must fault.
# -s: the programs ride inside atlas.efi, where symbols and debug info would only add size.
USER_LDFLAGS := -s -Wl,-z,noexecstack -Wl,--build-id=none

# Per-program extra flags: USER_CFLAGS_NAME := ... (none needed so far: the
# fault programs hide their bad pointers from the optimiser, see utest.h).

USER_SRCS := $(sort $(wildcard tests/user/*.c))
USER_NAMES := $(patsubst tests/user/%.c,%,$(USER_SRCS))
USER_ELFS := $(patsubst %,$(BUILD)/user/%.elf,$(USER_NAMES))
USER_HDRS := $(wildcard tests/user/*.h)

$(BUILD)/user/%.elf: tests/user/%.c $(USER_HDRS) tests/user/user.mk | $(BUILD)/user
	@command -v $(USER_CC) >/dev/null || { echo "$(USER_CC) not found: apt-get install musl-tools" >&2; exit 1; }
	@echo '  CC [user]  $<'
	$(Q)$(USER_CC) $(USER_CFLAGS) $(USER_CFLAGS_$*) -DPROG='"$*"' $(USER_LDFLAGS) -o $@ $<

# The same programs built against glibc (gcc -static), for the initramfs only
# (/usr/lib/atlas/glibc/NAME): glibc's start-up and its wrappers (AT_FDCWD
# zero-extended, fork through clone, its signal trampoline) must work too.
# tests/boot/test_glibc.py runs them.
# USER_GLIBC_PIE are linked as static-PIEs (gcc -static-pie: ET_DYN, PT_DYNAMIC, no PT_INTERP), which
# Atlas places as Linux 6.x does; musl-gcc's -static-pie is broken on Debian, so their musl builds stay ET_EXEC.
USER_GLIBC_NAMES := fs_calls proc_self fork_cow exec_args wait_status pipe_eof signals pthreads pie_base threads_clone epoll \
	thread_cycles
USER_GLIBC_PIE := pie_base
USER_GLIBC_ELFS := $(patsubst %,$(BUILD)/user/glibc/%.elf,$(USER_GLIBC_NAMES))
GLIBC_CC ?= gcc
glibc_cflags = $(if $(filter $(1),$(USER_GLIBC_PIE)),$(filter-out -static -no-pie,$(USER_CFLAGS)) -static-pie -fPIE,$(USER_CFLAGS))
$(BUILD)/user/glibc/%.elf: tests/user/%.c $(USER_HDRS) tests/user/user.mk
	@mkdir -p $(dir $@)
	@echo '  CC [glibc] $<'
	$(Q)$(GLIBC_CC) $(call glibc_cflags,$*) -DPROG='"$*"' $(USER_LDFLAGS) -o $@ $<

HOST_CC ?= gcc
$(BUILD)/lzpack: tools/lzpack.c core/lib/lz.c include/lz.h include/kerrno.h include/kstring.h
	@mkdir -p $(dir $@)
	@echo '  HOSTCC     $@'
	$(Q)$(HOST_CC) -std=gnu11 -O2 -Wall -Wextra -Werror -DATLAS_HOST -iquote include -o $@ tools/lzpack.c core/lib/lz.c

# Fails (naming file and line) on a bad ATLAS-* comment.
SUITE := $(BUILD)/suite.bin
$(SUITE): tools/mkprogs.sh $(USER_SRCS) $(USER_ELFS) $(BUILD)/lzpack | $(BUILD)/user
	@echo '  GEN        $@'
	$(Q)LZPACK=$(BUILD)/lzpack PYTHON=$(PYTHON) tools/mkprogs.sh $@ $(BUILD)/user $(USER_SRCS)

$(BUILD)/user:
	mkdir -p $@

# Programs for run= only (tests/user/run/README.md): same flags, not in the table.
USER_RUN_SRCS := $(sort $(wildcard tests/user/run/*.c))
USER_RUN_ELFS := $(patsubst tests/user/run/%.c,$(BUILD)/user/run/%.elf,$(USER_RUN_SRCS))

$(BUILD)/user/run/%.elf: tests/user/run/%.c $(USER_HDRS) tests/user/user.mk
	@mkdir -p $(dir $@)
	@echo '  CC [user]  $<'
	$(Q)$(USER_CC) $(USER_CFLAGS) -iquote tests/user -DPROG='"$*"' $(USER_LDFLAGS) -o $@ $<

# The fuzzer has parts of its own (tests/user/run/fuzz/) and reads the kernel's
# system-call list (include/syscalls.h, include/syscall.h) at build time.
FUZZ_SRCS := $(sort $(wildcard tests/user/run/fuzz/*.c))
FUZZ_HDRS := $(wildcard tests/user/run/fuzz/*.h) include/syscalls.h include/syscall.h include/trap.h
$(BUILD)/user/run/fuzz.elf: tests/user/run/fuzz.c $(FUZZ_SRCS) $(FUZZ_HDRS) $(USER_HDRS) tests/user/user.mk
	@mkdir -p $(dir $@)
	@echo '  CC [user]  $< $(FUZZ_SRCS)'
	$(Q)$(USER_CC) $(USER_CFLAGS) -iquote tests/user -iquote tests/user/run/fuzz -iquote include -DPROG='"fuzz"' \
		$(USER_LDFLAGS) -o $@ $< $(FUZZ_SRCS)

all: $(USER_RUN_ELFS)

.PHONY: user user-host
user: $(USER_ELFS) $(SUITE) $(USER_RUN_ELFS)

user-host: $(USER_ELFS) $(SUITE)
	$(PYTHON) tests/user/host_check.py --build $(BUILD)/user --suite $(SUITE)

.DEFAULT_GOAL := $(USER_SAVED_GOAL)
