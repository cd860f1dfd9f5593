/* kapi.h - call wrappers for kapi.gates, written by hand in the form gatec
 * generates (gatec was not ready when the sample was written).  Define
 * LAZYGATE_CALLER (LG_K32, LG_K16, LG_A32) before including; every wrapper
 * emits one stub and its site-table entry where it is inlined. */
#ifndef KAPI_H
#define KAPI_H
#include <lazygate/stub.h>

__asm__(LG_ASM_NOTE);

#define KAPI_VERSION 1
#define KAPI_ADD 2
#define KAPI_MUL 3
#define KAPI_STRLEN 4
#define KAPI_DIVMOD 5
#define KAPI_CPU_ID 6
#define KAPI_RACE_ADD 7
#define KAPI_WHICH 8
#define KAPI_LATE 9

#define KAPI_CALL(n) __asm__ volatile(LG_ASM_STUB(#n)

static __inline__ __attribute__((always_inline)) unsigned int kapi_version(void)
{
	unsigned int v;
	KAPI_CALL(1) : "=a"(v) : : "memory", "cc");
	return v;
}

static __inline__ __attribute__((always_inline)) int kapi_add(int a, int b)
{
	int r;
	KAPI_CALL(2) : "=a"(r) : "a"(a), "b"(b) : "memory", "cc");
	return r;
}

static __inline__ __attribute__((always_inline)) int kapi_mul(int a, int b)
{
	int r;
	KAPI_CALL(3) : "=a"(r) : "a"(a), "b"(b) : "memory", "cc");
	return r;
}

static __inline__ __attribute__((always_inline)) unsigned int kapi_strlen(const char *s)
{
	unsigned int n;
	KAPI_CALL(4) : "=c"(n) : "S"(s) : "memory", "cc");
	return n;
}

/* Returns CF: 1 on failure (d == 0). */
static __inline__ __attribute__((always_inline)) int kapi_divmod(int n, int d, int *q, int *r)
{
	int cf, qq, rr;
	KAPI_CALL(5) : "=a"(qq), "=d"(rr), "=@ccc"(cf) : "a"(n), "c"(d) : "memory");
	if (!cf) {
		*q = qq;
		*r = rr;
	}
	return cf;
}

static __inline__ __attribute__((always_inline)) unsigned int kapi_cpu_id(void)
{
	unsigned int v;
	KAPI_CALL(6) : "=a"(v) : : "memory", "cc");
	return v;
}

static __inline__ __attribute__((always_inline)) unsigned int kapi_race_add(unsigned int a,
									 unsigned int b)
{
	unsigned int r;
	KAPI_CALL(7) : "=a"(r) : "a"(a), "b"(b) : "memory", "cc");
	return r;
}

static __inline__ __attribute__((always_inline)) unsigned int kapi_which(void)
{
	unsigned int v;
	KAPI_CALL(8) : "=a"(v) : : "memory", "cc");
	return v;
}

/* Returns CF (set by the kernel when the gate has no provider yet). */
static __inline__ __attribute__((always_inline)) int kapi_late(unsigned int x, unsigned int *r)
{
	int cf;
	KAPI_CALL(9) : "=a"(*r), "=@ccc"(cf) : "a"(x) : "memory");
	return cf;
}
#endif
