/* SPDX-License-Identifier: MIT */
/*
 * log.c - the firmware stage's console: ConOut (UCS-2) and the UART.
 *
 * Under OVMF, and on machines with a serial console redirection, ConOut is
 * already mirrored to the UART by the firmware's terminal driver; writing to
 * the UART ourselves as well would print every line twice. efi_log_init asks
 * the firmware whether a text console sits on a UART and only writes raw
 * serial when none does.
 */
#include <stdarg.h>

#include "efi.h"
#include "kprintf.h"
#include "kstring.h"
#include "serial.h"

static int log_serial;
static struct boot_info *log_bi; /* where the log and the warnings are kept, once it exists */

void efi_log_attach(struct boot_info *bi)
{
	log_bi = bi;
	bi->fwlog[0] = 0;
	bi->warnings[0] = 0;
}

/* Keep s[0..n) in bi->fwlog for the kernel's console log; count what does not fit. */
static void keep(const char *s, size_t n)
{
	size_t used, room;

	if (!log_bi)
		return;
	used = strlen(log_bi->fwlog);
	room = sizeof(log_bi->fwlog) - 1 - used;
	if (n > room) {
		log_bi->fwlog_cut += (uint32_t)(n - room);
		n = room;
	}
	memcpy(log_bi->fwlog + used, s, n);
	log_bi->fwlog[used + n] = 0;
}

/* Keep a warning's text (without its newline) in bi->warnings for the menu and the kernel's report. */
static void keep_warning(const char *msg, size_t n)
{
	size_t used;

	if (!log_bi)
		return;
	while (n && msg[n - 1] == '\n')
		n--;
	used = strlen(log_bi->warnings);
	/* Drop what does not fit; the count still says how many there were. */
	if (used + n + 2 <= sizeof(log_bi->warnings)) {
		memcpy(log_bi->warnings + used, msg, n);
		log_bi->warnings[used + n] = '\n';
		log_bi->warnings[used + n + 1] = 0;
	}
	log_bi->fw_warnings++;
}

/* True when some handle carrying SimpleTextOut has a UART node in its path. */
static int conout_has_uart(void)
{
	EFI_GUID txt = EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL_GUID, dp_guid = EFI_DEVICE_PATH_PROTOCOL_GUID;
	EFI_HANDLE *h = NULL;
	UINTN count = 0;
	int found = 0;

	if (efi_bs->LocateHandleBuffer(ByProtocol, &txt, NULL, &count, &h) != EFI_SUCCESS)
		return 0;
	for (UINTN i = 0; i < count && !found; i++) {
		EFI_DEVICE_PATH_PROTOCOL *dp;

		if (efi_bs->HandleProtocol(h[i], &dp_guid, (void **)&dp) != EFI_SUCCESS)
			continue;
		/* Walk the nodes; a bounded count guards against a malformed path. */
		for (int k = 0; k < 64 && dp && dp->Type != END_DEVICE_PATH_TYPE; k++) {
			UINT16 len = dp->Length[0] | (dp->Length[1] << 8);
			if (dp->Type == MESSAGING_DEVICE_PATH && dp->SubType == MSG_UART_DP) {
				found = 1;
				break;
			}
			if (len < 4)
				break;
			dp = (EFI_DEVICE_PATH_PROTOCOL *)((UINT8 *)dp + len);
		}
	}
	efi_bs->FreePool(h);
	return found;
}

void efi_log_init(struct boot_info *bi)
{
	uint16_t port = bi->opts.serial == SERIAL_PORT ? bi->opts.serial_port : COM1_PORT;

	bi->conout_has_serial = conout_has_uart();
	log_serial = 0;
	if (bi->opts.serial == SERIAL_OFF) {
		serial_disable();
		return;
	}
	if (serial_port() != port && serial_init(port) != 0)
		return;
	log_serial = !bi->conout_has_serial;
}

static void conout(const char *s, size_t n)
{
	CHAR16 buf[129];
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n')
			buf[k++] = L'\r';
		buf[k++] = (unsigned char)c < 0x80 ? (CHAR16)c : L'?';
		if (k >= 127 || i + 1 == n) {
			buf[k] = 0;
			efi_st->ConOut->OutputString(efi_st->ConOut, buf);
			k = 0;
		}
	}
}

static void vlog(const char *prefix, UINTN attr, const char *fmt, va_list ap)
{
	char line[512];
	int n;

	n = kvsnprintf(line, sizeof(line), fmt, ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	if (attr)
		efi_st->ConOut->SetAttribute(efi_st->ConOut, attr);
	if (prefix)
		conout(prefix, strlen(prefix));
	conout(line, (size_t)n);
	if (attr)
		efi_st->ConOut->SetAttribute(efi_st->ConOut, EFI_LIGHTGRAY | EFI_BACKGROUND_BLACK);
	if (log_serial) {
		if (prefix)
			serial_write(prefix, strlen(prefix));
		serial_write(line, (size_t)n);
	}
	if (prefix) {
		keep(prefix, strlen(prefix));
		keep_warning(line, (size_t)n);
	}
	keep(line, (size_t)n);
}

void efi_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(NULL, 0, fmt, ap);
	va_end(ap);
}

void efi_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("atlas: warning: ", EFI_YELLOW | EFI_BACKGROUND_BLACK, fmt, ap);
	va_end(ap);
}

const char *efi_status_str(EFI_STATUS s)
{
	switch (s) {
	case EFI_SUCCESS:
		return "EFI_SUCCESS";
	case EFI_LOAD_ERROR:
		return "EFI_LOAD_ERROR";
	case EFI_INVALID_PARAMETER:
		return "EFI_INVALID_PARAMETER";
	case EFI_UNSUPPORTED:
		return "EFI_UNSUPPORTED";
	case EFI_BUFFER_TOO_SMALL:
		return "EFI_BUFFER_TOO_SMALL";
	case EFI_NOT_READY:
		return "EFI_NOT_READY";
	case EFI_DEVICE_ERROR:
		return "EFI_DEVICE_ERROR";
	case EFI_OUT_OF_RESOURCES:
		return "EFI_OUT_OF_RESOURCES";
	case EFI_NOT_FOUND:
		return "EFI_NOT_FOUND";
	case EFI_ACCESS_DENIED:
		return "EFI_ACCESS_DENIED";
	case EFI_SECURITY_VIOLATION:
		return "EFI_SECURITY_VIOLATION";
	case EFI_BAD_BUFFER_SIZE:
		return "EFI_BAD_BUFFER_SIZE";
	case EFI_END_OF_FILE:
		return "EFI_END_OF_FILE";
	case EFI_VOLUME_CORRUPTED:
		return "EFI_VOLUME_CORRUPTED";
	case EFI_NO_MEDIA:
		return "EFI_NO_MEDIA";
	default:
		return "EFI error";
	}
}

uint64_t efi_alloc_pages_dirty(uint64_t pages, const char *what)
{
	EFI_PHYSICAL_ADDRESS a = 0;
	EFI_STATUS s = efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &a);

	/* Physical page 0 is a legal answer but 0 means failure here: keep it, ask again. */
	if (s == EFI_SUCCESS && a == 0)
		s = efi_bs->AllocatePages(AllocateAnyPages, EfiLoaderData, pages, &a);
	if (s != EFI_SUCCESS) {
		efi_warn("cannot allocate %llu pages for %s: %s\n", (unsigned long long)pages, what, efi_status_str(s));
		return 0;
	}
	return a;
}

uint64_t efi_alloc_pages(uint64_t pages, const char *what)
{
	uint64_t a = efi_alloc_pages_dirty(pages, what);

	if (a)
		memset((void *)(uintptr_t)a, 0, pages << 12);
	return a;
}
