/* race.c - 1024 distinct k32 sites of race_add: site N returns
 * race_add(N, k) = 3 * N + k.  N is the site's base-4 numeral read as hex.
 * Sites with an odd N are C-call sites (kapi_race_add: bound near to the
 * implementation), the others register-form sites (LG_STUB_kapi_race_add,
 * the gate's registers: bound near to its near entry), so that every race
 * of the test binds both kinds side by side; a quarter of them (N ending
 * in 0) behind a jump (jmp_race_add). */
#include "kapi.h"
#include "clients.h"

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
#define S(i) static unsigned int __attribute__((noinline)) site_##i(unsigned int k)  \
	{                                                                           \
		return 0x##i & 1 ? kapi_race_add(0x##i, k)                          \
		       : (0x##i & 15) == 0 ? jmp_race_add(0x##i, k)                \
					   : reg_race_add(0x##i, k);               \
	}
#define S4(i) S(i##0) S(i##1) S(i##2) S(i##3)
#define S16(i) S4(i##0) S4(i##1) S4(i##2) S4(i##3)
#define S64(i) S16(i##0) S16(i##1) S16(i##2) S16(i##3)
#define S256(i) S64(i##0) S64(i##1) S64(i##2) S64(i##3)
S256(1) S256(2) S256(3) S256(4)
#define P(i) {site_##i, 0x##i},
#define P4(i) P(i##0) P(i##1) P(i##2) P(i##3)
#define P16(i) P4(i##0) P4(i##1) P4(i##2) P4(i##3)
#define P64(i) P16(i##0) P16(i##1) P16(i##2) P16(i##3)
#define P256(i) P64(i##0) P64(i##1) P64(i##2) P64(i##3)
const struct race_site race_sites[RACE_SITES] = {P256(1) P256(2) P256(3) P256(4)};
