/* check_sites.c: links with objects that emit stubs and checks the site
 * table the linker made of them: every entry points at an initial stub of
 * its kind and gate (the bytes as lazygate/stub.h defines them), the kinds
 * are the expected one, NCCALL of the entries are C-call sites (the
 * others have no flag) and the gates are exactly the expected multiset.
 *
 *   check_sites KIND NCCALL GATE...   exit 0 if all is well, 1 otherwise
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
	unsigned int kind, nexp = (unsigned int)(argc > 3 ? argc - 3 : 0), i;
	unsigned long *exp = calloc(nexp + 1, sizeof *exp);
	int *used = calloc(nexp + 1, sizeof *used), bad = 0, n = 0, nccall, ccalls = 0;

	if (argc < 3 || !exp || !used) {
		fprintf(stderr, "usage: check_sites KIND NCCALL GATE...\n");
		return 2;
	}
	kind = (unsigned int)strtoul(argv[1], NULL, 0);
	nccall = atoi(argv[2]);
	for (i = 0; i < nexp; i++)
		exp[i] = strtoul(argv[i + 3], NULL, 0);
	for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++, n++) {
		const unsigned char *p = (const unsigned char *)lg_site_addr(e);
		unsigned int g = lg_site_gate(e), k = lg_site_kind(e);
		printf("site %d: gate %u kind %u flags %u at %p\n", n, g, k, e->info >> LG_FLAGS_SHIFT,
		       (const void *)p);
		ccalls += lg_site_ccall(e);
		if (k != kind || !lg_site_known(e)) {
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
	if (ccalls != nccall) {
		printf("%d C-call sites, expected %d\n", ccalls, nccall);
		bad = 1;
	}
	printf("%d sites (%d C-call sites), %s\n", n, ccalls, bad ? "BAD" : "all good");
	return bad;
}
