/* app.c - the ring-3 application: a32 callers of the application API,
 * bound to call gates (90 9A 00 00 00 00 sel), and the entry of its 16-bit
 * part (app16.S, a16 callers).  Ends with int 0x30. */
#define LAZYGATE_CALLER LG_A32
#include "kapi.h"
#include "clients.h"
#include "calls.h"

struct calls app_out[2];
volatile int app_bad_reached;

static void __attribute__((noreturn)) app_exit(int v)
{
	__asm__ volatile("int $0x30" : : "a"(v));
	__builtin_unreachable();
}

/* The 16-bit part (app16.S, a16 callers): the kernel fills in the far
 * pointer to app16_round (USEG16 : offset in .text16). */
struct far16 app16_far;
struct calls app16_out[2];

void app_main16(void)
{
	int i;

	for (i = 0; i < 2; i++)
		__asm__ volatile("lcall *%0" : : "m"(app16_far), "D"(&app16_out[i]) : "memory", "cc");
	app_exit(0x1616);
}

void app_main(void)
{
	int i;

	for (i = 0; i < 2; i++)
		calls_round(&app_out[i]);
	app_exit(0x600d);
}

/* A kernel-only gate: refused, the application is ended.  kapi.h offers
 * no kapi_cpu_id() to applications, so this is the stub by hand. */
void app_bad(void)
{
	unsigned int c;

	__asm__ volatile(LG_ASM_STUB(LG_STR(LG_GATE_kapi_cpu_id)) : "=a"(c) : : "memory");

	app_bad_reached = 1 + (int)c;
	app_exit(0xbad);
}
