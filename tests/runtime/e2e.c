/* End to end: a 32-bit program calls every shape of gate through the
 * generated header; each site traps once, binds, and then runs without
 * trapping.  Built at several -O levels, with and without PIC. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "t.h"
#include "tap.h"
#include "sites.h"

extern const struct lg_api t_api;
extern unsigned int t_misaligned;
static struct lazygate_stats st0;

static long traps(void)
{
	struct lazygate_stats st;

	lazygate_get_stats(&st);
	return (long)(st.traps - st0.traps);
}

static long binds(void)
{
	struct lazygate_stats st;

	lazygate_get_stats(&st);
	return (long)(st.binds - st0.binds);
}

__attribute__((noipa)) static int call_add(int a, int b) { return t_add(a, b); }
__attribute__((used, noipa)) static void never_called(void) { t_version(); }
__attribute__((noipa)) static int child_only(int x) { return t_add(x, 1000); }

__attribute__((noipa)) static unsigned int raw(unsigned int b, unsigned int c, unsigned char *cf)
{
	unsigned int a;

	__asm__ __volatile__(LG_STUB_t_raw : "=a"(a), "=@ccc"(*cf) : "b"(b), "c"(c) : "memory");
	return a;
}

static void test_calls(void)
{
	int q = 0, r = 0, i, sum = 0;
	uint32_t x = 0, y = 0;
	char buf[8] = "xxxxxxx";
	unsigned char cf = 2;

	ok(call_add(2, 3) == 5, "add returns a + b");
	ok(traps() == 1 && binds() == 1, "first call: one trap, one bind (%ld, %ld)", traps(), binds());
	for (i = 0; i < 100; i++)
		sum += call_add(i, 1);
	ok(sum == 5050 && traps() == 1 && binds() == 1, "100 more calls: no more traps");
	ok(t_divide(17, 5, &q, &r) == 0 && q == 3 && r == 2, "divide: outputs in eax and edx, CF clear");
	q = r = 7;
	ok(t_divide(1, 0, &q, &r) == 1 && q == 0 && r == 0,
	   "divide by zero: CF set, the outputs it leaves are 0");
	t_swap(0xdeadbeef, 0x01020304, &x, &y);
	ok(x == 0x01020304 && y == 0xdeadbeef, "swap through esi and edi");
	ok(t_length("lazygate") == 8, "pointer argument");
	t_fill(buf, 3, 'a');
	ok(!strcmp(buf, "aaaxxxx"), "gate with no outputs");
	ok(t_sum6(1, 2, 3, 4, 5, 6) == 91, "six register arguments");
	ok(raw(0xf0, 0x0f, &cf) == 0xff && cf == 0, "raw gate from hand-written inline asm");
	ok(raw(7, 7, &cf) == 0 && cf == 1, "raw gate sets CF");
	ok(t_plus(40, 2) == 42, "alias calls the same gate");
	ok(t_big(5) == -5, "gate number 0x10000");
	ok(t_version() == 1, "version");
	ok(t_add2(40, 2) == 42, "regparm gate");
	ok(t_add3(40, 2) == 42, "regparm gate with other registers");
	ok(t_narrow(-3, 65535, 1) == -300000 + 131070 + 1, "char, short and bool arguments");
	ok(t_negative(-5) == 1 && t_negative(5) == 0, "a bool result");
	{
		int o[6] = {0, 0, 0, 0, 0, 0};

		t_spread(1, 2, 3, 4, 5, 6, &o[0], &o[1], &o[2], &o[3], &o[4], &o[5]);
		ok(o[0] == 6 && o[1] == 5 && o[2] == 4 && o[3] == 3 && o[4] == 2 && o[5] == 1,
		   "six inputs and six outputs (12 C arguments)");
	}
	ok(traps() == binds() && traps() == 17, "each of the 17 sites trapped once and bound once (%ld)", traps());
	ok(t_misaligned == 0, "the implementations ran on a 16-byte aligned stack");
}

/* Unwinding: a backtrace taken in an implementation (impl_t.c) walks out
 * through the thunk, if any, and the site (whose end is a return address)
 * to the function that called unwind_probe. */
extern int t_unwind, t_nframes;
extern void *t_frames[];
static void *probe_ret;

__attribute__((noipa)) static int unwind_probe(int which)
{
	int r;

	probe_ret = __builtin_return_address(0);
	t_unwind = 1;
	r = which == 2 ? t_where(40, 2) : which ? t_narrow(1, 2, 0) : (int)t_length("four");
	t_unwind = 0;
	return r;
}

/* Whether the frame after the end of a site of GATE is probe_ret's. */
static int unwound(unsigned int gate)
{
	const struct lg_site *e;
	int i;

	for (i = 0; i + 1 < t_nframes; i++)
		for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++)
			if (lg_site_gate(e) == gate && t_frames[i] == (void *)(lg_site_addr(e) + LG_KLEN))
				return t_frames[i + 1] == probe_ret;
	return 0;
}

static void test_unwind(void)
{
	ok(unwind_probe(0) == 4 && unwound(LG_GATE_t_length),
	   "a backtrace in the implementation walks through the site (%s) to its caller's caller",
	   LAZYGATE_CCALL ? "C-call" : "direct thunk");
	ok(unwind_probe(1) == 100004 && unwound(LG_GATE_t_narrow),
	   "the same through the site of a gate with narrow arguments (%s)",
	   LAZYGATE_CCALL ? "C-call" : "generic thunk");
	ok(unwind_probe(2) == 42 && unwound(LG_GATE_t_where),
	   "the same through the site of a regparm gate (%s)",
	   LAZYGATE_CCALL ? "C-call" : "the moves in front of it");
}

static const struct lg_gate *gate_of(unsigned int gate)
{
	unsigned int i;

	for (i = 0; i < t_api.count; i++)
		if (t_api.gates[i].number == gate)
			return &t_api.gates[i];
	return 0;
}

static unsigned long far_entry(unsigned int gate)
{
	return (unsigned long)gate_of(gate)->far_entry;
}

static unsigned long near_entry(unsigned int gate)
{
	return (unsigned long)gate_of(gate)->near_entry;
}

static int count_ccall(void)
{
	const struct lg_site *e;
	int n = 0;

	for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++)
		n += lg_site_ccall(e);
	return n;
}

/* Where the bound site of GATE calls: its near target, or its far offset. */
static unsigned long target_of(unsigned int gate)
{
	const struct lg_site *e;
	struct lg_decoded d;

	for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++)
		if (lg_site_gate(e) == gate) {
			const unsigned char *p = (const unsigned char *)lg_site_addr(e);

			if (lg_classify(p, LG_KLEN, &d) == LG_S_NEAR)
				return (unsigned long)p + LG_KLEN + (unsigned long)(long)d.rel;
			return d.state == LG_S_BOUND ? d.offset : 0;
		}
	return 0;
}

/* Register sites: bound near to the entry thunks (the regparm gate to its
 * implementation), or far as the mode says. */
static void test_register_states(int near, const char *mode)
{
	ok(count_state(LG_GATE_t_add, near ? LG_S_NEAR : LG_S_BOUND) == 2,
	   "add's two called sites (call_add, the alias) are bound %s", mode);
	ok(target_of(LG_GATE_t_add2) == (near ? (unsigned long)t_impl_add2 : far_entry(LG_GATE_t_add2)),
	   "the regparm gate's site calls %s", near ? "its implementation directly" : "its far entry");
	ok(near_entry(LG_GATE_t_add3) != (unsigned long)t_impl_add3 &&
		   target_of(LG_GATE_t_add3) == (near ? near_entry(LG_GATE_t_add3) : far_entry(LG_GATE_t_add3)),
	   "the other regparm gate's site calls %s", near ? "the moves in front of it" : "its far entry");
	ok(count_ccall() == 0, "no site is a C-call site");
}

/* C-call sites: bound near to the implementation whatever the mode. */
static void test_ccall_states(const char *mode)
{
	ok(count_state(LG_GATE_t_add, LG_S_NEAR) == 2,
	   "add's two called C-call sites are bound near (mode %s)", mode);
	ok(target_of(LG_GATE_t_add) == (unsigned long)t_impl_add &&
		   target_of(LG_GATE_t_sum6) == (unsigned long)t_impl_sum6 &&
		   target_of(LG_GATE_t_narrow) == (unsigned long)t_impl_narrow,
	   "they call the implementations, no thunk");
	ok(target_of(LG_GATE_t_add2) == (unsigned long)t_impl_add2 &&
		   target_of(LG_GATE_t_add3) == (unsigned long)t_impl_add3,
	   "both regparm gates' sites call their implementations, no moves");
	ok(count_ccall() == (int)(__stop_lazygate_sites - __start_lazygate_sites) - 1,
	   "every site but the raw gate's (hand-written asm) is a C-call site");
}

static void test_states(const char *mode)
{
	const struct lg_site *e;
	int k32 = 0;

	if (LAZYGATE_CCALL)
		test_ccall_states(mode);
	else
		test_register_states(!strstr(mode, "far"), mode);
	ok(count_state(LG_GATE_t_add, LG_S_INITIAL) == 1, "add's other site, not called yet, is initial");
	ok(count_state(LG_GATE_t_version, LG_S_INITIAL) == 1, "the site never called is still initial");
	ok(count_state(LG_GATE_t_missing, LG_S_INITIAL) == 0, "no site of gate 8 in this program");
	for (e = __start_lazygate_sites; e < __stop_lazygate_sites; e++)
		k32 += lg_site_kind(e) == LG_K32;
	ok(k32 == __stop_lazygate_sites - __start_lazygate_sites, "every site is k32 (%d)", k32);
	ok(writable((const void *)lg_site_addr(__start_lazygate_sites)) == 0,
	   "the code page of a bound site is not writable");
	(void)never_called;
}

static void test_dlopen(const char *lib)
{
#ifdef E2E_STATIC
	(void)lib;
#else
	void *h = dlopen(lib, RTLD_NOW);
	int (*f)(int);
	struct lazygate_stats st;

	ok(h != 0, "dlopen %s: %s", lib, h ? "ok" : dlerror());
	if (!h)
		return;
	f = (int (*)(int))dlsym(h, "plugin_twice");
	ok(f && f(21) == 42 && f(5) == 10, "a site in a library loaded later binds");
	lazygate_get_stats(&st);
	ok(st.tables >= 2, "its table was found (%lu tables)", st.tables);
	dlclose(h);
	ok(call_add(1, 1) == 2, "after dlclose the program still runs");
#endif
}

/* A child binds a site in its own copy of the code, not in the parent's. */
static void test_fork(void)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0)
		_exit(child_only(1) == 1001 && count_state(LG_GATE_t_add, LG_S_INITIAL) == 0 ? 0 : 1);
	waitpid(pid, &status, 0);
	ok(WIFEXITED(status) && WEXITSTATUS(status) == 0, "a forked child binds and calls a new site");
	ok(count_state(LG_GATE_t_add, LG_S_INITIAL) == 1, "the parent's copy of that site is untouched");
	ok(child_only(2) == 1002, "and the parent binds it itself");
}

int main(int argc, char **argv)
{
	const char *env = getenv("LAZYGATE_BIND");
	/* no argument: the runtime's own choice (near, or far by environment) */
	const char *mode = argc > 1 ? argv[1] : env && !strcmp(env, "far") ? "env-far" : "env-near";

	if (!strcmp(mode, "near"))
		lazygate_set_bind_mode(LAZYGATE_BIND_NEAR);
	else if (!strcmp(mode, "far"))
		lazygate_set_bind_mode(LAZYGATE_BIND_FAR);
	ok(lazygate_provide(&t_api) == 0, "provide t");
	ok(lazygate_provide(&t_api) == 0, "providing the same table twice is harmless");
	lazygate_get_stats(&st0);
	ok(st0.sites == (unsigned long)(__stop_lazygate_sites - __start_lazygate_sites),
	   "the runtime found all %lu sites", st0.sites);
	test_calls();
	test_unwind();
	test_states(mode);
	test_fork();
	if (argc > 2)
		test_dlopen(argv[2]);
	return tap_done();
}
