/* drv32.c - the sample's 32-bit driver: k32 callers of kapi, in the
 * register form (LAZYGATE_CCALL 0): its sites bind near to the gates' near
 * entries (the thunks), which tests.c checks; the mixed driver's k32 part
 * (mixed32.c) has C-call sites. */
#define LAZYGATE_CCALL 0
#include "kapi.h"
#include "clients.h"
#include "calls.h"

void drv32_calls(struct calls *c) { calls_round(c); }
unsigned int drv32_cpu_id(void) { return kapi_cpu_id(); }
unsigned int drv32_which(void) { return kapi_which(); }
int drv32_late(unsigned int x, unsigned int *r) { return kapi_late(x, r); }
