/* race.c - 1024 distinct k32 sites of race_add: site N returns
 * race_add(N, k) = 3 * N + k.  N is the site's numeral (tests/repeat.h)
 * read as hex.
 * Sites with an odd N are C-call sites (kapi_race_add: bound near to the
 * implementation), the others register-form sites (LG_STUB_kapi_race_add,
 * the gate's registers: bound near to its near entry), so that every race
 * of the test binds both kinds side by side; a quarter of them (N ending
 * in 0) behind a jump (jmp_race_add). */
#include "kapi.h"
#include "clients.h"
#include "repeat.h" /* tests/repeat.h */

static __inline__ __attribute__((always_inline)) unsigned int reg_race_add(unsigned int a,
									   unsigned int b)
{
	__asm__ volatile(LG_STUB_kapi_race_add : "+a"(a) : "b"(b) : "memory");
	return a;
}

/* The same behind a jump, so that under QEMU's TCG a translation block
 * starts at the site, as at a site crossing a page: the layout in which a
 * vCPU could keep a stale translation of the site and trap at it for ever
 * (doc/kernel.md, "A CPU that traps again at a bound site"). */
static __inline__ __attribute__((always_inline)) unsigned int jmp_race_add(unsigned int a,
									   unsigned int b)
{
	__asm__ volatile("jmp 772f\n\t.balign 16, 0xcc\n772:\n\t" LG_STUB_kapi_race_add
			 : "+a"(a)
			 : "b"(b)
			 : "memory");
	return a;
}

/* Odd N: C-call; N ending in 0: register form behind a jump; else register. */
#define SITE(i) static unsigned int __attribute__((noinline)) site_##i(unsigned int k)  \
	{                                                                              \
		return 0x##i & 1 ? kapi_race_add(0x##i, k)                             \
		       : (0x##i & 15) == 0 ? jmp_race_add(0x##i, k)                   \
					   : reg_race_add(0x##i, k);                  \
	}
REPEAT1024(SITE)
#define SITE_ENTRY(i) {site_##i, 0x##i},
const struct race_site race_sites[RACE_SITES] = {REPEAT1024(SITE_ENTRY)};
