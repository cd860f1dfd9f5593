/* mixed32.c - the 32-bit part of the mixed driver: the same API, k32. */
#include "kapi.h"
#include "clients.h"
#include "calls.h"

void mixed32_calls(struct calls *c) { calls_round(c); }
