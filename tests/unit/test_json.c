/* SPDX-License-Identifier: MIT */
/* test_json.c - JSON-lines record builder: escaping, number forms, overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "json.h"

static void test_shapes(void **state)
{
	struct jrec r;

	(void)state;
	jrec_begin(&r, "boot");
	jrec_u64(&r, "ebs_tries", 1);
	jrec_hex(&r, "rip", 0xffffffff80000b89ULL);
	jrec_hex(&r, "zero", 0);
	jrec_i64(&r, "neg", -5);
	jrec_bool(&r, "ok", 1);
	jrec_bool(&r, "bad", 0);
	jrec_str(&r, "name", "boot.own_cr3");
	assert_string_equal(jrec_end(&r), "{\"rec\":\"boot\",\"ebs_tries\":1,\"rip\":\"0xffffffff80000b89\","
					  "\"zero\":\"0x0\",\"neg\":-5,\"ok\":true,\"bad\":false,"
					  "\"name\":\"boot.own_cr3\"}\n");
}

static void test_hex_array(void **state)
{
	struct jrec r;
	const uint64_t v[] = { 0x105003, 0, 0x8000000001200183ULL };

	(void)state;
	jrec_begin(&r, "walk");
	jrec_hex_array(&r, "entries", v, 3);
	jrec_hex_array(&r, "none", v, 0);
	assert_string_equal(jrec_end(&r), "{\"rec\":\"walk\",\"entries\":[\"0x105003\",\"0x0\",\"0x8000000001200183\"],"
					  "\"none\":[]}\n");
}

static void test_u64_extremes(void **state)
{
	struct jrec r;

	(void)state;
	jrec_begin(&r, "x");
	jrec_u64(&r, "max", UINT64_MAX);
	jrec_hex(&r, "hmax", UINT64_MAX);
	jrec_i64(&r, "min", INT64_MIN);
	assert_string_equal(jrec_end(&r), "{\"rec\":\"x\",\"max\":18446744073709551615,\"hmax\":\"0xffffffffffffffff\","
					  "\"min\":-9223372036854775808}\n");
}

static void test_escaping(void **state)
{
	struct jrec r;

	(void)state;
	jrec_begin(&r, "warning");
	jrec_str(&r, "msg", "say \"hi\" \\ back\nline\ttab\x01\x7f");
	assert_string_equal(jrec_end(&r), "{\"rec\":\"warning\",\"msg\":\"say \\\"hi\\\" \\\\ back\\nline\\u0009tab"
					  "\\u0001\\u007f\"}\n");
	jrec_begin(&r, "q\"k");
	jrec_str(&r, "k\\", NULL);
	assert_string_equal(jrec_end(&r), "{\"rec\":\"q\\\"k\",\"k\\\\\":\"\"}\n");
}

/* A record that does not fit is refused whole, never torn. */
static void test_overflow(void **state)
{
	struct jrec r;
	char big[JREC_MAX];

	(void)state;
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	jrec_begin(&r, "memmap");
	jrec_str(&r, "type", big);
	jrec_u64(&r, "pages", 3);
	assert_null(jrec_end(&r));

	/* The largest record that fits ends with "}\n" inside the buffer. */
	jrec_begin(&r, "x");
	for (int i = 0; i < 2000 && !r.overflow; i++)
		jrec_bool(&r, "k", 1);
	assert_true(r.overflow);
	assert_null(jrec_end(&r));
	jrec_begin(&r, "x");
	while (r.len + 12 + 3 <= JREC_MAX)
		jrec_bool(&r, "k", 1); /* ,"k":true = 9 bytes */
	const char *line = jrec_end(&r);
	assert_non_null(line);
	assert_true(strlen(line) < JREC_MAX);
	assert_int_equal(line[strlen(line) - 1], '\n');
	assert_int_equal(line[strlen(line) - 2], '}');
}
/* Program output: any bytes, NUL and invalid UTF-8 included, come out as valid JSON with nothing lost. */
static void test_bytes(void **state)
{
	struct jrec r;
	static const char data[] = "a\0b\xff\xfe c\xc3\xa9 \xe2\x82\xac \xc3 \xf0\x9f\x98\x80\x80\"\\\n\x01";
	const char *line;

	(void)state;
	jrec_begin(&r, "output");
	jrec_strn(&r, "text", data, sizeof(data) - 1);
	line = jrec_end(&r);
	assert_non_null(line);
	/* NUL kept, 0xff 0xfe and the lone 0xc3 / stray 0x80 as U+00xx, valid sequences (é, €, 😀) as they are. */
	assert_string_equal(line,
			    "{\"rec\":\"output\",\"text\":\"a\\u0000b\\u00ff\\u00fe c\xc3\xa9 \xe2\x82\xac \\u00c3 "
			    "\xf0\x9f\x98\x80\\u0080\\\"\\\\\\n\\u0001\"}\n");
	/* The size it predicts is the size it writes. */
	assert_int_equal(jrec_strn_size(data, sizeof(data) - 1),
			 strlen(line) - strlen("{\"rec\":\"output\",\"text\":") - strlen("}\n"));
	/* A truncated sequence at the end is escaped byte by byte. */
	jrec_begin(&r, "o");
	jrec_strn(&r, "t", "\xe2\x82", 2);
	assert_string_equal(jrec_end(&r), "{\"rec\":\"o\",\"t\":\"\\u00e2\\u0082\"}\n");
	jrec_begin(&r, "o");
	jrec_strn(&r, "t", "", 0);
	assert_string_equal(jrec_end(&r), "{\"rec\":\"o\",\"t\":\"\"}\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shapes),	 cmocka_unit_test(test_hex_array), cmocka_unit_test(test_u64_extremes),
		cmocka_unit_test(test_escaping), cmocka_unit_test(test_overflow),  cmocka_unit_test(test_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
