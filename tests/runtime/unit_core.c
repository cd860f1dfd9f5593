/* Unit tests of the runtime core: encodings against the stub states of
 * doc/FORMAT.md (section 1), state recognition, which #GPs are lazygate's,
 * tables, and the patch protocol's intermediate states. */
#include <string.h>
#include <stdlib.h>
#include <lazygate/core.h>
#include "tap.h"

/* The reference bytes, written out by hand: RDOS's encodings, except that
 * bound forms are one instruction (FORMAT.md, section 1): no 90 head. */
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
	b[0] = 0x90; /* RDOS's two-instruction bound form (FORMAT.md): not ours */
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

/* Which #GPs are lazygate's (FORMAT.md, "Which faults are lazygate's"):
 * the table and the bytes decide; the error code must be one the site can
 * raise.  The error codes of each kind's int, written out by hand: the
 * CPU's vector * 8 + 2 and QEMU 7.2's vector * 16 + 2. */
static const unsigned int gp_cpu[LG_NKINDS] = {0x33a, 0x332, 0x4d2, 0x4d2};
static const unsigned int gp_qemu[LG_NKINDS] = {0x672, 0x662, 0x9a2, 0x9a2};

/* Error codes no site of KIND raises: the other vectors' (ours and int
 * 0x80's, both encodings), a selector's, the vector's without the IDT bit
 * or with the external bit. */
static unsigned int foreign(unsigned int kind, unsigned int *err)
{
	unsigned int k, n = 0, v = gp_cpu[kind] >> 3;

	for (k = 0; k < LG_NKINDS; k++)
		if (gp_cpu[k] != gp_cpu[kind]) {
			err[n++] = gp_cpu[k];
			err[n++] = gp_qemu[k];
		}
	err[n++] = 0x80 * 8 + 2;
	err[n++] = 0x80 * 16 + 2;
	err[n++] = 0x20;      /* #GP(selector): a far call to a bad descriptor */
	err[n++] = v << 3;    /* GDT entry v */
	err[n++] = v << 3 | 3; /* IDT entry, external event */
	err[n++] = v << 4 | 3;
	return n;
}

static void test_gp(void)
{
	static unsigned char code[16 * LG_NKINDS];
	static struct lg_site t[LG_NKINDS], odd;
	unsigned int k, i, n, err[16];

	ok(LG_GP_INT(LG_VEC_K32) == gp_cpu[LG_K32] && LG_GP_INT_QEMU(LG_VEC_K32) == gp_qemu[LG_K32] &&
	       LG_GP_INT(LG_VEC_K16) == gp_cpu[LG_K16] && LG_GP_INT_QEMU(LG_VEC_K16) == gp_qemu[LG_K16] &&
	       LG_GP_INT(LG_VEC_APP) == gp_cpu[LG_A32] && LG_GP_INT_QEMU(LG_VEC_APP) == gp_qemu[LG_A32] &&
	       LG_GP_CALL == 0,
	   "error code macros: vector * 8 + 2, QEMU's vector * 16 + 2, 0 for the far call");
	for (k = 0; k < LG_NKINDS; k++) {
		t[k].rel = (int)((unsigned long)(code + 16 * k) - (unsigned long)&t[k].rel);
		t[k].info = GATE | k << LG_KIND_SHIFT;
	}
	for (k = 0; k < LG_NKINDS; k++) {
		const struct lg_site *e = &t[k];
		unsigned char *p = code + 16 * k;
		const char *name = lg_kind_name(k);
		unsigned int bad = 0, other = k == LG_K32 ? LG_K16 : LG_K32;

		lg_initial(k, GATE, p);
		ok(lg_gp_state(e, 0) == LG_S_INITIAL, "%s initial, #GP(0): ours, initial", name);
		ok(lg_gp_state(e, gp_cpu[k]) == LG_S_INITIAL && lg_gp_state(e, gp_qemu[k]) == LG_S_INITIAL,
		   "%s initial, the int's #GP (unbound again meanwhile): ours", name);
		p[0] = LG_HEAD_TRAP;
		ok(lg_gp_state(e, gp_cpu[k]) == LG_S_TRAP, "%s trap state, #GP(%#x): ours", name, gp_cpu[k]);
		ok(lg_gp_state(e, gp_qemu[k]) == LG_S_TRAP, "%s trap state, QEMU 7.2's #GP(%#x): ours",
		   name, gp_qemu[k]);
		ok(lg_gp_state(e, 0) == LG_S_TRAP, "%s trap state, #GP(0) (claimed meanwhile): ours", name);
		n = foreign(k, err);
		for (i = 0; i < n; i++)
			bad += lg_gp_state(e, err[i]) != LG_S_NONE;
		ok(n >= 10 && !bad, "%s trap state, %u error codes the site cannot raise: not ours (%u taken)",
		   name, n, bad);
		lg_bound_far(k, 0x11223344, 0x1b, p);
		ok(lg_gp_state(e, gp_cpu[k]) == LG_S_BOUND && lg_gp_state(e, gp_qemu[k]) == LG_S_BOUND &&
		       lg_gp_state(e, 0) == LG_S_BOUND,
		   "%s bound meanwhile: ours, bound", name);
		ok(lg_gp_state(e, 0x18) == LG_S_NONE, "%s bound, #GP(selector): not ours", name);
		lg_initial(k, GATE, p);
		p[0] = LG_HEAD_TRAP;
		p[1] = 0x80;
		ok(lg_gp_state(e, 0) == LG_S_NONE && lg_gp_state(e, gp_cpu[k]) == LG_S_NONE &&
		       lg_gp_state(e, 0x80 * 8 + 2) == LG_S_NONE && lg_gp_state(e, 0x80 * 16 + 2) == LG_S_NONE,
		   "%s site holding CD 80: not ours", name);
		p[1] = (unsigned char)(gp_cpu[other] >> 3);
		ok(lg_gp_state(e, gp_cpu[k]) == LG_S_NONE && lg_gp_state(e, gp_cpu[other]) == LG_S_NONE &&
		       lg_gp_state(e, gp_qemu[other]) == LG_S_NONE,
		   "%s site holding CD %02X (%s's trap state): not ours", name, p[1], lg_kind_name(other));
		lg_initial(k, GATE + 1, p);
		ok(lg_gp_state(e, 0) == LG_S_NONE, "%s site holding another gate's stub: not ours", name);
		p[0] = 0xf4; /* hlt */
		ok(lg_gp_state(e, 0) == LG_S_NONE, "%s site holding hlt: not ours", name);
		lg_initial(k, GATE, p);
	}
	lg_bound_near(lg_site_addr(&t[LG_K32]), 0x1000, code);
	ok(lg_gp_state(&t[LG_K32], gp_cpu[LG_K32]) == LG_S_NEAR &&
	       lg_gp_state(&t[LG_K32], gp_qemu[LG_K32]) == LG_S_NEAR,
	   "k32 bound near meanwhile: ours, near");
	lg_initial(LG_K32, GATE, code);
	ok(lg_table_sorted(t, LG_NKINDS) && lg_table_find(t, LG_NKINDS, (unsigned long)code) == &t[0] &&
	       !lg_table_find(t, LG_NKINDS, (unsigned long)code + 2),
	   "the sites are found, an address inside one is not");
	ok(lg_gp_state(lg_table_find(t, LG_NKINDS, (unsigned long)code + 2), 0) == LG_S_NONE &&
	       lg_gp_state(0, gp_cpu[LG_K32]) == LG_S_NONE && lg_gp_state(0, gp_qemu[LG_K32]) == LG_S_NONE,
	   "an address that is no site: not ours, whatever the error code");
	odd.rel = (int)((unsigned long)code - (unsigned long)&odd.rel);
	odd.info = GATE | 7u << LG_KIND_SHIFT;
	ok(lg_gp_state(&odd, 0) == LG_S_NONE && lg_gp_state(&odd, gp_cpu[LG_K32]) == LG_S_NONE,
	   "an entry of an unknown kind: not ours");
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
	test_gp();
	test_tables();
	test_patch();
	return tap_done();
}
