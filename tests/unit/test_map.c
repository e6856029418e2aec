/* test_map.c -- the keyed hash map (common/map.c) against a reference array. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "map.h"
#include "rnd.h"

static int
setup(void **state)
{
	(void)state;
	return hash_init();
}

static void
test_map_basic(void **state)
{
	struct map *m = map_new();
	int a = 1, b = 2;
	const char *longkey = "a key much longer than thirty-two bytes, kept on the heap";

	(void)state;
	assert_null(map_get(m, "x", 1));
	assert_null(map_remove(m, "x", 1));
	assert_null(map_put(m, "x", 1, &a));
	assert_ptr_equal(map_get(m, "x", 1), &a);
	assert_ptr_equal(map_put(m, "x", 1, &b), &a);	/* replaced */
	assert_int_equal(map_count(m), 1);
	assert_null(map_put(m, longkey, strlen(longkey), &a));
	assert_ptr_equal(map_get(m, longkey, strlen(longkey)), &a);
	/* same bytes, other length: another key */
	assert_null(map_get(m, longkey, 5));
	assert_ptr_equal(map_remove(m, "x", 1), &b);
	assert_int_equal(map_count(m), 1);
	map_clear(m);
	assert_int_equal(map_count(m), 0);
	assert_null(map_get(m, longkey, strlen(longkey)));
	map_free(m);
}

/* Random puts and removes, checked against a plain array after each. */
static void
test_map_random_against_reference(void **state)
{
	enum { KEYS = 600, OPS = 20000 };
	static int vals[KEYS];
	static bool present[KEYS];
	struct map *m = map_new();
	char key[64];
	size_t n = 0;

	(void)state;
	for (int op = 0; op < OPS; op++) {
		int k = (int)rnd_uniform(KEYS);
		/* lengths 4..40: both inline and heap keys */
		int len = snprintf(key, sizeof(key), "%0*d", 4 + k % 37, k);
		if (rnd_uniform(3) == 0) {
			void *v = map_remove(m, key, (size_t)len);
			assert_ptr_equal(v, present[k] ? &vals[k] : NULL);
			if (present[k])
				n--;
			present[k] = false;
		} else {
			void *v = map_put(m, key, (size_t)len, &vals[k]);
			assert_ptr_equal(v, present[k] ? &vals[k] : NULL);
			if (!present[k])
				n++;
			present[k] = true;
		}
		assert_int_equal(map_count(m), n);
		if (op % 1000 == 0)
			for (int i = 0; i < KEYS; i++) {
				int l = snprintf(key, sizeof(key), "%0*d", 4 + i % 37, i);
				assert_ptr_equal(map_get(m, key, (size_t)l), present[i] ? &vals[i] : NULL);
			}
	}
	/* the walk sees each present key once */
	size_t pos = 0, seen = 0, len;
	const void *kp;
	void *v;
	while (map_next(m, &pos, &kp, &len, &v)) {
		assert_true(v >= (void *)&vals[0] && v < (void *)&vals[KEYS]);
		seen++;
	}
	assert_int_equal(seen, n);
	map_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_map_basic),
		cmocka_unit_test(test_map_random_against_reference),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
