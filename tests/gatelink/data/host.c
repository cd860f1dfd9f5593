/* A program with gate sites for gatelink's tests.  By number, or with
 * -DBY_NAME by name (__lg_gate_gl_*, for gatelink resolve).  Prints the
 * runtime's trap and bind counts; exits 0 if every call returned the
 * right value. */
#include <stdio.h>
#include <lazygate/lazygate.h>

#ifdef BY_NAME
#define G_ADD LG_GATE_SYM_PREFIX "gl_add"
#define G_NEG LG_GATE_SYM_PREFIX "gl_neg"
#define G_TWICE LG_GATE_SYM_PREFIX "gl_twice"
#else
#define G_ADD "1"
#define G_NEG "2"
#define G_TWICE "4"
#endif

__asm__(LG_ASM_NOTE);
extern const struct lg_api gl_api;

__attribute__((noinline)) static int add(int a, int b)
{
	__asm__ volatile(LG_ASM_STUB(G_ADD) : "+a"(a) : "b"(b) : "memory");
	return a;
}

/* Cold: placed before .text by the linker, so the table is not sorted. */
__attribute__((noinline, cold)) static int cold_neg(int a)
{
	__asm__ volatile(LG_ASM_STUB(G_NEG) : "+a"(a) : : "memory");
	return a + 1;
}

__attribute__((noinline)) static int neg(int a)
{
	__asm__ volatile(LG_ASM_STUB(G_NEG) : "+a"(a) : : "memory");
	return a;
}

__attribute__((noinline)) static int twice(int a)
{
	__asm__ volatile(LG_ASM_STUB(G_TWICE) : "+a"(a) : : "memory");
	return a;
}

__attribute__((noinline)) static int add_again(int a, int b)
{
	__asm__ volatile(LG_ASM_STUB(G_ADD) : "+a"(a) : "b"(b) : "memory");
	return a - 1;
}

int main(void)
{
	struct lazygate_stats st;
	int i, sum = 0, ok;

	if (lazygate_provide(&gl_api) != 0)
		return 2;
	for (i = 0; i < 10; i++)
		sum = add(sum, i);
	ok = sum == 45 && neg(5) == -5 && twice(21) == 42 && add_again(40, 2) == 41 &&
	     cold_neg(5) == -4;
	lazygate_get_stats(&st);
	printf("calls %s traps %lu binds %lu sites %lu\n", ok ? "ok" : "WRONG", st.traps, st.binds,
	       st.sites);
	return ok ? 0 : 1;
}
