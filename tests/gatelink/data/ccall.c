/* C-call sites for gatelink's tests (ccall.test): each call pushes the
 * implementation's own cdecl arguments around an LG_ASM_CCALL site, in
 * stub.h's LG_ASM_CC_* frame, as the generated header does; one register
 * site (LG_ASM_STUB) of the same gate beside them.  No runtime is asked
 * to provide anything: unbound, the first site faults, so the program is
 * only run bound (gatelink bind, the impl lines of ccall.map).  With
 * -DBY_NAME the gates are called by name (__lg_gate_gl_*). */
#include <stdio.h>
#include <lazygate/stub.h>

#ifdef BY_NAME
#define G_ADD LG_GATE_SYM_PREFIX "gl_add"
#define G_NEG LG_GATE_SYM_PREFIX "gl_neg"
#else
#define G_ADD "1"
#define G_NEG "2"
#endif

__asm__(LG_ASM_NOTE);

/* The implementations, called straight from the bound sites. */
__attribute__((noinline)) int cc_add(int a, int b)
{
	return a + b;
}

__attribute__((noinline)) int cc_neg(int a)
{
	return -a;
}

/* Two arguments: 8 bytes of pad keep the stack aligned at the call. */
__attribute__((noinline)) static int add(int a, int b)
{
	int v[2], r;

	v[0] = a;
	v[1] = b;
	__asm__ volatile(LG_ASM_CC_SAVE LG_ASM_CC_PAD("8") LG_ASM_CC_PUSH("4")
			 LG_ASM_CC_PUSH("0") LG_ASM_CCALL(G_ADD) LG_ASM_CC_RESTORE
			 : "=a"(r) : [lg_v] "r"(v) : "ecx", "edx", "esi", "memory", "cc");
	return r;
}

__attribute__((noinline)) static int neg(int a)
{
	int v[1], r;

	v[0] = a;
	__asm__ volatile(LG_ASM_CC_SAVE LG_ASM_CC_PAD("12") LG_ASM_CC_PUSH("0")
			 LG_ASM_CCALL(G_NEG) LG_ASM_CC_RESTORE
			 : "=a"(r) : [lg_v] "r"(v) : "ecx", "edx", "esi", "memory", "cc");
	return r;
}

/* Cold: placed before .text by the linker, so the table is not sorted. */
__attribute__((noinline, cold)) static int cold_neg(int a)
{
	int v[1], r;

	v[0] = a;
	__asm__ volatile(LG_ASM_CC_SAVE LG_ASM_CC_PAD("12") LG_ASM_CC_PUSH("0")
			 LG_ASM_CCALL(G_NEG) LG_ASM_CC_RESTORE
			 : "=a"(r) : [lg_v] "r"(v) : "ecx", "edx", "esi", "memory", "cc");
	return r + 1;
}

/* A register site of gate add: bound far or near to prov.c's thunks. */
__attribute__((noinline)) static int add_reg(int a, int b)
{
	__asm__ volatile(LG_ASM_STUB(G_ADD) : "+a"(a) : "b"(b) : "memory");
	return a;
}

int main(void)
{
	int i, sum = 0, ok;

	for (i = 0; i < 10; i++)
		sum = add(sum, i);
	ok = sum == 45 && neg(5) == -5 && cold_neg(5) == -4 && add_reg(40, 2) == 42;
	printf("calls %s\n", ok ? "ok" : "WRONG");
	return ok ? 0 : 1;
}
