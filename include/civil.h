/* SPDX-License-Identifier: MIT */
/*
 * civil.h - calendar dates to seconds since 1970-01-01 00:00 UTC, for the
 * firmware's and the CMOS clock's readings (Howard Hinnant's days_from_civil,
 * proleptic Gregorian calendar). Used by efi/ and the kernel.
 */
#ifndef ATLAS_CIVIL_H
#define ATLAS_CIVIL_H

#include <stdint.h>

static inline int64_t civil_to_epoch(int64_t y, unsigned m, unsigned d, unsigned hh, unsigned mm, unsigned ss)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468) * 86400 + hh * 3600 + mm * 60 + ss;
}

#endif
