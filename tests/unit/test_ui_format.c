/* test_ui_format.c -- console formatting and layout: numbers, durations, the cell grid, segment and column layout. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tui/fmt.h"
#include "../../tui/grid.h"
#include "../../tui/ui_frame.h"
#include "../../tui/ui_peers.h"

static void
test_fmt_bytes(void **state)
{
	char b[FMT_LEN];

	(void)state;
	assert_string_equal(fmt_bytes(0, b, sizeof(b)), "0B");
	assert_string_equal(fmt_bytes(1023, b, sizeof(b)), "1023B");
	assert_string_equal(fmt_bytes(1024, b, sizeof(b)), "1.0K");
	assert_string_equal(fmt_bytes(1536, b, sizeof(b)), "1.5K");
	assert_string_equal(fmt_bytes(12 * 1024, b, sizeof(b)), "12K");
	assert_string_equal(fmt_bytes(5ull << 20, b, sizeof(b)), "5.0M");
	assert_string_equal(fmt_bytes(3ull << 30, b, sizeof(b)), "3.0G");
	assert_string_equal(fmt_bytes(UINT64_MAX, b, sizeof(b)), "16E");
	/* A short buffer is cut, never overrun. */
	assert_string_equal(fmt_bytes(1536, b, 3), "1.");
}

static void
test_fmt_rate(void **state)
{
	char b[FMT_LEN];

	(void)state;
	assert_string_equal(fmt_rate(0, b, sizeof(b)), "0B/s");
	assert_string_equal(fmt_rate(2048, b, sizeof(b)), "2.0K/s");
	assert_string_equal(fmt_rate(-1, b, sizeof(b)), "-");
	assert_string_equal(fmt_rate(NAN, b, sizeof(b)), "-");
	assert_string_equal(fmt_rate(INFINITY, b, sizeof(b)), "-");
}

static void
test_fmt_duration(void **state)
{
	char b[FMT_LEN];

	(void)state;
	assert_string_equal(fmt_duration(0, b, sizeof(b)), "0s");
	assert_string_equal(fmt_duration(59, b, sizeof(b)), "59s");
	assert_string_equal(fmt_duration(312, b, sizeof(b)), "5m12s");
	assert_string_equal(fmt_duration(3 * 3600 + 7 * 60, b, sizeof(b)), "3h07m");
	assert_string_equal(fmt_duration(2 * 86400 + 4 * 3600, b, sizeof(b)), "2d04h");
	assert_string_equal(fmt_duration(45 * 86400, b, sizeof(b)), "45d");
	assert_string_equal(fmt_duration(3 * 365 * 86400LL, b, sizeof(b)), "3y");
	assert_string_equal(fmt_duration(-5, b, sizeof(b)), "-");
}

static void
test_fmt_latency_and_count(void **state)
{
	char b[FMT_LEN];

	(void)state;
	assert_string_equal(fmt_latency(-1, b, sizeof(b)), "-");
	assert_string_equal(fmt_latency(NAN, b, sizeof(b)), "-");
	assert_string_equal(fmt_latency(0.123, b, sizeof(b)), "0.12ms");
	assert_string_equal(fmt_latency(12.34, b, sizeof(b)), "12.3ms");
	assert_string_equal(fmt_latency(123.4, b, sizeof(b)), "123ms");
	assert_string_equal(fmt_latency(1234, b, sizeof(b)), "1.23s");
	assert_string_equal(fmt_latency(12345, b, sizeof(b)), "12.3s");
	assert_string_equal(fmt_count(999, b, sizeof(b)), "999");
	assert_string_equal(fmt_count(12345, b, sizeof(b)), "12.3k");
	assert_string_equal(fmt_count(123456, b, sizeof(b)), "123k");
	assert_string_equal(fmt_count(1234567, b, sizeof(b)), "1.2M");
}

/* Issue 15 item 14: sanitising is idempotent, so text the node escaped
 * is never escaped again (\x5cx1b). */
static void
test_untrusted_escapes_once(void **state)
{
	char b[64], c[64];

	(void)state;
	assert_string_equal(fmt_untrusted("a\x1b[31mb", 7, b, sizeof(b)), "a\\x1b[31mb");
	assert_string_equal(fmt_untrusted(b, strlen(b), c, sizeof(c)), b);
	assert_string_equal(fmt_untrusted("C:\\dir", 6, b, sizeof(b)), "C:\\dir");
	assert_string_equal(fmt_untrusted("\x00\x7f\xff", 3, b, sizeof(b)), "\\x00\\x7f\\xff");
	/* Cut between whole escapes, never inside one; NUL-terminated. */
	assert_string_equal(fmt_untrusted("ab\x01", 3, b, 5), "ab");
	assert_string_equal(fmt_untrusted("abcdef", 6, b, 4), "abc");
	assert_string_equal(fmt_untrusted("abc", 3, b, 1), "");
}

static void
test_parse_duration(void **state)
{
	int64_t v;

	(void)state;
	assert_int_equal(fmt_parse_duration("3600", 1000000, &v), 0);
	assert_int_equal(v, 3600);
	assert_int_equal(fmt_parse_duration("30m", 1000000, &v), 0);
	assert_int_equal(v, 1800);
	assert_int_equal(fmt_parse_duration("1h30m", 1000000, &v), 0);
	assert_int_equal(v, 5400);
	assert_int_equal(fmt_parse_duration("2d", 1000000, &v), 0);
	assert_int_equal(v, 172800);
	assert_int_equal(fmt_parse_duration("1w", 1000000, &v), 0);
	assert_int_equal(v, 604800);
	/* Every malformed or out-of-range input is refused. */
	v = 7;
	assert_int_equal(fmt_parse_duration("", 1000000, &v), -1);
	assert_int_equal(fmt_parse_duration(NULL, 1000000, &v), -1);
	assert_int_equal(fmt_parse_duration("0", 1000000, &v), -1);
	assert_int_equal(fmt_parse_duration("-5", 1000000, &v), -1);
	assert_int_equal(fmt_parse_duration("5x", 1000000, &v), -1);
	assert_int_equal(fmt_parse_duration("h", 1000000, &v), -1);
	assert_int_equal(fmt_parse_duration("1 h", 1000000, &v), -1);
	assert_int_equal(fmt_parse_duration("2000000", 1000000, &v), -1);
	assert_int_equal(fmt_parse_duration("99999999999999999999", INT64_MAX, &v), -1);
	assert_int_equal(fmt_parse_duration("9999999999999999w", INT64_MAX, &v), -1);
	assert_int_equal(v, 7);
}

static void
test_grid_text_and_clip(void **state)
{
	struct grid *g = grid_new(10, 2, true);
	char row[64];

	(void)state;
	assert_int_equal(grid_text(g, 0, 0, 10, GC_NORMAL, "hello world"), 10);
	grid_row_text(g, 0, row, sizeof(row));
	assert_string_equal(row, "hello worl");
	/* Off the grid is clipped, never written. */
	assert_int_equal(grid_put(g, -1, 0, 'x', 0), 0);
	assert_int_equal(grid_put(g, 10, 0, 'x', 0), 0);
	assert_int_equal(grid_put(g, 0, 2, 'x', 0), 0);
	assert_null(grid_at(g, 10, 0));
	/* Controls become '?'. */
	grid_text(g, 0, 1, 10, GC_NORMAL, "a\x1b[2Jb");
	grid_row_text(g, 1, row, sizeof(row));
	assert_string_equal(row, "a?[2Jb");
	grid_free(g);
}

static void
test_grid_utf8_and_wide(void **state)
{
	struct grid *g = grid_new(6, 1, true);
	char row[64];
	uint32_t cp;

	(void)state;
	/* A CJK character takes two cells and fits only where two remain. */
	assert_int_equal(grid_text(g, 0, 0, 6, GC_NORMAL, "a\xe4\xb8\xad" "b"), 4);
	assert_int_equal(grid_at(g, 2, 0)->ch, GRID_CONT);
	grid_row_text(g, 0, row, sizeof(row));
	assert_string_equal(row, "a\xe4\xb8\xad" "b");
	/* Overwriting half of it blanks the other half. */
	grid_put(g, 2, 0, 'x', 0);
	assert_int_equal(grid_at(g, 1, 0)->ch, ' ');
	assert_int_equal(grid_put(g, 5, 0, 0x4e2d, 0), 0);
	/* Malformed UTF-8 decodes to U+FFFD one byte at a time. */
	assert_int_equal(grid_utf8_decode("\xc3", 1, &cp), 1);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(grid_utf8_decode("\xc0\x80", 2, &cp), 1);
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(grid_utf8_decode("\xed\xa0\x80", 3, &cp), 1);	/* surrogate */
	assert_int_equal(cp, 0xfffd);
	assert_int_equal(grid_utf8_decode("\xe2\x96\x88", 3, &cp), 3);
	assert_int_equal(cp, 0x2588);
	grid_free(g);
}

static void
test_grid_ascii_fallback(void **state)
{
	struct grid *g = grid_new(8, 1, false);
	char row[64];

	(void)state;
	grid_text(g, 0, 0, 8, GC_NORMAL, "S\xc3\xa3o \xe2\x96\x88");
	grid_row_text(g, 0, row, sizeof(row));
	assert_string_equal(row, "S?o ?");
	assert_string_equal(g->gl->hline, "-");
	grid_free(g);
}

static void
test_grid_field(void **state)
{
	struct grid *g = grid_new(12, 3, false);
	char row[64];

	(void)state;
	grid_field(g, 0, 0, 6, GC_NORMAL, GRID_RIGHT, "42");
	grid_field(g, 0, 1, 6, GC_NORMAL, GRID_LEFT, "abcdefgh");
	grid_field(g, 0, 2, 6, GC_NORMAL, GRID_CENTER, "ab");
	grid_row_text(g, 0, row, sizeof(row));
	assert_string_equal(row, "    42");
	grid_row_text(g, 1, row, sizeof(row));
	assert_string_equal(row, "abcde~");
	grid_row_text(g, 2, row, sizeof(row));
	assert_string_equal(row, "  ab");
	/* Resizing to nonsense clamps instead of failing. */
	grid_resize(g, 0, -3);
	assert_int_equal(g->w, 1);
	assert_int_equal(g->h, 1);
	grid_resize(g, 100000, 2);
	assert_int_equal(g->w, GRID_MAXDIM);
	grid_free(g);
}

static void
test_segments_drop_by_priority(void **state)
{
	struct grid *g = grid_new(80, 1, false);
	struct ui_frame_segment s[3] = {
		{ "state", 0, 0 }, { "a-long-optional-piece", 0, 5 }, { "label", 0, 1 },
	};
	bool show[3];
	char row[128];

	(void)state;
	assert_int_equal(ui_frame_segments_fit(g, 80, s, 3, show), 5 + 2 + 21 + 2 + 5);
	assert_true(show[0] && show[1] && show[2]);
	ui_frame_segments_fit(g, 20, s, 3, show);
	assert_true(show[0] && !show[1] && show[2]);
	ui_frame_segments_fit(g, 6, s, 3, show);
	assert_true(show[0] && !show[1] && !show[2]);
	ui_frame_segments_draw(g, 0, 0, 20, s, 3);
	grid_row_text(g, 0, row, sizeof(row));
	/* The kept pieces stay in their order. */
	assert_string_equal(row, "state  label");
	grid_free(g);
}

static void
test_peer_columns_layout(void **state)
{
	int cols[32], widths[32];
	size_t n, i;
	int total;

	(void)state;
	/* Wide enough for everything: every column, widths at least minimal. */
	n = ui_peers_layout(400, cols, widths);
	assert_int_equal(n, ui_peers_ncolumns);
	for (i = 0; i < n; i++)
		assert_true(widths[i] >= ui_peers_columns[cols[i]].width);
	/* 40 columns: the priority-1 columns survive, in table order. */
	n = ui_peers_layout(40, cols, widths);
	assert_true(n >= 3);
	assert_string_equal(ui_peers_columns[cols[0]].key, "id");
	assert_string_equal(ui_peers_columns[cols[1]].key, "address");
	for (total = 0, i = 0; i < n; i++)
		total += widths[i] + (i > 0);
	assert_true(total <= 40);
	for (i = 1; i < n; i++)
		assert_true(cols[i] > cols[i - 1]);
	/* Nothing fits in one cell; no column is ever half drawn. */
	assert_int_equal(ui_peers_layout(1, cols, widths), 0);
	/* Every width from 1 to 200 stays within the width. */
	for (int w = 1; w <= 200; w++) {
		n = ui_peers_layout(w, cols, widths);
		for (total = 0, i = 0; i < n; i++)
			total += widths[i] + (i > 0);
		assert_true(total <= w);
	}
	assert_int_equal(ui_peers_column("ping"), 4);
	assert_int_equal(ui_peers_column("nonsense"), -1);
}

static void
test_column_keys_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < ui_peers_ncolumns; i++) {
		assert_non_null(ui_peers_columns[i].cmp);
		assert_non_null(ui_peers_columns[i].fmt);
		for (size_t j = i + 1; j < ui_peers_ncolumns; j++)
			assert_string_not_equal(ui_peers_columns[i].key, ui_peers_columns[j].key);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fmt_bytes),
		cmocka_unit_test(test_fmt_rate),
		cmocka_unit_test(test_fmt_duration),
		cmocka_unit_test(test_fmt_latency_and_count),
		cmocka_unit_test(test_untrusted_escapes_once),
		cmocka_unit_test(test_parse_duration),
		cmocka_unit_test(test_grid_text_and_clip),
		cmocka_unit_test(test_grid_utf8_and_wide),
		cmocka_unit_test(test_grid_ascii_fallback),
		cmocka_unit_test(test_grid_field),
		cmocka_unit_test(test_segments_drop_by_priority),
		cmocka_unit_test(test_peer_columns_layout),
		cmocka_unit_test(test_column_keys_unique),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
