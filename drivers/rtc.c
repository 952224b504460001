/* SPDX-License-Identifier: MIT */
/*
 * rtc.c - the CMOS clock (include/rtc.h). Registers 0-9 hold seconds,
 * minutes, hours, day, month and year, in BCD unless status B says binary,
 * hours in 12-hour form unless it says 24; an update in progress (status A
 * bit 7) makes the registers unreliable, so reads wait for it to clear and
 * are repeated until two agree.
 */
#include "rtc.h"

#include "civil.h"
#include "kerrno.h"
#include "x86.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA 0x71
#define NMI_DISABLE 0x80
#define REG_SEC 0x00
#define REG_MIN 0x02
#define REG_HOUR 0x04
#define REG_DAY 0x07
#define REG_MONTH 0x08
#define REG_YEAR 0x09
#define REG_A 0x0A
#define REG_B 0x0B
#define A_UIP 0x80
#define B_24H 0x02
#define B_BINARY 0x04
#define HOUR_PM 0x80
#define WAIT_MAX 1000000
#define TRIES 8

static uint8_t cmos(uint8_t reg)
{
	outb(CMOS_INDEX, NMI_DISABLE | reg);
	return inb(CMOS_DATA);
}

static unsigned bcd(uint8_t v)
{
	return (v & 0x0F) + (v >> 4) * 10;
}

struct raw {
	uint8_t sec, min, hour, day, month, year, century;
};

static int read_raw(struct raw *r, uint8_t century_reg)
{
	for (int i = 0; i < WAIT_MAX; i++) {
		if (!(cmos(REG_A) & A_UIP)) {
			r->sec = cmos(REG_SEC);
			r->min = cmos(REG_MIN);
			r->hour = cmos(REG_HOUR);
			r->day = cmos(REG_DAY);
			r->month = cmos(REG_MONTH);
			r->year = cmos(REG_YEAR);
			r->century = century_reg ? cmos(century_reg) : 0;
			return 0;
		}
	}
	return -EIO;
}

int rtc_read(uint8_t century_reg, int64_t *epoch)
{
	struct raw a, b;
	uint8_t st;
	unsigned sec, min, hour, day, month, year, century;
	int ok = 0;

	if (read_raw(&a, century_reg))
		return -EIO;
	for (int i = 0; i < TRIES && !ok; i++) {
		if (read_raw(&b, century_reg))
			return -EIO;
		ok = a.sec == b.sec && a.min == b.min && a.hour == b.hour && a.day == b.day && a.month == b.month &&
		     a.year == b.year && a.century == b.century;
		a = b;
	}
	if (!ok)
		return -EIO;
	st = cmos(REG_B);
	if (st == 0xFF)
		return -EIO; /* nothing answers at 0x70/0x71 */
	sec = a.sec;
	min = a.min;
	hour = a.hour & ~HOUR_PM;
	day = a.day;
	month = a.month;
	year = a.year;
	century = a.century;
	if (!(st & B_BINARY)) {
		sec = bcd((uint8_t)sec);
		min = bcd((uint8_t)min);
		hour = bcd((uint8_t)hour);
		day = bcd((uint8_t)day);
		month = bcd((uint8_t)month);
		year = bcd((uint8_t)year);
		century = bcd((uint8_t)century);
	}
	if (!(st & B_24H) && (a.hour & HOUR_PM))
		hour = (hour % 12) + 12;
	else if (!(st & B_24H) && hour == 12)
		hour = 0;
	year += (century_reg && century >= 19 && century <= 99 ? century : 20) * 100;
	if (sec > 59 || min > 59 || hour > 23 || day < 1 || day > 31 || month < 1 || month > 12)
		return -EIO;
	*epoch = civil_to_epoch(year, month, day, hour, min, sec);
	return 0;
}
