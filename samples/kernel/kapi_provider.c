/* kapi_provider.c - the kernel's providers of kapi.gates: adapters from
 * registers to C and entry thunks (LG_THUNKS), written by hand in the form
 * gatec --provider generates.  Four providers: the main one (gates 1-7,
 * listing 8 and 9 unimplemented), two versions of gate 8 for the
 * replacement test, and gate 9, registered late. */
#include <lazygate/provider.h>
#include "kernel.h"

static int impl_add(int a, int b) { return a + b; }
static int impl_mul(int a, int b) { return a * b; }

static unsigned int impl_strlen(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	return n;
}

#define ADAPTER(name) static void __attribute__((used)) name(struct lg_regs *r)
ADAPTER(a_version) { r->eax = 0x00010000; }
ADAPTER(a_add) { r->eax = (unsigned int)impl_add((int)r->eax, (int)r->ebx); }
ADAPTER(a_mul) { r->eax = (unsigned int)impl_mul((int)r->eax, (int)r->ebx); }
ADAPTER(a_strlen) { r->ecx = impl_strlen((const char *)r->esi); }
ADAPTER(a_divmod)
{
	int n = (int)r->eax, d = (int)r->ecx;

	lg_set_cf(r, d == 0);
	if (d) {
		r->eax = (unsigned int)(n / d);
		r->edx = (unsigned int)(n % d);
	}
}
ADAPTER(a_cpu_id) { r->eax = this_cpu(); }
ADAPTER(a_race_add) { r->eax = r->eax * 3 + r->ebx; }
ADAPTER(a_which_v1) { r->eax = 1; }
ADAPTER(a_which_v2) { r->eax = 2; }
ADAPTER(a_late) { r->eax = r->eax + 1000; }

LG_THUNKS("kapi_version", "a_version");
LG_THUNKS("kapi_add", "a_add");
LG_THUNKS("kapi_mul", "a_mul");
LG_THUNKS("kapi_strlen", "a_strlen");
LG_THUNKS("kapi_divmod", "a_divmod");
LG_THUNKS("kapi_cpu_id", "a_cpu_id");
LG_THUNKS("kapi_race_add", "a_race_add");
LG_THUNKS("kapi_which_v1", "a_which_v1");
LG_THUNKS("kapi_which_v2", "a_which_v2");
LG_THUNKS("kapi_late", "a_late");

#define E(n) extern void n##_far(void), n##_near(void);
E(kapi_version) E(kapi_add) E(kapi_mul) E(kapi_strlen) E(kapi_divmod) E(kapi_cpu_id)
E(kapi_race_add) E(kapi_which_v1) E(kapi_which_v2) E(kapi_late)
#define G(num, fl, nm, thunk) {num, fl, nm, (void (*)(void))thunk##_far, thunk##_far, thunk##_near}
#define NONE(num, fl, nm) {num, fl, nm, 0, 0, 0}
#define K LG_GATE_KERNEL
#define KA (LG_GATE_KERNEL | LG_GATE_APP)

static const struct lg_gate main_gates[] = {
	G(1, KA, "version", kapi_version),
	G(2, KA, "add", kapi_add),
	G(3, KA, "mul", kapi_mul),
	G(4, KA, "strlen", kapi_strlen),
	G(5, KA, "divmod", kapi_divmod),
	G(6, K, "cpu_id", kapi_cpu_id),
	G(7, K, "race_add", kapi_race_add),
	NONE(8, K, "which"),
	NONE(9, K, "late"),
};
const struct lg_api kapi_main = {LG_FORMAT_VERSION, "kapi", 9, main_gates};

static const struct lg_gate v1_gates[] = {G(8, K, "which", kapi_which_v1)};
static const struct lg_gate v2_gates[] = {G(8, K, "which", kapi_which_v2)};
static const struct lg_gate late_gates[] = {G(9, K, "late", kapi_late)};
const struct lg_api kapi_which1 = {LG_FORMAT_VERSION, "kapi-which-v1", 1, v1_gates};
const struct lg_api kapi_which2 = {LG_FORMAT_VERSION, "kapi-which-v2", 1, v2_gates};
const struct lg_api kapi_lateapi = {LG_FORMAT_VERSION, "kapi-late", 1, late_gates};
