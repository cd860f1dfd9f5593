/* ccall.c - the kernel's own C-call sites (FORMAT.md, "C-call sites"):
 * built with the header's default for k32 callers, so every kapi_NAME()
 * here calls the implementation with its own C arguments from a site bound
 * near straight to it.  tests.c checks them; its own sites are register
 * form (LAZYGATE_CCALL 0), for the far mode and the thunks.  Each function
 * calls gates no other one here calls, so that tests.c finds its sites in
 * the kernel's table by gate number. */
#include "kapi.h"
#include "clients.h"
#include "calls.h"
#include "kernel.h"

void cc_calls(struct calls *c) { calls_round(c); }
unsigned int cc_cpu_id(void) { return kapi_cpu_id(); }
unsigned int cc_which(void) { return kapi_which(); }
int cc_late(unsigned int x, unsigned int *r) { return kapi_late(x, r); }
int cc_sub(int a) { return kapi_sub(a, 8); }

int cc_narrow(int c, unsigned int h, int flag)
{
	return kapi_narrow((int8_t)c, (uint16_t)h, flag != 0);
}

unsigned int cc_race_add(void) { return kapi_race_add(20, 2); }

/* cc_race_add run in the code segment KCS_ALIAS (flat, but not the
 * kernel's): far-called, returns with lret.  Its C-call site is refused
 * there (a near call is only bound in kcs); the test recovers past it. */
void cc_alias_entry(void);
__asm__(".pushsection .text\n"
	"cc_alias_entry:\n\tcall cc_race_add\n\tlret\n"
	".popsection\n");

unsigned int cc_race_add_alias(void)
{
	unsigned int r;

	__asm__ volatile("lcall %[sel], $cc_alias_entry"
			 : "=a"(r)
			 : [sel] "i"(KCS_ALIAS)
			 : "ecx", "edx", "memory", "cc");
	return r;
}

/* The align gate called with the stack lowered by SKEW bytes below where
 * GCC keeps it: its implementation sees an aligned stack only because the
 * site's caller aligns it (LG_ASM_CC_SAVE). */
static unsigned int __attribute__((noinline, regparm(1))) align_call(unsigned int x)
{
	return kapi_align(x);
}

unsigned int cc_align(unsigned int skew)
{
	unsigned int r;

	__asm__ volatile("movl %%esp, %%esi\n\tsubl %[s], %%esp\n\tcall *%[f]\n\tmovl %%esi, %%esp"
			 : "=a"(r)
			 : "0"(skew), [s] "b"(skew), [f] "D"(align_call)
			 : "ecx", "edx", "esi", "memory", "cc");
	return r;
}
