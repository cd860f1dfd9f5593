/* mixed32.c - the 32-bit part of the mixed driver: the same API, k32,
 * through C-call sites (the header's default), bound near straight to the
 * implementations: it runs in the kernel's code segment. */
#include "kapi.h"
#include "clients.h"
#include "calls.h"

void mixed32_calls(struct calls *c) { calls_round(c); }
