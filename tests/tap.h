/* Minimal TAP for the C tests: one "ok N - what" line per check. */
#ifndef LG_TAP_H
#define LG_TAP_H
#include <stdio.h>

static int tap_n, tap_failed;

#define ok(cond, ...)                                                       \
	do {                                                                    \
		int ok_c_ = !!(cond);                                               \
		printf("%s %d - ", ok_c_ ? "ok" : "not ok", ++tap_n);               \
		printf(__VA_ARGS__);                                                \
		printf("\n");                                                       \
		if (!ok_c_) {                                                       \
			tap_failed++;                                                   \
			printf("#   failed at %s:%d: %s\n", __FILE__, __LINE__, #cond); \
		}                                                                   \
		fflush(stdout);                                                     \
	} while (0)

static int tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	return tap_failed != 0;
}
#endif
