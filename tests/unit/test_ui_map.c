/* test_ui_map.c -- the console's world map (land mask, projection, braille/ASCII drawing) and charts (histogram bins, series, sparklines). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../tui/chart.h"
#include "../../tui/grid.h"
#include "../../tui/worldmap.h"

static void
test_land_mask_known_places(void **state)
{
	static const struct { const char *name; double lat, lon; } land[] = {
		{ "Paris", 48.85, 2.35 }, { "Sahara", 23.0, 10.0 }, { "Moscow", 55.75, 37.6 },
		{ "Beijing", 39.9, 116.4 }, { "Chicago", 41.9, -87.6 }, { "Brasilia", -15.8, -47.9 },
		{ "Alice Springs", -23.7, 133.9 }, { "Frankfurt", 50.11, 8.68 },
		{ "Johannesburg", -26.2, 28.05 }, { "Sao Paulo", -23.3, -46.8 },
		{ "Delhi", 28.6, 77.2 }, { "Denver", 39.7, -105.0 }, { "Greenland", 72.0, -40.0 },
		{ "Madagascar", -19.0, 46.7 }, { "Tokyo", 35.9, 139.5 }, { "Borneo", 0.5, 114.0 },
	};
	static const struct { const char *name; double lat, lon; } sea[] = {
		{ "mid-Atlantic", 30.0, -40.0 }, { "Pacific", 0.0, -150.0 },
		{ "Indian Ocean", -20.0, 80.0 }, { "Caspian", 42.0, 50.5 },
		{ "Black Sea", 43.0, 34.0 }, { "Mediterranean", 35.0, 18.0 },
		{ "Hudson Bay", 60.0, -85.0 }, { "Gulf of Mexico", 25.0, -90.0 },
		{ "Tasman Sea", -40.0, 160.0 }, { "Bay of Bengal", 15.0, 88.0 },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(land) / sizeof(land[0]); i++)
		if (!worldmap_land(land[i].lat, land[i].lon))
			fail_msg("%s should be land", land[i].name);
	for (size_t i = 0; i < sizeof(sea) / sizeof(sea[0]); i++)
		if (worldmap_land(sea[i].lat, sea[i].lon))
			fail_msg("%s should be sea", sea[i].name);
	/* Longitudes wrap; nonsense is sea, never a crash. */
	assert_true(worldmap_land(48.85, 2.35 + 360.0));
	assert_true(worldmap_land(48.85, 2.35 - 720.0));
	assert_false(worldmap_land(NAN, 0));
	assert_false(worldmap_land(0, INFINITY));
	(void)worldmap_land(1000, 0);
	(void)worldmap_land(-1000, 0);
}

static void
test_land_share_plausible(void **state)
{
	double land = 0, total = 0;

	(void)state;
	/* About 29 % of the Earth's surface is land; weight by cos(lat). */
	for (double lat = -89.5; lat < 90; lat += 1)
		for (double lon = -179.5; lon < 180; lon += 1) {
			double w = cos(lat * M_PI / 180.0);

			total += w;
			if (worldmap_land(lat, lon))
				land += w;
		}
	assert_true(land / total > 0.22 && land / total < 0.36);
}

static void
test_polygons_sane(void **state)
{
	size_t vertices = 0;

	(void)state;
	for (size_t i = 0; i < worldmap_npolygons; i++) {
		const struct worldmap_polygon *p = &worldmap_polygons[i];

		assert_true(p->n >= 3);
		for (size_t k = 0; k < p->n; k++) {
			assert_true(p->pts[2 * k] >= -180 && p->pts[2 * k] <= 180);
			assert_true(p->pts[2 * k + 1] >= -90 && p->pts[2 * k + 1] <= 90);
		}
		vertices += p->n;
	}
	assert_true(vertices > 300);
}

static void
test_projection(void **state)
{
	struct worldmap_proj p;
	double lat, lon;
	int x, y;

	(void)state;
	worldmap_proj_init(&p, 360, 180, 90, -90);
	assert_int_equal(worldmap_project(&p, 90, -180, &x, &y), 0);
	assert_int_equal(x, 0);
	assert_int_equal(y, 0);
	assert_int_equal(worldmap_project(&p, 0, 0, &x, &y), 0);
	assert_int_equal(x, 180);
	assert_int_equal(y, 90);
	/* The far edges stay inside the raster. */
	assert_int_equal(worldmap_project(&p, -90, 179.999, &x, &y), 0);
	assert_int_equal(x, 359);
	assert_int_equal(y, 179);
	assert_int_equal(worldmap_project(&p, 10, 180, &x, &y), 0);
	assert_int_equal(x, 0);		/* 180 E is 180 W */
	/* Outside the latitude range or not finite: refused, X and Y kept. */
	worldmap_proj_init(&p, 100, 40, WORLDMAP_LAT_TOP, WORLDMAP_LAT_BOTTOM);
	x = y = -7;
	assert_int_equal(worldmap_project(&p, 89, 0, &x, &y), -1);
	assert_int_equal(worldmap_project(&p, -70, 0, &x, &y), -1);
	assert_int_equal(worldmap_project(&p, NAN, 0, &x, &y), -1);
	assert_int_equal(worldmap_project(&p, 0, INFINITY, &x, &y), -1);
	assert_int_equal(x, -7);
	/* Round trip: a dot's centre projects back onto that dot. */
	for (int dy = 0; dy < 40; dy += 3)
		for (int dx = 0; dx < 100; dx += 7) {
			worldmap_unproject(&p, dx, dy, &lat, &lon);
			assert_int_equal(worldmap_project(&p, lat, lon, &x, &y), 0);
			assert_int_equal(x, dx);
			assert_int_equal(y, dy);
		}
	/* A degenerate projection does not divide by zero. */
	worldmap_proj_init(&p, 0, 0, 10, 10);
	assert_int_equal(worldmap_project(&p, 9.5, 0, &x, &y), 0);
}

static void
test_map_fit(void **state)
{
	int w, h;

	(void)state;
	worldmap_fit(200, 100, &w, &h);
	/* Twice as many degrees across as down, cells twice as tall. */
	assert_true(w == 200 && h >= 38 && h <= 40);
	worldmap_fit(200, 20, &w, &h);
	assert_int_equal(h, 20);
	assert_true(w >= 99 && w <= 102);
	worldmap_fit(5, 2, &w, &h);
	assert_int_equal(w, 0);
	assert_int_equal(h, 0);
}

static void
test_map_draw(void **state)
{
	struct grid *g = grid_new(100, 20, true), *a = grid_new(100, 20, false);
	struct worldmap_proj p;
	int cx, cy, land = 0, braille = 0;

	(void)state;
	worldmap_draw(g, 0, 0, 100, 20, GC_LAND, &p);
	for (int y = 0; y < 20; y++)
		for (int x = 0; x < 100; x++) {
			uint32_t ch = grid_at(g, x, y)->ch;

			if (ch >= 0x2800 && ch <= 0x28ff)
				braille++;
		}
	assert_true(braille > 400 && braille < 1600);
	/* The cell of Frankfurt holds land dots. */
	assert_int_equal(worldmap_cell(g, &p, 50.11, 8.68, &cx, &cy), 0);
	assert_true(grid_at(g, cx, cy)->ch > 0x2800);
	/* ASCII: ':' for land, and the same place is land. */
	worldmap_draw(a, 0, 0, 100, 20, GC_LAND, &p);
	for (int y = 0; y < 20; y++)
		for (int x = 0; x < 100; x++)
			land += grid_at(a, x, y)->ch == ':';
	assert_true(land > 300);
	assert_int_equal(worldmap_cell(a, &p, 50.11, 8.68, &cx, &cy), 0);
	assert_int_equal(grid_at(a, cx, cy)->ch, ':');
	assert_int_equal(worldmap_cell(a, &p, 88, 0, &cx, &cy), -1);
	grid_free(g);
	grid_free(a);
}

static void
test_hist_bins(void **state)
{
	char lbl[32];
	struct chart_hist h;
	int f, l;

	(void)state;
	assert_int_equal(chart_hist_bin(-1), -1);
	assert_int_equal(chart_hist_bin(NAN), -1);
	assert_int_equal(chart_hist_bin(0), 0);
	assert_int_equal(chart_hist_bin(0.05), 0);
	assert_int_equal(chart_hist_bin(0.1), 1);	/* edges belong to the upper bin */
	assert_int_equal(chart_hist_bin(0.19), 1);
	assert_int_equal(chart_hist_bin(0.2), 2);
	assert_int_equal(chart_hist_bin(1), 4);
	assert_int_equal(chart_hist_bin(99.9), 9);
	assert_int_equal(chart_hist_bin(100), 10);
	assert_int_equal(chart_hist_bin(4999), 14);
	assert_int_equal(chart_hist_bin(5000), 15);
	assert_int_equal(chart_hist_bin(1e9), CHART_HIST_BINS - 1);
	for (int b = 1; b < CHART_HIST_BINS; b++)
		assert_int_equal(chart_hist_bin(chart_hist_edge(b)), b);
	chart_hist_label(0, lbl, sizeof(lbl));
	assert_string_equal(lbl, "<0.1ms");
	chart_hist_label(4, lbl, sizeof(lbl));
	assert_string_equal(lbl, "1-2ms");
	chart_hist_label(12, lbl, sizeof(lbl));
	assert_string_equal(lbl, "0.5-1s");
	chart_hist_label(13, lbl, sizeof(lbl));
	assert_string_equal(lbl, "1-2s");
	chart_hist_label(15, lbl, sizeof(lbl));
	assert_string_equal(lbl, ">=5s");

	chart_hist_reset(&h);
	chart_hist_span(&h, 6, &f, &l);
	assert_int_equal(f, -1);
	chart_hist_add(&h, 0.05);
	chart_hist_add(&h, 0.07);
	chart_hist_add(&h, 30);
	chart_hist_add(&h, -1);
	chart_hist_add(&h, INFINITY);
	assert_int_equal(h.total, 3);
	assert_int_equal(h.unknown, 2);
	assert_int_equal(h.count[0], 2);
	assert_int_equal(h.count[8], 1);	/* 20-50 ms */
	assert_true(h.min == 0.05 && h.max == 30);
	chart_hist_span(&h, 6, &f, &l);
	assert_int_equal(f, 0);
	assert_int_equal(l, 8);
	/* Widened to at least MINBINS, never past the last bin. */
	chart_hist_reset(&h);
	chart_hist_add(&h, 1e6);
	chart_hist_span(&h, 6, &f, &l);
	assert_int_equal(l, CHART_HIST_BINS - 1);
	assert_int_equal(l - f + 1, 6);
}

static void
test_series_and_quantile(void **state)
{
	struct chart_series s = { .n = 0 };
	double v[5] = { 5, 1, 4, 2, 3 }, lo, hi;

	(void)state;
	assert_true(isnan(chart_series_get(&s, 0)));
	assert_int_equal(chart_series_range(&s, 10, &lo, &hi), 0);
	for (int i = 0; i < CHART_SERIES_MAX + 10; i++)
		chart_series_push(&s, i);
	assert_int_equal(s.n, CHART_SERIES_MAX);
	assert_true(chart_series_get(&s, 0) == 10);	/* the oldest were dropped */
	assert_true(chart_series_get(&s, CHART_SERIES_MAX - 1) == CHART_SERIES_MAX + 9);
	assert_true(isnan(chart_series_get(&s, -1)));
	chart_series_push(&s, NAN);
	assert_int_equal(chart_series_range(&s, 3, &lo, &hi), 2);
	assert_true(lo == CHART_SERIES_MAX + 8 && hi == CHART_SERIES_MAX + 9);
	assert_true(chart_quantile(v, 5, 0.5) == 3);
	assert_true(chart_quantile(v, 5, 0) == 1);
	assert_true(chart_quantile(v, 5, 1) == 5);
	assert_true(chart_quantile(v, 5, 0.25) == 2);
	assert_true(isnan(chart_quantile(v, 0, 0.5)));
}

static void
test_sparkline_and_bar(void **state)
{
	struct grid *g = grid_new(10, 3, true), *a = grid_new(10, 1, false);
	double v[4] = { 1, 2, 3, 4 };
	char row[64];

	(void)state;
	chart_sparkline_values(g, 0, 0, 10, GC_BAR, v, 4);
	grid_row_text(g, 0, row, sizeof(row));
	/* Right-aligned, scaled from the lowest (still visible) to the
	 * highest level. */
	assert_string_equal(row, "      \xe2\x96\x81\xe2\x96\x83\xe2\x96\x85\xe2\x96\x88");
	chart_hbar(g, 0, 1, 10, GC_BAR, 0.5);
	grid_row_text(g, 1, row, sizeof(row));
	assert_string_equal(row, "\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88\xe2\x96\x88");
	chart_hbar(g, 0, 2, 10, GC_BAR, 0.01);		/* tiny but visible */
	assert_int_not_equal(grid_at(g, 0, 2)->ch, ' ');
	chart_hbar(a, 0, 0, 10, GC_BAR, 2.0);		/* clamped */
	grid_row_text(a, 0, row, sizeof(row));
	assert_string_equal(row, "##########");
	chart_hbar(a, 0, 0, 10, GC_BAR, NAN);		/* nothing, no crash */
	grid_free(g);
	grid_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_land_mask_known_places),
		cmocka_unit_test(test_land_share_plausible),
		cmocka_unit_test(test_polygons_sane),
		cmocka_unit_test(test_projection),
		cmocka_unit_test(test_map_fit),
		cmocka_unit_test(test_map_draw),
		cmocka_unit_test(test_hist_bins),
		cmocka_unit_test(test_series_and_quantile),
		cmocka_unit_test(test_sparkline_and_bar),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
