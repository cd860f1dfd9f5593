/* impl_demo.c: implementations of demo.gates for gatec's thunks test.  It
 * includes the generated header and defines the implementations with the
 * prototypes declared there (so a conflicting type is a compile error).
 * kraw is left out on purpose: its table entry must have no impl. */
#include <string.h>
#include <lazygate/provider.h>
#include "demo.h"

struct node {
	int x;
};

unsigned int last_hz;
int syncs;
const char *names[] = { "every", 0 };

uint32_t demo_impl_version(void) { return 0x01020304; }
int demo_impl_add(int a, int b) { return a + b; }

/* GCC puts this 16-byte aligned buffer 16-byte aligned only if its caller
 * called it with the stack aligned as the psABI says. */
__attribute__((noinline)) static int stack_aligned(void)
{
	char __attribute__((aligned(16))) b[16];
	uintptr_t a;

	__asm__ volatile("" : "=r"(a) : "0"(b) : "memory"); /* GCC would assume it */
	return (a & 15) == 0;
}

/* strlen may clobber ecx and edx: the gate must not.  The thunks test
 * enters it with the stack misaligned: LG_REGPARM realigns it (+1000 if
 * not). */
LG_REGPARM int demo_impl_mix(int a, int b, const char *s)
{
	return a * 100 + b * 10 + (int)strlen(s) + (stack_aligned() ? 0 : 1000);
}

/* The near entries move the registers: edx, eax -> eax, edx (a cycle);
 * ecx, ebx, eax -> eax, edx, ecx, the result to esi; ebx -> eax, then a
 * jump (nothing to restore). */
LG_REGPARM int demo_impl_swap(int a, int b)
{
	return a * 10 + b + (stack_aligned() ? 0 : 1000);
}

LG_REGPARM int demo_impl_rot(int a, int b, int c)
{
	return a * 100 + b * 10 + c + (int)strlen("") + (stack_aligned() ? 0 : 1000);
}

LG_REGPARM int demo_impl_neg(int a)
{
	return -a + (stack_aligned() ? 0 : 1000);
}

int demo_impl_open(const char *path, int mode, int *handle)
{
	if (!path)
		return 1;
	*handle = (int)strlen(path) * 10 + mode;
	return 0;
}

int demo_impl_close(int handle) { return handle < 0; }

int demo_impl_map_page(uint32_t phys, void **virt)
{
	*virt = (void *)(uintptr_t)(phys + 0x1000);
	return 0;
}

void demo_impl_beep(unsigned int hz) { last_hz = hz; }

void demo_impl_raw_thing(struct lg_regs *regs)
{
	regs->eax = regs->ebx ^ regs->ecx;
	lg_set_cf(regs, regs->ebx == regs->ecx);
}

void demo_impl_divmod(uint32_t n, uint32_t d, uint32_t *q, uint32_t *r)
{
	*q = n / d;
	*r = n % d;
}

int demo_impl_every(int a, unsigned b, long c, size_t d, const void *e, char *f, ssize_t *n,
		    bool *ok, short *s, unsigned char *u, struct node **next, const char ***name)
{
	*n = a + (ssize_t)b + c + (ssize_t)d;
	*ok = e == f;
	*s = -2;
	*u = 0xfe;
	*next = (struct node *)(uintptr_t)e;
	*name = names;
	return a < 0;
}

int8_t demo_impl_narrow(char c, int16_t h, bool flag) { return (int8_t)(c + h + flag); }
uintptr_t demo_impl_address(const char *p) { return (uintptr_t)p + 1; }

struct info *demo_impl_app_info(struct node *n, const volatile int depth)
{
	return (struct info *)((uintptr_t)n + (uintptr_t)depth);
}

void demo_impl_sync(void) { syncs++; }
