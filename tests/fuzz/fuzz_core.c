/* libFuzzer harness for the runtime core: any bytes at any address either
 * classify as a known state, whose canonical encoding is exactly those
 * bytes, or are rejected; and any table over the input sorts and searches
 * consistently.  A failed check aborts (a finding). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <lazygate/core.h>

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static void check_bytes(const unsigned char *p, size_t n)
{
	unsigned char enc[LG_MAXLEN];
	struct lg_decoded d;
	unsigned int k;

	switch (lg_classify(p, n, &d)) {
	case LG_S_INITIAL:
		CHECK(lg_initial((unsigned)d.kind, d.gate, enc) == d.len && d.len <= n);
		CHECK(!memcmp(enc, p, d.len));
		if (d.gate <= LG_GATE_MAX)
			CHECK(lg_match(p, (unsigned)d.kind, d.gate) == LG_S_INITIAL);
		break;
	case LG_S_BOUND:
		CHECK(lg_bound_far((unsigned)d.kind, d.offset, d.selector, enc) == d.len && d.len <= n);
		CHECK(!memcmp(enc, p, d.len) && d.selector > 3);
		CHECK(lg_match(p, (unsigned)d.kind, 0) == LG_S_BOUND);
		break;
	case LG_S_NEAR:
		CHECK(n >= LG_KLEN && lg_match(p, LG_K32, 0) == LG_S_NEAR);
		break;
	case LG_S_TRAP:
		CHECK(p[0] == LG_HEAD_TRAP && (p[1] == LG_VEC_K32 || p[1] == LG_VEC_K16 ||
					       p[1] == LG_VEC_APP));
		break;
	default:
		break;
	}
	/* lg_match never calls bytes the initial stub of a gate unless they are. */
	if (n >= LG_MAXLEN)
		for (k = 0; k < LG_NKINDS; k++) {
			unsigned int gate = (p[2] | p[3] << 8 | p[4] << 16) & LG_GATE_MAX;

			if (lg_match(p, k, gate) == LG_S_INITIAL) {
				lg_initial(k, gate, enc);
				CHECK(!memcmp(enc, p, lg_kind_len(k)));
			}
		}
}

/* The input, read as a table of entries whose sites point into the input. */
static void check_table(const uint8_t *data, size_t size)
{
	size_t n = size / sizeof(struct lg_site), i;
	struct lg_site *t, *c;
	unsigned char *code;

	if (!n || n > 512)
		return;
	/* One block, as in a real module: rel reaches only +-2 GiB. */
	t = malloc(2 * n * sizeof *t + size + LG_MAXLEN);
	c = t + n;
	code = (unsigned char *)(c + n);
	memset(code + size, 0, LG_MAXLEN);
	memcpy(code, data, size);
	for (i = 0; i < n; i++) {
		unsigned int off, info;

		memcpy(&off, data + i * 8, 4);
		memcpy(&info, data + i * 8 + 4, 4);
		t[i].rel = (int)((unsigned long)(code + off % size) - (unsigned long)&t[i].rel);
		t[i].info = info;
	}
	lg_table_copy(c, t, n);
	lg_table_sort(c, n);
	CHECK(n < 2 || lg_site_addr(&c[0]) <= lg_site_addr(&c[n - 1]));
	for (i = 1; i < n; i++)
		CHECK(lg_site_addr(&c[i - 1]) <= lg_site_addr(&c[i]));
	if (lg_table_sorted(c, n)) /* strictly ascending: every site is found */
		for (i = 0; i < n; i++)
			CHECK(lg_table_find(c, n, lg_site_addr(&t[i])) != 0);
	if (lg_table_valid(c, n))
		for (i = 0; i < n; i++)
			check_bytes((const unsigned char *)lg_site_addr(&c[i]),
				    (size_t)(code + size + LG_MAXLEN - (unsigned char *)lg_site_addr(&c[i])));
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i < size && i < 64; i++)
		check_bytes(data + i, size - i);
	check_table(data, size);
	return 0;
}
