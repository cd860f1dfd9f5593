/* mixed32.c - the 32-bit part of the mixed driver: the same API, k32. */
#include "kapi.h"
#include "clients.h"
#include "calls.h"
#include "kernel.h"

extern char __text16_start[], seg16_entry[];

void mixed32_calls(struct calls *c) { calls_round(c); }

/* Far call into the 16-bit part. */
void mixed_call16(void)
{
	struct {
		unsigned int off;
		unsigned short sel;
	} __attribute__((packed)) p = {(unsigned int)(seg16_entry - __text16_start), SEG16};

	__asm__ volatile("lcall *%0" : : "m"(p) : "eax", "ecx", "edx", "memory", "cc");
}
