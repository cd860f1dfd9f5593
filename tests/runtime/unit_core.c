/* Unit tests of the runtime core: encodings against DESIGN.md's table,
 * state recognition, tables, and the patch protocol's intermediate states. */
#include <string.h>
#include <stdlib.h>
#include <lazygate/core.h>
#include "tap.h"

/* The reference bytes, written out by hand: DESIGN.md's table, except that
 * bound forms are one instruction (FORMAT.md): no 90 head. */
static const unsigned char k32_init[] = {0x3e, 0x67, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x02, 0x00};
static const unsigned char k16_init[] = {0x67, 0x66, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x02, 0x00};
static const unsigned char a32_init[] = {0x67, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x03, 0x00};
static const unsigned char a16_init[] = {0x66, 0x9a, 0x78, 0x56, 0x34, 0x12, 0x01, 0x00};
static const unsigned char k32_bound[] = {0x3e, 0x67, 0x9a, 0x44, 0x33, 0x22, 0x11, 0x23, 0x00};
static const unsigned char k16_bound[] = {0x67, 0x66, 0x9a, 0x44, 0x33, 0x22, 0x11, 0x23, 0x00};
static const unsigned char a32_bound[] = {0x67, 0x9a, 0, 0, 0, 0, 0x4b, 0x01};
static const unsigned char a16_bound[] = {0x66, 0x9a, 0, 0, 0, 0, 0x4b, 0x01};
static const unsigned char *const inits[] = {k32_init, k16_init, a32_init, a16_init};
static const unsigned char *const bounds[] = {k32_bound, k16_bound, a32_bound, a16_bound};
#define GATE 0x345678u /* 0x12345678 does not fit 24 bits: the stubs use the low part */

static void test_encodings(void)
{
	unsigned char b[LG_MAXLEN];
	unsigned int k, len;

	for (k = 0; k < LG_NKINDS; k++) {
		unsigned char want[LG_MAXLEN];

		memcpy(want, inits[k], lg_kind_len(k));
		want[k <= LG_K16 ? 6 : 5] = 0x00; /* gate 0x00345678 */
		len = lg_initial(k, GATE, b);
		ok(len == lg_kind_len(k) && !memcmp(b, want, len), "%s initial bytes", lg_kind_name(k));
		len = lg_bound_far(k, 0x11223344, k <= LG_K16 ? 0x23 : 0x14b, b);
		ok(!memcmp(b, bounds[k], len), "%s bound bytes", lg_kind_name(k));
		ok(lg_match(bounds[k], k, GATE) == LG_S_BOUND, "%s bound matches", lg_kind_name(k));
	}
	len = lg_bound_near(0x1000, 0x2000, b);
	ok(len == 9 && b[0] == 0x3e && b[1] == 0x67 && b[2] == 0x2e && b[3] == 0x2e &&
	       b[4] == 0xe8 && b[5] == 0xf7 && b[6] == 0x0f && b[7] == 0 && b[8] == 0,
	   "bound near: 3E 67 2E 2E E8 rel32 from site+9");
	ok(lg_match(b, LG_K32, 1) == LG_S_NEAR, "near form matches k32");
	ok(lg_match(b, LG_K16, 1) == LG_S_NONE, "near form is not k16");
}

static void test_states(void)
{
	unsigned char b[LG_MAXLEN];
	struct lg_decoded d;
	unsigned int k, i, bit, misreads = 0;

	for (k = 0; k < LG_NKINDS; k++) {
		unsigned int len = lg_initial(k, GATE, b);

		ok(lg_match(b, k, GATE) == LG_S_INITIAL, "%s initial matches", lg_kind_name(k));
		ok(lg_match(b, k, GATE + 1) == LG_S_NONE, "%s initial of another gate is no state",
		   lg_kind_name(k));
		ok(lg_classify(b, len, &d) == LG_S_INITIAL && d.kind == (int)k && d.gate == GATE,
		   "%s classify initial", lg_kind_name(k));
		ok(lg_classify(b, len - 1, &d) == LG_S_NONE, "%s truncated stub is no state",
		   lg_kind_name(k));
		b[0] = LG_HEAD_TRAP;
		ok(lg_match(b, k, GATE) == LG_S_TRAP, "%s trap state", lg_kind_name(k));
		/* Every single-bit corruption of an initial stub either is
		 * rejected or reads as another consistent state, never as the
		 * initial stub of this gate. */
		for (i = 0; i < len; i++)
			for (bit = 0; bit < 8; bit++) {
				lg_initial(k, GATE, b);
				b[i] ^= (unsigned char)(1u << bit);
				if (lg_match(b, k, GATE) == LG_S_INITIAL)
					misreads++;
			}
	}
	ok(misreads == 0, "no single-bit corruption reads as the initial stub");
	memcpy(b, k32_init, 9);
	b[0] = 0x90; /* DESIGN.md's two-instruction bound form: not ours */
	b[7] = 0x23;
	ok(lg_match(b, LG_K32, 1) == LG_S_NONE, "90 67 9A with a real selector is none");
	b[7] = 0x02;
	ok(lg_match(b, LG_K32, 1) == LG_S_NONE, "90 head with null selector is none");
	b[0] = LG_HEAD_TRAP;
	b[1] = 0x80;
	ok(lg_classify(b, 9, &d) == LG_S_NONE, "CD 80 (int 0x80) is never a trap state");
	b[1] = 0x9a;
	ok(lg_classify(b, 9, &d) == LG_S_TRAP && d.kind == -1, "CD 9A: application kind, table decides");
}

/* A table of N sites, every 16 bytes in CODE, entries in a scrambled order. */
static void make_table(struct lg_site *t, size_t n, unsigned char *code)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t s = (i * 7919) % n;

		t[i].rel = (int)((unsigned long)(code + 16 * s) - (unsigned long)&t[i].rel);
		t[i].info = (unsigned int)s | (s % 4) << LG_KIND_SHIFT;
	}
}

static void test_tables(void)
{
	enum { N = 1000 };
	static unsigned char code[16 * N];
	static struct lg_site t[N], c[N];
	size_t i, found = 0, right = 0;

	make_table(t, N, code);
	ok(!lg_table_sorted(t, N), "scrambled table is not sorted");
	lg_table_copy(c, t, N);
	for (i = 0; i < N; i++)
		right += lg_site_addr(&c[i]) == lg_site_addr(&t[i]);
	ok(right == N, "a copied table points at the same sites");
	lg_table_sort(c, N);
	ok(lg_table_sorted(c, N) && lg_table_valid(c, N), "sorted copy is sorted and valid");
	for (i = 0; i < N; i++) {
		const struct lg_site *e = lg_table_find(c, N, (unsigned long)(code + 16 * i));

		found += e && lg_site_gate(e) == i && lg_site_kind(e) == i % 4;
	}
	ok(found == N, "every site found with its gate and kind");
	ok(!lg_table_find(c, N, (unsigned long)(code + 1)), "an address inside a site is not a site");
	ok(!lg_table_find(c, N, (unsigned long)(code + 16 * N)), "past the end is not a site");
	ok(!lg_table_find(c, 0, (unsigned long)code), "empty table finds nothing");
	c[1].rel -= 8; /* site 1 now starts inside site 0 (9 bytes long) */
	ok(!lg_table_valid(c, N), "overlapping sites make a table invalid");
	c[1].rel += 8;
	c[0].info |= (unsigned int)LG_FLAG_CCALL << LG_FLAGS_SHIFT; /* site 0 is k32 */
	ok(lg_table_valid(c, N) && lg_site_ccall(&c[0]), "a k32 C-call site is valid");
	c[1].info |= (unsigned int)LG_FLAG_CCALL << LG_FLAGS_SHIFT; /* k16 */
	ok(!lg_table_valid(c, N), "a C-call flag on a k16 site makes a table invalid");
	c[1].info &= ~(0xfu << LG_FLAGS_SHIFT);
	c[4].info |= 2u << LG_FLAGS_SHIFT; /* k32 again */
	ok(!lg_table_valid(c, N), "unknown flag bits make a table invalid");
}

/* The patch protocol, with ops that record every step and check what
 * another CPU could execute in between. */
struct rec {
	unsigned char *site;
	unsigned int kind, gate, len;
	char log[64];
	int n, bad;
	int lose;
};

static void observe(struct rec *r)
{
	enum lg_state s = lg_match(r->site, r->kind, r->gate);

	if (s == LG_S_NONE)
		r->bad++;
}

static int rec_claim(void *ctx, unsigned char *site, unsigned char head)
{
	struct rec *r = ctx;

	if (r->lose || *site != head)
		return -1;
	*site = LG_HEAD_TRAP;
	r->log[r->n++] = 'c';
	observe(r);
	return 0;
}

static int rec_write(void *ctx, unsigned char *dst, const unsigned char *src, unsigned int n)
{
	struct rec *r = ctx;
	unsigned int i;

	r->log[r->n++] = dst == r->site ? 'h' : 't';
	for (i = 0; i < n; i++) { /* one byte at a time: any prefix is visible */
		dst[i] = src[i];
		observe(r);
	}
	return 0;
}

static void rec_sync(void *ctx)
{
	struct rec *r = ctx;

	r->log[r->n++] = 's';
}

static void test_patch(void)
{
	unsigned int k;

	for (k = 0; k < LG_NKINDS; k++) {
		unsigned char site[LG_MAXLEN], from[LG_MAXLEN], to[LG_MAXLEN];
		struct rec r;
		struct lg_patch_ops ops = {rec_claim, rec_write, rec_sync, &r};
		unsigned int len = lg_initial(k, GATE, site);

		memset(&r, 0, sizeof r);
		r.site = site, r.kind = k, r.gate = GATE, r.len = len;
		memcpy(from, site, len);
		lg_bound_far(k, 0x11223344, 0x1b, to);
		ok(lg_patch(&ops, site, from, to, len) == LG_OK, "%s bind", lg_kind_name(k));
		ok(!strcmp(r.log, "cstsh"), "%s order claim,sync,tail,sync,head, no third sync (%s)",
		   lg_kind_name(k), r.log);
		ok(!memcmp(site, to, len) && !r.bad, "%s every intermediate state is a state",
		   lg_kind_name(k));
		memset(r.log, 0, sizeof r.log);
		r.n = 0;
		memcpy(from, site, len);
		lg_initial(k, GATE, to);
		ok(lg_patch(&ops, site, from, to, len) == LG_OK && !memcmp(site, to, len) && !r.bad,
		   "%s unbind restores the initial stub", lg_kind_name(k));
		r.lose = 1;
		memcpy(from, site, len);
		lg_bound_far(k, 0x55, 0x1b, to);
		ok(lg_patch(&ops, site, from, to, len) == LG_ELOST && !memcmp(site, from, len),
		   "%s lost claim writes nothing", lg_kind_name(k));
	}
	{
		unsigned char a[9], b[9];
		struct rec r;
		struct lg_patch_ops ops = {rec_claim, rec_write, rec_sync, &r};

		memset(&r, 0, sizeof r);
		lg_initial(LG_K32, 1, a);
		lg_initial(LG_K16, 1, b);
		ok(lg_patch(&ops, a, a, b, 9) == LG_EBYTE && r.n == 0,
		   "a patch that would change byte 1 (the vector) is refused");
	}
}

int main(void)
{
	test_encodings();
	test_states();
	test_tables();
	test_patch();
	return tap_done();
}
