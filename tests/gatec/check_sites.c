/* check_sites.c: links with objects that emit stubs and checks the site
 * table the linker made of them: every entry points at an initial stub of
 * its kind and gate (the bytes as lazygate/stub.h defines them), the kinds
 * are the expected one and the gates are exactly the expected multiset.
 *
 *   check_sites KIND GATE...      exit 0 if all is well, 1 otherwise
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <lazygate/stub.h>

extern const struct lg_site __start_lazygate_sites[], __stop_lazygate_sites[];

static int stub_ok(const unsigned char *p, unsigned int kind, unsigned int gate)
{
	unsigned char want[LG_MAXLEN];
	unsigned int n = 0, i;

	switch (kind) {
	case LG_K32:
		want[n++] = LG_K32_B0;
		want[n++] = LG_K32_B1;
		want[n++] = LG_OP_CALLF;
		break;
	case LG_K16:
		want[n++] = LG_K16_B0;
		want[n++] = LG_K16_B1;
		want[n++] = LG_OP_CALLF;
		break;
	case LG_A32:
		want[n++] = LG_A32_B0;
		want[n++] = LG_A_B1;
		break;
	case LG_A16:
		want[n++] = LG_A16_B0;
		want[n++] = LG_A_B1;
		break;
	default:
		return 0;
	}
	for (i = 0; i < 4; i++)
		want[n++] = (unsigned char)(gate >> (8 * i));
	want[n++] = kind <= LG_K16 ? LG_SEL_KERNEL : kind == LG_A32 ? LG_SEL_APP32 : LG_SEL_APP16;
	want[n++] = 0;
	return n == lg_kind_len(kind) && memcmp(p, want, n) == 0;
}

int main(int argc, char **argv)
{
	const struct lg_site *e;
	unsigned int kind, nexp = (unsigned int)(argc > 2 ? argc - 2 : 0), i;
	unsigned long *exp = calloc(nexp + 1, sizeof *exp);
	int *used = calloc(nexp + 1, sizeof *used), bad = 0, n = 0;

	if (argc < 2 || !exp || !used) {
		fprintf(stderr, "usage: check_sites KIND GATE...\n");
		return 2;
	}
	kind = (unsigned int)strtoul(argv[1], NULL, 0);
	for (i = 0; i < nexp; i++)
		exp[i] = strtoul(argv[i + 2], NULL, 0);
	for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++, n++) {
		const unsigned char *p = (const unsigned char *)lg_site_addr(e);
		unsigned int g = lg_site_gate(e), k = lg_site_kind(e);
		printf("site %d: gate %u kind %u flags %u at %p\n", n, g, k, e->info >> LG_FLAGS_SHIFT,
		       (const void *)p);
		if (k != kind || e->info >> LG_FLAGS_SHIFT) {
			printf("  wrong kind or flags\n");
			bad = 1;
		}
		if (!stub_ok(p, k, g)) {
			printf("  the bytes there are not the initial stub\n");
			bad = 1;
		}
		for (i = 0; i < nexp; i++)
			if (!used[i] && exp[i] == g)
				break;
		if (i == nexp) {
			printf("  gate %u not expected (or once too often)\n", g);
			bad = 1;
		} else
			used[i] = 1;
	}
	for (i = 0; i < nexp; i++)
		if (!used[i]) {
			printf("expected a site of gate %lu\n", exp[i]);
			bad = 1;
		}
	printf("%d sites, %s\n", n, bad ? "BAD" : "all good");
	return bad;
}
