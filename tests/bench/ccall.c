/* The C-call rows of calls.c's steady mode.  This file is built with
 * C-call sites, the header's default for k32 callers (doc/FORMAT.md,
 * "C-call sites"): bound, each is a near call straight into the C
 * implementation; calls.c is built with register sites. */
#include "t.h"
#include "loop.h"

__attribute__((noipa)) double loop_ccall(void) { LOOP(t_add(i, 12)); }
/* t.add3, the regparm gate whose register sites go through moves */
__attribute__((noipa)) double loop_ccall_regparm(void) { LOOP(t_add3(i, 13)); }
