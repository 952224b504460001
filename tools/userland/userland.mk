# tools/userland/userland.mk - Atlas's own ring-3 tools, for the initramfs's /bin:
# what Debian's busybox-static lacks and Debian ships only dynamically linked
# (Atlas runs static programs). Included by the top Makefile, which provides
# $(BUILD); does not change the default goal.
#
#   $(BUILD)/userland/NAME        tools/userland/NAME.c and its helpers, musl-gcc -static:
#                                 /bin/NAME in the initramfs (mkinitrd.py --bin NAME=PATH)
#   $(BUILD)/userland/glibc/NAME  the same built with gcc -static (glibc): it must build and
#                                 behave the same, and the host test runs both
#   make tools-test               tests/tools/test_pmap.py: pmap against procps's on live
#                                 processes of this host, byte for byte
#
# A tool NAME lists its sources in USERLAND_SRCS_NAME (NAME.c first).

USERLAND_SAVED_GOAL := $(.DEFAULT_GOAL)

USERLAND_TOOLS := pmap
USERLAND_SRCS_pmap := tools/userland/pmap.c tools/userland/pmap_procs.c tools/userland/pmap_extended.c \
	tools/userland/gnu_getopt.c
USERLAND_HDRS := $(wildcard tools/userland/*.h)

USERLAND_CFLAGS := -std=gnu11 -static -O2 -Wall -Wextra -Werror
USERLAND_LDFLAGS := -s -Wl,-z,noexecstack

USERLAND_BINS := $(patsubst %,$(BUILD)/userland/%,$(USERLAND_TOOLS))
USERLAND_GLIBC_BINS := $(patsubst %,$(BUILD)/userland/glibc/%,$(USERLAND_TOOLS))

.SECONDEXPANSION:
$(BUILD)/userland/%: $$(USERLAND_SRCS_$$*) $(USERLAND_HDRS) tools/userland/userland.mk
	@command -v $(USER_CC) >/dev/null || { echo "$(USER_CC) not found: apt-get install musl-tools" >&2; exit 1; }
	@mkdir -p $(dir $@)
	@echo '  CC [tool]  $@'
	$(Q)$(USER_CC) $(USERLAND_CFLAGS) $(USERLAND_LDFLAGS) -o $@ $(USERLAND_SRCS_$*)

$(BUILD)/userland/glibc/%: $$(USERLAND_SRCS_$$*) $(USERLAND_HDRS) tools/userland/userland.mk
	@mkdir -p $(dir $@)
	@echo '  CC [tool]  $@ (glibc)'
	$(Q)$(GLIBC_CC) $(USERLAND_CFLAGS) $(USERLAND_LDFLAGS) -o $@ $(USERLAND_SRCS_$*)

# mkinitrd.py's arguments that put the tools into /bin.
USERLAND_INITRD_ARGS := $(foreach t,$(USERLAND_TOOLS),--bin $(t)=$(BUILD)/userland/$(t))

.PHONY: userland tools-test
userland: $(USERLAND_BINS) $(USERLAND_GLIBC_BINS)

tools-test: $(USERLAND_BINS) $(USERLAND_GLIBC_BINS)
	$(PYTHON) tests/tools/test_pmap.py --build $(BUILD)

.DEFAULT_GOAL := $(USERLAND_SAVED_GOAL)
