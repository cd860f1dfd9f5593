/* A hand-written provider for gatelink's tests (what gatec --provider
 * would generate for gl.list): API "gl", gates 1 add, 2 neg, 4 twice. */
#include <lazygate/provider.h>

#define ADAPTER(name) \
	static void name(struct lg_regs *r) __attribute__((used)); \
	static void name(struct lg_regs *r)

ADAPTER(gl_adapt_add) { r->eax += r->ebx; }
ADAPTER(gl_adapt_neg) { r->eax = -r->eax; }
ADAPTER(gl_adapt_twice) { r->eax *= 2; }

LG_THUNKS("gl_add", "gl_adapt_add");
LG_THUNKS("gl_neg", "gl_adapt_neg");
LG_THUNKS("gl_twice", "gl_adapt_twice");

#define ENTRIES(n) \
	extern void n##_far(void) __attribute__((visibility("hidden"))); \
	extern void n##_near(void) __attribute__((visibility("hidden")))
ENTRIES(gl_add);
ENTRIES(gl_neg);
ENTRIES(gl_twice);

/* impl: non-null marks the gate as provided (the thunks call the adapters). */
#define IMPL(f) ((void (*)(void))(void *)(f))
static const struct lg_gate gl_gates[] = {
	{1, LG_GATE_KERNEL | LG_GATE_APP, "add", IMPL(gl_adapt_add), gl_add_far, gl_add_near},
	{2, LG_GATE_KERNEL | LG_GATE_APP, "neg", IMPL(gl_adapt_neg), gl_neg_far, gl_neg_near},
	{4, LG_GATE_KERNEL | LG_GATE_APP, "twice", IMPL(gl_adapt_twice), gl_twice_far, gl_twice_near},
};

const struct lg_api gl_api = {LG_FORMAT_VERSION, "gl", 3, gl_gates};
