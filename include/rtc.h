/* SPDX-License-Identifier: MIT */
/*
 * rtc.h - the CMOS real-time clock (MC146818 at ports 0x70/0x71): the wall
 * clock when the firmware's GetTime failed.
 */
#ifndef ATLAS_RTC_H
#define ATLAS_RTC_H

#include <stdint.h>

/*
 * Seconds since 1970 (UTC: the RTC is taken to keep UTC, as Linux takes it),
 * read twice until two reads agree, with every wait bounded. century is the
 * CMOS register the FADT names for the century (0: none, then 20xx).
 * Returns 0 and *epoch, or -EIO (no clock, or a date that cannot be).
 */
int rtc_read(uint8_t century_reg, int64_t *epoch);

#endif
