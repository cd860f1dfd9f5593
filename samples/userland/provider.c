/* The provider library of the userland sample: plain C functions with the
 * prototypes of demo.h; gatec's demo_provider.c adapts the registers. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "demo.h"

uint32_t demo_impl_version(void) { return 0x000100; }
int demo_impl_add(int a, int b) { return a + b; }
int demo_impl_sub(int a, int b) { return a - b; }
int demo_impl_mul(int a, int b) { return a * b; }

int demo_impl_divmod(int n, int d, int *q, int *r)
{
	if (d == 0)
		return 1;
	*q = n / d;
	*r = n % d;
	return 0;
}

uint32_t demo_impl_gcd(uint32_t a, uint32_t b)
{
	while (b) {
		uint32_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

uint32_t demo_impl_isqrt(uint32_t x)
{
	uint32_t r = 0, bit = 1u << 30;

	while (bit > x)
		bit >>= 2;
	for (; bit; bit >>= 2) {
		if (x >= r + bit) {
			x -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

int demo_impl_popcount(uint32_t x) { return __builtin_popcount(x); }
size_t demo_impl_strlen(const char *s) { return strlen(s); }

int demo_impl_strcopy(char *dst, const char *src, size_t size, size_t *n)
{
	size_t len = strlen(src);

	*n = len < size ? len : size ? size - 1 : 0;
	if (size) {
		memcpy(dst, src, *n);
		dst[*n] = 0;
	}
	return len >= size; /* truncated: CF */
}

void demo_impl_upcase(char *s)
{
	for (; *s; s++)
		if (*s >= 'a' && *s <= 'z')
			*s = (char)(*s - 'a' + 'A');
}

uint32_t demo_impl_hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *b++) * 16777619u;
	return h;
}

#define KV 64
static uint32_t keys[KV], values[KV];
static int used[KV];

static int slot(uint32_t key)
{
	int i;

	for (i = 0; i < KV; i++)
		if (used[i] && keys[i] == key)
			return i;
	return -1;
}

int demo_impl_kv_put(uint32_t key, uint32_t value)
{
	int i = slot(key);

	for (int j = 0; i < 0 && j < KV; j++)
		if (!used[j])
			i = j;
	if (i < 0)
		return 1;
	used[i] = 1;
	keys[i] = key;
	values[i] = value;
	return 0;
}

int demo_impl_kv_get(uint32_t key, uint32_t *value)
{
	int i = slot(key);

	if (i < 0)
		return 1;
	*value = values[i];
	return 0;
}

int demo_impl_kv_del(uint32_t key)
{
	int i = slot(key);

	if (i < 0)
		return 1;
	used[i] = 0;
	return 0;
}

uint32_t demo_impl_kv_count(void)
{
	uint32_t n = 0;

	for (int i = 0; i < KV; i++)
		n += (uint32_t)used[i];
	return n;
}

void demo_impl_ticks(uint32_t *lo, uint32_t *hi)
{
	unsigned long long t = __builtin_ia32_rdtsc();

	*lo = (uint32_t)t;
	*hi = (uint32_t)(t >> 32);
}

static uint32_t state = 1;
uint32_t demo_impl_rand_next(void) { return state = state * 1103515245u + 12345u; }
void demo_impl_seed(uint32_t s) { state = s; }

void demo_impl_minmax(int a, int b, int *lo, int *hi)
{
	*lo = a < b ? a : b;
	*hi = a < b ? b : a;
}

int demo_impl_clamp(int x, int lo, int hi) { return x < lo ? lo : x > hi ? hi : x; }
uint32_t demo_impl_bswap(uint32_t x) { return __builtin_bswap32(x); }
void demo_impl_log_line(const char *msg) { printf("  [provider] %s\n", msg); }

uint32_t demo_impl_uptime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint32_t)(ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}
