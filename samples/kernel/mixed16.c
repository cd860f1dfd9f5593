/* mixed16.c - the 16-bit part of the mixed driver (gcc -m16, placed in the
 * 16-bit code segment): k16 callers of the 32-bit kernel API.  Its stubs
 * are 67 66 9A gg gg gg gg 02 00 and bind to 90 66 9A off32 sel, a 32-bit
 * far call out of a 16-bit segment.  Entered by far call at seg16_entry
 * (boot.S).  No switch, no function pointers: the segment's base is not 0. */
#define LAZYGATE_CALLER LG_K16
#include "kapi.h"
#include "clients.h"
#include "calls.h"

struct calls mixed16_out[2];

void drv16_main(void);
void drv16_main(void)
{
	int i;

	for (i = 0; i < 2; i++)
		calls_round(&mixed16_out[i]);
}
