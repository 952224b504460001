# tests/lang/lang.mk - programs in C++ and Go, built with Debian's toolchains
# (make deps installs g++ and golang-go), for the initramfs only: they are
# megabytes each, so atlas.efi does not carry them. Included by the top
# Makefile; tests/boot/test_lang.py runs them on Atlas and on the host.
#
#   $(BUILD)/lang/root/usr/lib/atlas/lang/NAME   the staged tree mkinitrd.py copies (--extra)
#
# cxx_threads.cpp: g++ -static (glibc, libstdc++). go_goroutines.go: go build
# with CGO_ENABLED=0 (a static binary of the Go runtime's own), its build
# cache under $(BUILD), no network (GOPROXY=off, GOFLAGS=-mod=mod is not needed:
# the program imports the standard library only).

LANG_SAVED_GOAL := $(.DEFAULT_GOAL)

CXX ?= g++
GO ?= go
LANG_DIR := $(BUILD)/lang/root/usr/lib/atlas/lang
LANG_BINS := $(LANG_DIR)/cxx_threads $(LANG_DIR)/go_goroutines
LANG_ROOT := $(BUILD)/lang/root

$(LANG_DIR)/cxx_threads: tests/lang/cxx_threads.cpp tests/lang/lang.mk
	@mkdir -p $(dir $@)
	@command -v $(CXX) >/dev/null || { echo "$(CXX) not found: apt-get install g++ (make deps)" >&2; exit 1; }
	@echo '  CXX [lang] $<'
	$(Q)$(CXX) -std=gnu++17 -static -O2 -Wall -Wextra -Werror -pthread -s -o $@ $<

$(LANG_DIR)/go_goroutines: tests/lang/go_goroutines.go tests/lang/lang.mk
	@mkdir -p $(dir $@) $(BUILD)/lang/go-cache $(BUILD)/lang/gopath
	@command -v $(GO) >/dev/null || { echo "$(GO) not found: apt-get install golang-go (make deps)" >&2; exit 1; }
	@echo '  GO [lang]  $<'
	$(Q)CGO_ENABLED=0 GOPROXY=off GOFLAGS= GO111MODULE=off GOCACHE=$(abspath $(BUILD))/lang/go-cache \
		GOPATH=$(abspath $(BUILD))/lang/gopath $(GO) build -trimpath -ldflags='-s -w' -o $@ $<

.PHONY: lang
lang: $(LANG_BINS)

.DEFAULT_GOAL := $(LANG_SAVED_GOAL)
