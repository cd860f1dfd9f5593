/* Implementations of t.gates for the runtime tests (gate 8 is left out on
 * purpose: calling it must report "no provider").  Built twice: as
 * version 1 and, with -DT_VERSION=2, as a replacement provider. */
#include <string.h>
#include <unwind.h>
#include <lazygate/provider.h>
#include "t.h"

#ifndef T_VERSION
#define T_VERSION 1
#endif

/* Bits 0-3 of the address of some implementations' first argument: a
 * C-call site (or the thunk) calls them with the stack aligned to 16. */
unsigned int t_misaligned;
#define ALIGNED(first) (t_misaligned |= (unsigned int)(uintptr_t)&(first) & 15)

/* Set by e2e's unwinding test: the return addresses a backtrace taken in
 * some implementations finds (as backtrace(3), which static glibc lacks). */
int t_unwind, t_nframes;
void *t_frames[16];

static _Unwind_Reason_Code frame(struct _Unwind_Context *c, void *arg)
{
	(void)arg;
	if (t_nframes == 16)
		return _URC_END_OF_STACK;
	t_frames[t_nframes++] = (void *)_Unwind_GetIP(c);
	return _URC_NO_REASON;
}

static void unwind(void)
{
	if (!t_unwind)
		return;
	t_nframes = 0;
	_Unwind_Backtrace(frame, 0);
}

int t_impl_add(int a, int b) { return ALIGNED(a), a + b; }
LG_REGPARM int t_impl_add2(int a, int b) { return a + b + T_VERSION - 1; }
LG_REGPARM int t_impl_add3(int a, int b) { return a + b + T_VERSION - 1; }
/* Not add3 itself, which the benchmarks time. */
LG_REGPARM int t_impl_where(int a, int b) { return unwind(), a + b; }

int t_impl_divide(int n, int d, int *q, int *r)
{
	ALIGNED(n);
	if (d == 0)
		return 1;
	*q = n / d;
	*r = n % d;
	return 0;
}

void t_impl_swap(uint32_t a, uint32_t b, uint32_t *x, uint32_t *y)
{
	*x = b;
	*y = a;
}

size_t t_impl_length(const char *s) { return unwind(), strlen(s); }
void t_impl_fill(char *buf, size_t n, int c) { ALIGNED(buf), memset(buf, c, n); }

uint32_t t_impl_sum6(uint32_t a, uint32_t b, uint32_t c, uint32_t d, uint32_t e, uint32_t f)
{
	ALIGNED(a);
	return a + 2 * b + 3 * c + 4 * d + 5 * e + 6 * f;
}

/* Raw: eax = ebx ^ ecx, and CF set when they are equal. */
void t_impl_raw(struct lg_regs *r)
{
	r->eax = r->ebx ^ r->ecx;
	lg_set_cf(r, r->ebx == r->ecx);
}

void t_impl_spread(int a, int b, int c, int d, int e, int f, int *p, int *q, int *r, int *s,
		   int *t, int *u)
{
	ALIGNED(a);
	*p = f, *q = e, *r = d, *s = c, *t = b, *u = a;
}

int t_impl_narrow(signed char c, unsigned short s, bool b)
{
	unwind();
	return c * 100000 + s * 2 + b;
}
bool t_impl_negative(int x) { return x < 0; }

int t_impl_version(void) { return T_VERSION; }
int t_impl_big(int x) { return -x; }
int t_impl_app_only(void) { return 11; }
