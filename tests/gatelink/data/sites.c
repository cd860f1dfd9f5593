/* Sites of every kind, emitted with the macros of <lazygate/stub.h>, for
 * list's golden output at -O0 and -O2 (sites-O0.list, sites-O2.list). */
#include <lazygate/stub.h>

__asm__(LG_ASM_NOTE);

int k32_calls(int a)
{
	__asm__ volatile(LG_ASM_K32("1") : "+a"(a) : : "memory");
	__asm__ volatile(LG_ASM_K32("4") : "+a"(a) : : "memory");
	return a + 1;
}

int every_kind(int a)
{
	__asm__ volatile(LG_ASM_K16("2") : "+a"(a) : : "memory");
	__asm__ volatile(LG_ASM_A32("1") : "+a"(a) : : "memory");
	__asm__ volatile(LG_ASM_A16("4") : "+a"(a) : : "memory");
	return a;
}

int big_gate(int a)
{
	__asm__ volatile(LG_ASM_STUB("0xffffff") : "+a"(a) : : "memory");
	return a * 3;
}

static int helper(int a)
{
	__asm__ volatile(LG_ASM_STUB("2") : "+a"(a) : : "memory");
	return a;
}

int calls_helper(int a)
{
	return helper(a) + helper(a + 1);
}
