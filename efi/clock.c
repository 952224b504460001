/* SPDX-License-Identifier: MIT */
/*
 * clock.c - the wall clock, read once from the firmware (RuntimeServices->
 * GetTime) while boot services are up, with the TSC at that moment: the
 * kernel carries it forward with the TSC (include/ktime.h). UEFI's
 * TimeZone is the offset in minutes such that UTC = local + TimeZone; an
 * unspecified zone is taken as UTC, as Linux takes the RTC.
 */
#include "civil.h"
#include "efi.h"
#include "x86.h"

#define EFI_TZ_UNSPECIFIED 2047

void efi_read_clock(struct boot_info *bi)
{
	EFI_TIME t;
	EFI_STATUS s;

	bi->clock_epoch = 0;
	if (!efi_st->RuntimeServices || !efi_st->RuntimeServices->GetTime) {
		bi->clock_status = (uint32_t)EFI_UNSUPPORTED;
		return;
	}
	s = efi_st->RuntimeServices->GetTime(&t, NULL);
	bi->clock_tsc = rdtsc();
	bi->clock_status = (uint32_t)s;
	if (s != EFI_SUCCESS) {
		efi_log("GetTime failed (%s): the kernel will read the CMOS clock instead\n", efi_status_str(s));
		return;
	}
	if (t.Year < 1970 || t.Month < 1 || t.Month > 12 || t.Day < 1 || t.Day > 31 || t.Hour > 23 || t.Minute > 59 ||
	    t.Second > 59) {
		efi_log("GetTime gave an impossible date (%u-%u-%u %u:%u:%u): the kernel will read the CMOS clock\n",
			t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second);
		bi->clock_status = (uint32_t)EFI_DEVICE_ERROR;
		return;
	}
	bi->clock_tz = t.TimeZone;
	bi->clock_epoch = civil_to_epoch(t.Year, t.Month, t.Day, t.Hour, t.Minute, t.Second);
	if (t.TimeZone != EFI_TZ_UNSPECIFIED && t.TimeZone >= -1440 && t.TimeZone <= 1440)
		bi->clock_epoch += (int64_t)t.TimeZone * 60;
}
