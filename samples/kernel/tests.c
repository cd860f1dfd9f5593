/* tests.c - the checks the sample kernel runs; one PASS/FAIL line each.
 * The multiboot command line picks groups: "basic", "k16", "user", "late",
 * "replace", "notsite", "bindall", "ccall", "race" (the table at the end),
 * "quiet" (no bind log); default: all.
 *
 * The kernel's own sites here are register form (the gates' registers,
 * bound near to the near entry or, in far mode, far): the far-mode and
 * regparm checks need them.  The kernel's C-call sites are in ccall.c. */
#define LAZYGATE_CCALL 0
#include "lgk.h"
#include "kapi.h"
#include "kernel.h"
#include "clients.h"

#define MOD(n) extern struct lg_site __start_lgsites_##n[], __stop_lgsites_##n[]; \
	static const struct module mod_##n = {#n, __start_lgsites_##n, __stop_lgsites_##n}
MOD(kernel);
MOD(race);
static struct module mod_drv32, mod_mixed, mod_app;
static int streq_(const char *a, const char *b);

/* What the tests use of the modules, found by symbol. */
static void (*drv32_calls_p)(struct calls *);
static unsigned int (*drv32_cpu_id_p)(void), (*drv32_which_p)(void);
static int (*drv32_late_p)(unsigned int, unsigned int *);
static struct calls *mixed16_out_p;
static void (*mixed32_calls_p)(struct calls *);
static unsigned long mixed_entry16, mixed_text16;
static struct calls *app_out_p;
static volatile int *app_bad_reached_p;
static void (*app_main_p)(void), (*app_bad_p)(void), (*app_main16_p)(void);
static struct calls *app16_out_p;
static struct far16 *app16_far_p;
static unsigned long app16_round, app_text16;

#define SYM(m, var, name) (var = (__typeof__(var))module_sym(m, name))

/* Find module NAME (a multiboot module) and its symbols. */
static int get_module(struct module *mod, const char *name)
{
	const struct kmodule *m = module_find(name);
	int ok = m != 0;

	if (mod->name)
		return 1;
	if (ok && streq_(name, "drv32"))
		ok = SYM(m, drv32_calls_p, "drv32_calls") && SYM(m, drv32_cpu_id_p, "drv32_cpu_id") &&
		     SYM(m, drv32_which_p, "drv32_which") && SYM(m, drv32_late_p, "drv32_late");
	if (ok && streq_(name, "mixed")) {
		ok = SYM(m, mixed16_out_p, "mixed16_out") && SYM(m, mixed32_calls_p, "mixed32_calls") &&
		     SYM(m, mixed_entry16, "seg16_entry") && m->text16;
		mixed_text16 = m ? m->text16 : 0;
	}
	if (ok && streq_(name, "app")) {
		ok = SYM(m, app_out_p, "app_out") && SYM(m, app_bad_reached_p, "app_bad_reached") &&
		     SYM(m, app_main_p, "app_main") && SYM(m, app_bad_p, "app_bad") &&
		     SYM(m, app_main16_p, "app_main16") && SYM(m, app16_out_p, "app16_out") &&
		     SYM(m, app16_far_p, "app16_far") && SYM(m, app16_round, "app16_round") && m->text16;
		app_text16 = m ? m->text16 : 0;
	}
	check(ok, "module loaded", "%s (multiboot module %s.mod)", name, name);
	if (!ok)
		return 0;
	mod->name = m->name;
	mod->start = m->sites;
	mod->stop = m->sites + m->nsites;
	return 1;
}

/* Far call into the 16-bit part of the mixed driver (16-bit segment whose
 * base is the module's .text16). */
static void mixed_call16(void)
{
	struct {
		unsigned int off;
		unsigned short sel;
	} __attribute__((packed)) p = {(unsigned int)(mixed_entry16 - mixed_text16), SEG16};

	set_seg16_base(mixed_text16);
	__asm__ volatile("lcall *%0" : : "m"(p) : "eax", "ecx", "edx", "memory", "cc");
}

/* The providers (gatec --provider, implemented in kapi_impl.c). */
extern const struct lg_api kapi_which1_api, kapi_which2_api, kapi_late_api;


static int streq_(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static unsigned int count(const struct module *m)
{
	return (unsigned int)(m->stop - m->start);
}

/* Sites of module M in STATE. */
static unsigned int in_state(const struct module *m, enum lg_state st)
{
	const struct lg_site *e;
	unsigned int n = 0;

	for (e = m->start; e < m->stop; e++)
		n += lg_match((const unsigned char *)lg_site_addr(e), lg_site_kind(e), lg_site_gate(e)) == st;
	return n;
}

/* The gate NUM of provider A. */
static const struct lg_gate *gate_of(const struct lg_api *a, unsigned int num)
{
	unsigned int i;

	for (i = 0; i < a->count; i++)
		if (a->gates[i].number == num)
			return &a->gates[i];
	return 0;
}

/* Does E's site hold the bound-near form into its gate's entry in A: the
 * near entry, or the implementation for a C-call site (FORMAT.md)?  The
 * bytes are FORMAT.md's, spelled out rather than taken from stub.h, so
 * that this checks the header as well. */
static int near_to(const struct lg_site *e, const struct lg_api *a)
{
	static const unsigned char head[5] = {0x3e, 0x67, 0x2e, 0x2e, 0xe8};
	const unsigned char *p = (const unsigned char *)lg_site_addr(e);
	const struct lg_gate *g = gate_of(a, lg_site_gate(e));
	unsigned int i, rel = p[5] | p[6] << 8 | p[7] << 16 | (unsigned int)p[8] << 24;
	unsigned long to = !g ? 0 : (unsigned long)(lg_site_ccall(e) ? g->impl : g->near_entry);

	for (i = 0; i < sizeof head; i++)
		if (p[i] != head[i])
			return 0;
	return to && lg_site_addr(e) + LG_KLEN + rel == to;
}

/* Is E a C-call site bound near to its gate's implementation in A? */
static int impl_to(const struct lg_site *e, const struct lg_api *a)
{
	return lg_site_ccall(e) && near_to(e, a);
}

/* Does E's site (a kernel kind) hold the bound far call to the far entry
 * of its gate in A, through the kernel's code segment? */
static int far_to(const struct lg_site *e, const struct lg_api *a)
{
	const unsigned char *p = (const unsigned char *)lg_site_addr(e);
	const struct lg_gate *g = gate_of(a, lg_site_gate(e));
	struct lg_decoded d;

	return g && lg_match(p, lg_site_kind(e), lg_site_gate(e)) == LG_S_BOUND &&
	       lg_classify(p, LG_KLEN, &d) == LG_S_BOUND && d.kind == (int)lg_site_kind(e) &&
	       d.offset == (unsigned long)g->far_entry && d.selector == KCS;
}

/* Sites of kind KIND in M for which IS(site, A) holds. */
static unsigned int holding(const struct module *m, unsigned int kind,
			    int (*is)(const struct lg_site *, const struct lg_api *),
			    const struct lg_api *a)
{
	const struct lg_site *e;
	unsigned int n = 0;

	for (e = m->start; e < m->stop; e++)
		n += lg_site_kind(e) == kind && is(e, a);
	return n;
}

/* Is SEL one of the call-gate selectors the runtime hands out (RPL 3)? */
static int call_gate_sel(unsigned int sel)
{
	return (sel & ~7u) >= CG_FIRST * 8 && (sel & ~7u) < (CG_FIRST + CG_COUNT) * 8 && (sel & 3) == 3;
}

/* The last site of GATE in the kernel's own table: a C-call site (ccall.c)
 * if CC, else a register-form one (this file). */
static const struct lg_site *kernel_site(unsigned int gate, int cc)
{
	const struct lg_site *e, *s = 0;

	for (e = mod_kernel.start; e < mod_kernel.stop; e++)
		if (lg_site_gate(e) == gate && lg_site_ccall(e) == cc)
			s = e;
	return s;
}

static void load(const struct module *m)
{
	static const struct module *done[8];
	unsigned int i;
	int r;

	for (i = 0; i < 8 && done[i]; i++)
		if (done[i] == m)
			return;
	if (i < 8)
		done[i] = m;
	r = lgk_register(m->start, count(m));

	check(r == 0, "register", "module %s, %u sites", m->name, count(m));
}

static struct lgk_stats total(void)
{
	struct lgk_stats t;
	unsigned int c;

	kmemset(&t, 0, sizeof t);
	for (c = 0; c < ncpus; c++) {
		t.traps += lgk_stats[c].traps;
		t.binds += lgk_stats[c].binds;
		t.waits += lgk_stats[c].waits;
		t.unbinds += lgk_stats[c].unbinds;
		t.refused += lgk_stats[c].refused;
		t.noprov += lgk_stats[c].noprov;
		t.syncs += lgk_stats[c].syncs;
	}
	return t;
}

static void show_stats(void)
{
	unsigned int c;

	for (c = 0; c < ncpus; c++)
		kprintf("  cpu %u: traps %u binds %u waits %u unbinds %u refused %u noprov %u ipi-rounds %u\n",
			c, (unsigned)lgk_stats[c].traps, (unsigned)lgk_stats[c].binds,
			(unsigned)lgk_stats[c].waits, (unsigned)lgk_stats[c].unbinds,
			(unsigned)lgk_stats[c].refused, (unsigned)lgk_stats[c].noprov,
			(unsigned)lgk_stats[c].syncs);
}

static int calls_ok(const struct calls *c)
{
	return c->done && c->version == 0x10000 && c->add == 42 && c->mul == 42 && c->len == 8 &&
	       c->cf == 0 && c->q == 9 && c->r == 2 && c->cf0 == 1;
}

static void check_calls(const char *who, const struct calls *c)
{
	check(calls_ok(c), "results", "%s: version %x add %d mul %d strlen %u divmod cf %d q %d r %d, /0 cf %d",
	      who, c->version, c->add, c->mul, c->len, c->cf, c->q, c->r, c->cf0);
}

static void round_drv32(struct calls *c)
{
	drv32_calls_p(c);
	c->done = c->done && drv32_cpu_id_p() == this_cpu();
}

static void round_mixed32(struct calls *c)
{
	mixed32_calls_p(c);
}

/* A k32 site of the kernel itself (table lgsites_kernel), bound in far mode. */
static int __attribute__((noinline)) far_site(void)
{
	return kapi_mul(6, 7);
}

/* The regparm gate sub, from two k32 sites of the kernel: one bound near
 * (straight into the implementation), one far (its far entry). */
static int __attribute__((noinline)) regparm_near_site(int a) { return kapi_sub(a, 8); }
static int __attribute__((noinline)) regparm_far_site(int a) { return kapi_sub(a, 9); }

static void test_regparm(void)
{
	const struct lg_site *e, *s[2] = {0, 0};
	int r[2];

	load(&mod_kernel);
	for (e = mod_kernel.start; e < mod_kernel.stop; e++)
		if (lg_site_gate(e) == LG_GATE_kapi_sub && !lg_site_ccall(e))
			s[!s[0] ? 0 : 1] = e;
	r[0] = regparm_near_site(50) + regparm_near_site(50);
	lgk_set_bind_mode(LGK_BIND_FAR);
	r[1] = regparm_far_site(51) + regparm_far_site(51);
	lgk_set_bind_mode(LGK_BIND_NEAR);
	check(r[0] == 84 && r[1] == 84, "regparm gate: results", "%d %d", r[0], r[1]);
	check(s[0] && s[1] && (near_to(s[0], &kapi_api) || near_to(s[1], &kapi_api)) &&
		      (far_to(s[0], &kapi_api) || far_to(s[1], &kapi_api)) &&
		      gate_of(&kapi_api, LG_GATE_kapi_sub)->near_entry == (void (*)(void))kapi_impl_sub,
	      "regparm gate: near site calls the implementation, far site the far entry",
	      "sites %p %p", (const void *)s[0], (const void *)s[1]);
}

/* With LGK_BIND_FAR, a k32 site in the kernel's segment binds far. */
static void test_far_mode(void)
{
	const struct lg_site *s;
	struct lgk_stats a, b;
	int r1, r2;

	load(&mod_kernel);
	s = kernel_site(LG_GATE_kapi_mul, 0);
	lgk_set_bind_mode(LGK_BIND_FAR);
	a = total();
	r1 = far_site();
	b = total();
	r2 = far_site();
	lgk_set_bind_mode(LGK_BIND_NEAR);
	check(s && r1 == 42 && r2 == 42 && far_to(s, &kapi_api), "k32 far mode: bound far",
	      "results %d %d, site holds 3E 67 9A <far entry> <kernel CS>: %d", r1, r2, s && far_to(s, &kapi_api));
	check(b.binds - a.binds == 1 && b.traps - a.traps == 1 && total().traps == b.traps,
	      "k32 far mode: one trap, bound call does not trap", "%u binds, %u traps",
	      (unsigned)(b.binds - a.binds), (unsigned)(b.traps - a.traps));
}

static void test_basic(void)
{
	kprintf("== k32: the 32-bit driver\n");
	if (!get_module(&mod_drv32, "drv32"))
		return;
	load(&mod_drv32);
	/* drv32 also holds which() and late(): bind those later. */
	{
		struct calls c[2];
		struct lgk_stats a = total(), b, d;

		kmemset(c, 0, sizeof c);
		round_drv32(&c[0]);
		b = total();
		round_drv32(&c[1]);
		d = total();
		check_calls("k32", &c[0]);
		check_calls("k32", &c[1]);
		check(b.binds - a.binds == 7 && in_state(&mod_drv32, LG_S_NEAR) == 7, "bind once",
		      "k32: 7 sites of gates 1-6, %u binds", (unsigned)(b.binds - a.binds));
		check(holding(&mod_drv32, LG_K32, near_to, &kapi_api) == 7 &&
		      in_state(&mod_drv32, LG_S_BOUND) == 0, "k32 bound near",
		      "%u of 7 sites hold 3E 67 2E 2E E8 <rel32 to the near entry>",
		      holding(&mod_drv32, LG_K32, near_to, &kapi_api));
		check(b.traps - a.traps == 7, "k32 one trap per site", "%u traps",
		      (unsigned)(b.traps - a.traps));
		check(d.traps == b.traps, "bound calls do not trap", "k32: %u traps in round 2",
		      (unsigned)(d.traps - b.traps));
	}
	test_far_mode();
	test_regparm();
}

static void test_k16(void)
{
	struct lgk_stats a, b;
	unsigned int n;

	kprintf("== k16: the mixed driver (16-bit part, then 32-bit part)\n");
	if (!get_module(&mod_mixed, "mixed"))
		return;
	load(&mod_mixed);
	n = 0;
	{
		const struct lg_site *e;

		for (e = mod_mixed.start; e < mod_mixed.stop; e++)
			n += lg_site_kind(e) == LG_K16;
	}
	a = total();
	mixed_call16();
	b = total();
	check_calls("k16", &mixed16_out_p[0]);
	check_calls("k16", &mixed16_out_p[1]);
	check(n == 6 && b.binds - a.binds == n, "bind once", "k16: %u sites, %u binds", n,
	      (unsigned)(b.binds - a.binds));
	check(holding(&mod_mixed, LG_K16, far_to, &kapi_api) == n, "k16 bound far",
	      "%u of %u sites hold 67 66 9A <far entry> <kernel CS>",
	      holding(&mod_mixed, LG_K16, far_to, &kapi_api), n);
	check(b.traps - a.traps == n, "k16 one trap per site", "%u traps", (unsigned)(b.traps - a.traps));
	{
		struct calls c[2];
		struct lgk_stats x = total(), y;

		kmemset(c, 0, sizeof c);
		round_mixed32(&c[0]);
		round_mixed32(&c[1]);
		y = total();
		check_calls("mixed k32 part", &c[0]);
		check_calls("mixed k32 part", &c[1]);
		check(y.binds - x.binds == 6 && in_state(&mod_mixed, LG_S_BOUND) == n &&
		      in_state(&mod_mixed, LG_S_NEAR) == count(&mod_mixed) - n,
		      "bind once", "mixed: all %u sites bound", count(&mod_mixed));
		check(holding(&mod_mixed, LG_K32, near_to, &kapi_api) == 6 &&
		      holding(&mod_mixed, LG_K16, far_to, &kapi_api) == n,
		      "mixed: k32 part near, k16 part far", "%u near",
		      holding(&mod_mixed, LG_K32, near_to, &kapi_api));
		check(holding(&mod_mixed, LG_K32, impl_to, &kapi_api) == 6,
		      "mixed: k32 part C-call sites, near to the implementations", "%u of 6",
		      holding(&mod_mixed, LG_K32, impl_to, &kapi_api));
	}
}

static unsigned char user_stack[8192] __attribute__((aligned(16)));

static void test_user(void)
{
	struct lgk_stats a, b;
	const struct lg_site *bad = 0, *e;
	unsigned char before[LG_ALEN];
	int r, i, same = 1;

	kprintf("== a32: the ring-3 application, through call gates\n");
	if (!get_module(&mod_app, "app"))
		return;
	load(&mod_app);
	a = total();
	r = run_user(app_main_p, user_stack + sizeof user_stack);
	b = total();
	check(r == 0x600d, "application ran", "exit %x", (unsigned)r);
	check_calls("a32", &app_out_p[0]);
	check_calls("a32", &app_out_p[1]);
	check(b.binds - a.binds == 6 && b.traps - a.traps == 6, "bind once", "a32: %u binds, %u traps",
	      (unsigned)(b.binds - a.binds), (unsigned)(b.traps - a.traps));
	for (e = mod_app.start; e < mod_app.stop; e++)
		if (lg_site_gate(e) == LG_GATE_kapi_cpu_id)
			bad = e;
	{
		unsigned int cg = 0;

		for (e = mod_app.start; e < mod_app.stop; e++) {
			const unsigned char *p = (const unsigned char *)lg_site_addr(e);

			cg += lg_site_kind(e) == LG_A32 && lg_match(p, LG_A32, lg_site_gate(e)) == LG_S_BOUND &&
			      call_gate_sel(p[6] | p[7] << 8);
		}
		check(cg == 6 && in_state(&mod_app, LG_S_NEAR) == 0 && bad, "bound to call gates",
		      "%u of %u app sites hold 67 9A 0 <gate|3>", cg, count(&mod_app));
	}
	if (!bad)
		return;
	for (i = 0; i < LG_ALEN; i++)
		before[i] = ((unsigned char *)lg_site_addr(bad))[i];
	a = total();
	r = run_user(app_bad_p, user_stack + sizeof user_stack);
	b = total();
	for (i = 0; i < LG_ALEN; i++)
		same &= before[i] == ((unsigned char *)lg_site_addr(bad))[i];
	check(r == -1 && !*app_bad_reached_p && b.refused - a.refused == 1, "kernel-only gate refused",
	      "app ended (%d), refused %u", r, (unsigned)(b.refused - a.refused));
	check(same && lg_match((unsigned char *)lg_site_addr(bad), LG_A32, LG_GATE_kapi_cpu_id) == LG_S_INITIAL,
	      "refused site not patched", "");
	r = run_user(app_main_p, user_stack + sizeof user_stack);
	check(r == 0x600d && calls_ok(&app_out_p[0]), "kernel goes on after refusal", "");
}

/* a16: the application's 16-bit part (app16.S), in the 16-bit user code
 * segment USEG16 (base = the module's .text16), through call gates. */
static void test_a16(void)
{
	struct lgk_stats a, b;
	const struct lg_site *e;
	unsigned int n = 0, bound = 0;
	int r;

	kprintf("== a16: the application's 16-bit part, through call gates\n");
	if (!get_module(&mod_app, "app"))
		return;
	load(&mod_app);
	for (e = mod_app.start; e < mod_app.stop; e++)
		if (lg_site_kind(e) == LG_A16) {
			n++;
			bound += lg_match((const unsigned char *)lg_site_addr(e), LG_A16, lg_site_gate(e)) ==
				 LG_S_BOUND;
		}
	check(n == 6 && !bound, "a16 sites", "%u sites, %u bound", n, bound);
	set_useg16_base(app_text16);
	app16_far_p->off = (unsigned int)(app16_round - app_text16);
	app16_far_p->sel = USEG16;
	a = total();
	r = run_user(app_main16_p, user_stack + sizeof user_stack);
	b = total();
	check(r == 0x1616, "16-bit application part ran", "exit %x", (unsigned)r);
	check_calls("a16", &app16_out_p[0]);
	check_calls("a16", &app16_out_p[1]);
	for (bound = 0, e = mod_app.start; e < mod_app.stop; e++)
		if (lg_site_kind(e) == LG_A16) {
			const unsigned char *p = (const unsigned char *)lg_site_addr(e);

			bound += lg_match(p, LG_A16, lg_site_gate(e)) == LG_S_BOUND &&
				 call_gate_sel(p[6] | p[7] << 8);
		}
	check(b.binds - a.binds == n && b.traps - a.traps == n, "bind once", "a16: %u binds, %u traps",
	      (unsigned)(b.binds - a.binds), (unsigned)(b.traps - a.traps));
	check(bound == n, "a16 bound to call gates", "%u of %u a16 sites hold 66 9A 0 <gate|3>", bound, n);
	r = run_user(app_main16_p, user_stack + sizeof user_stack);
	check(r == 0x1616 && total().traps == b.traps, "bound a16 calls do not trap", "");
}

static void test_late(void)
{
	struct lgk_stats a, b, d;
	const struct lg_site *s;
	unsigned int v = 0, w = 7;
	int cf;

	kprintf("== a gate without provider\n");
	if (!get_module(&mod_drv32, "drv32"))
		return;
	load(&mod_drv32);
	load(&mod_kernel);
	a = total();
	cf = drv32_late_p(5, &v);
	b = total();
	check(cf == 1 && b.noprov - a.noprov == 1 && b.binds == a.binds, "no provider reported",
	      "cf %d", cf);
	cf = cc_late(6, &w);
	d = total();
	check(cf == 1 && w == 0 && d.noprov - b.noprov == 1 && d.binds == b.binds,
	      "C-call: no provider reported, the call returns failure", "result %d, output %u", cf, w);
	check(lgk_provide(&kapi_late_api) == 0, "provider registered late", "");
	v = 0;
	cf = drv32_late_p(5, &v);
	check(cf == 0 && v == 1005 && total().binds - d.binds == 1, "binds after registration",
	      "cf %d value %u", cf, v);
	cf = cc_late(6, &w);
	s = kernel_site(LG_GATE_kapi_late, 1);
	check(cf == 0 && w == 1006 && s && impl_to(s, &kapi_late_api),
	      "C-call: binds after registration, near to the implementation", "result %d, output %u",
	      cf, w);
	check(lgk_provide(&kapi_late_api) != 0, "second provider of a gate refused", "");
}

/* Provider replacement with every CPU calling the same sites: the
 * driver's which() (register form: the near entry) and the kernel's
 * C-call site (the implementation). */
static volatile unsigned int replaced, which_bad, which_after;
static volatile int which_near1, which_cc1;
static const struct lg_site *which_site, *which_cc;

static void which_worker(unsigned int cpu)
{
	int i;

	if (cpu == 0) {
		for (i = 0; i < 50; i++)
			which_bad += (drv32_which_p() != 1) + (cc_which() != 1);
		which_near1 = which_site && near_to(which_site, &kapi_which1_api);
		which_cc1 = which_cc && impl_to(which_cc, &kapi_which1_api);
		i = lgk_replace(&kapi_which1_api, &kapi_which2_api);
		kprintf("lgk_replace: %d site(s) unbound\n", i);
		replaced = 1;
	}
	for (i = 0; i < 2000 && !replaced; i++) {
		unsigned int v = drv32_which_p(), w = cc_which();

		if ((v != 1 && v != 2) || (w != 1 && w != 2))
			__atomic_add_fetch(&which_bad, 1, __ATOMIC_RELAXED);
	}
	while (!replaced)
		;
	for (i = 0; i < 50; i++)
		if (drv32_which_p() != 2 || cc_which() != 2)
			__atomic_add_fetch(&which_after, 1, __ATOMIC_RELAXED);
}

/* A site bound ahead of time to code of its own, as gatelink bind may
 * bind one: no provider's entry, so no replacement may unbind it. */
unsigned int which_elsewhere(void);
__asm__(".text\nwhich_elsewhere:\n\tmovl $7, %eax\n\tret\n");
static unsigned int __attribute__((noinline)) which_fixed(void) { return kapi_which(); }

static int fixed_to_elsewhere(const struct lg_site *e)
{
	const unsigned char *p = (const unsigned char *)lg_site_addr(e);
	unsigned char to[LG_MAXLEN];
	unsigned int i, n = lg_bound_near(lg_site_addr(e), (unsigned long)which_elsewhere, to);

	for (i = 0; i < n && p[i] == to[i]; i++)
		;
	return i == n;
}

static void test_replace(void)
{
	struct lgk_stats a, b;
	const struct lg_site *e, *fixed;

	kprintf("== provider replacement, all CPUs running\n");
	if (!get_module(&mod_drv32, "drv32"))
		return;
	load(&mod_drv32);
	load(&mod_kernel);
	for (e = mod_drv32.start; e < mod_drv32.stop; e++)
		if (lg_site_gate(e) == LG_GATE_kapi_which)
			which_site = e;
	which_cc = kernel_site(LG_GATE_kapi_which, 1);
	fixed = kernel_site(LG_GATE_kapi_which, 0);
	if (fixed) /* before any CPU runs it */
		lg_bound_near(lg_site_addr(fixed), (unsigned long)which_elsewhere,
			      (unsigned char *)lg_site_addr(fixed));
	check(lgk_provide(&kapi_which1_api) == 0, "provider v1 registered", "");
	a = total();
	run_all(which_worker);
	b = total();
	check(!which_bad && !which_after, "replacement rebinds", "%u wrong before, %u not v2 after",
	      which_bad, which_after);
	check(b.unbinds - a.unbinds == 2 && b.binds - a.binds == 4, "unbound once, bound twice",
	      "2 sites: unbinds %u binds %u", (unsigned)(b.unbinds - a.unbinds),
	      (unsigned)(b.binds - a.binds));
	check(which_near1 && which_site && near_to(which_site, &kapi_which2_api),
	      "replacement rebinds near", "near to v1's entry before: %d, to v2's after: %d", which_near1,
	      which_site && near_to(which_site, &kapi_which2_api));
	check(which_cc1 && which_cc && impl_to(which_cc, &kapi_which2_api),
	      "C-call: replacement unbinds the site bound to the old implementation, rebinds to the new",
	      "near to v1's before: %d, to v2's after: %d", which_cc1,
	      which_cc && impl_to(which_cc, &kapi_which2_api));
	check(fixed && fixed_to_elsewhere(fixed) && which_fixed() == 7,
	      "a site bound ahead of time to other code is left alone", "");
}

/* A far call to a null selector that is in no table. */
void notsite(void);
extern char notsite_end[];
__asm__(".text\n"
	"notsite:\n\t.byte 0x3e, 0x67, 0x9a\n\t.long 2\n\t.word 2\n"
	"notsite_end:\n\tret\n");

static unsigned int __attribute__((noinline)) corrupt_site(void)
{
	return (unsigned int)kapi_add(1, 2);
}

/* A #GP at a site bound meanwhile, with the error code of its trap state's
 * int as a CPU reports it (vector << 3 | 2) and as QEMU 7.2's TCG in long
 * mode does (vector << 4 | 2): both re-execute the site and count a wait.
 * An error code the site cannot raise, or the address of no site, goes the
 * ordinary way.  The frames are made here: this CPU raises only the first
 * encoding. */
static void test_gp_error(unsigned long site)
{
	struct lgk_frame f;
	struct lgk_stats a = total(), b;
	int r[4];

	kmemset(&f, 0, sizeof f);
	f.vector = 13;
	f.cs = KCS;
	f.eip = (unsigned int)site;
	f.error = LG_GP_INT(LG_VEC_K32);
	r[0] = lgk_gp(&f);
	f.error = LG_GP_INT_QEMU(LG_VEC_K32);
	r[1] = lgk_gp(&f);
	b = total();
	check(r[0] == LGK_RESUME && r[1] == LGK_RESUME && b.waits - a.waits == 2 &&
		      f.eip == (unsigned int)site,
	      "#GP of the trap state's int, CPU's and QEMU 7.2's error code: re-executes the site",
	      "results %d %d, waits %u", r[0], r[1], (unsigned)(b.waits - a.waits));
	f.error = LG_GP_INT(0x80);
	r[2] = lgk_gp(&f);
	f.error = LG_GP_INT_QEMU(LG_VEC_K32);
	f.eip = (unsigned int)site + 1;
	r[3] = lgk_gp(&f);
	check(r[2] == LGK_PASS && r[3] == LGK_PASS,
	      "#GP(int 0x80) at a site, #GP(QEMU's int 0x67) at no site: ordinary", "results %d %d",
	      r[2], r[3]);
}

static void test_notsite(void)
{
	unsigned long before = gp_ordinary;
	const struct lg_site *s;
	unsigned char *p;

	kprintf("== #GP that is not a site\n");
	gp_recover = (unsigned long)notsite_end;
	notsite();
	check(gp_ordinary == before + 1 && last_gp_result == LGK_PASS, "not a site: ordinary #GP", "");
	load(&mod_kernel);
	s = kernel_site(LG_GATE_kapi_add, 0);
	if (!s) {
		check(0, "site with unknown bytes", "no site");
		return;
	}
	p = (unsigned char *)lg_site_addr(s);
	p[3] = 0x55; /* the gate field no longer says gate 2 */
	gp_recover = (unsigned long)p + LG_KLEN;
	before = gp_ordinary;
	corrupt_site();
	check(gp_ordinary == before + 1 && p[0] == LG_K32_B0 && p[3] == 0x55,
	      "site with unknown bytes: ordinary #GP, not patched", "");
	p[3] = LG_GATE_kapi_add;
	check(corrupt_site() == 3, "restored site binds", "");
	test_gp_error((unsigned long)p);
}

/* Bind-all before the calls: every kapi site unbound by a replacement,
 * then the mixed driver bound for ring 0 (its k32 part near, its 16-bit
 * part far) and the application for ring 3 (call gates; the kernel-only
 * gate's sites refused and left initial), one batch each; then their calls
 * take no trap. */
static void test_bindall(void)
{
	struct lgk_stats a, b;
	const struct lg_site *e;
	unsigned int k16 = 0, kernel_only = 0, cg = 0, mixed, app;
	struct calls c;
	int r;

	kprintf("== bind-all: the mixed driver and the application, before their calls\n");
	if (!get_module(&mod_mixed, "mixed") || !get_module(&mod_app, "app"))
		return;
	load(&mod_mixed);
	load(&mod_app);
	lgk_replace(&kapi_api, &kapi_api);
	check(in_state(&mod_mixed, LG_S_INITIAL) == count(&mod_mixed) &&
		      in_state(&mod_app, LG_S_INITIAL) == count(&mod_app),
	      "bind-all: every site unbound first", "");
	for (e = mod_mixed.start; e < mod_mixed.stop; e++)
		k16 += lg_site_kind(e) == LG_K16;
	for (e = mod_app.start; e < mod_app.stop; e++)
		kernel_only += lg_site_gate(e) == LG_GATE_kapi_cpu_id;
	a = total();
	mixed = (unsigned int)lgk_bind_table(mod_mixed.start, count(&mod_mixed), KCS);
	app = (unsigned int)lgk_bind_table(mod_app.start, count(&mod_app), UCS);
	b = total();
	check(mixed == count(&mod_mixed) &&
		      holding(&mod_mixed, LG_K32, near_to, &kapi_api) == mixed - k16 &&
		      holding(&mod_mixed, LG_K16, far_to, &kapi_api) == k16,
	      "bind-all: mixed driver, k32 part near, k16 part far", "%u bound, %u k16", mixed, k16);
	check(holding(&mod_mixed, LG_K32, impl_to, &kapi_api) == mixed - k16,
	      "bind-all: the mixed driver's C-call sites near to the implementations", "%u of %u",
	      holding(&mod_mixed, LG_K32, impl_to, &kapi_api), mixed - k16);
	for (e = mod_app.start; e < mod_app.stop; e++) {
		const unsigned char *p = (const unsigned char *)lg_site_addr(e);

		cg += lg_match(p, lg_site_kind(e), lg_site_gate(e)) == LG_S_BOUND &&
		      call_gate_sel(p[6] | p[7] << 8);
	}
	check(kernel_only && app == count(&mod_app) - kernel_only && cg == app &&
		      in_state(&mod_app, LG_S_INITIAL) == kernel_only,
	      "bind-all: application through call gates, the kernel-only gate left initial",
	      "%u bound, %u through call gates, %u kernel-only", app, cg, kernel_only);
	check(b.syncs - a.syncs == 4 && b.traps == a.traps, "bind-all: two batches, two IPI rounds each",
	      "%u rounds", (unsigned)(b.syncs - a.syncs));
	check(lgk_bind_table(mod_app.start, count(&mod_app), KCS) == 0,
	      "bind-all: application sites are not bound for ring 0", "");
	a = total();
	mixed_call16();
	kmemset(&c, 0, sizeof c);
	round_mixed32(&c);
	r = run_user(app_main_p, user_stack + sizeof user_stack);
	b = total();
	check_calls("bind-all k16", &mixed16_out_p[0]);
	check_calls("bind-all k32", &c);
	check(r == 0x600d && calls_ok(&app_out_p[0]) && b.traps == a.traps,
	      "bind-all: the calls take no trap", "app exit %x, %u traps", (unsigned)r,
	      (unsigned)(b.traps - a.traps));
}

/* Is E's site initial, its gate implemented by A? */
static int initial_in(const struct lg_site *e, const struct lg_api *a)
{
	const struct lg_gate *g = gate_of(a, lg_site_gate(e));

	return g && g->impl &&
	       lg_match((const unsigned char *)lg_site_addr(e), lg_site_kind(e), lg_site_gate(e)) ==
		       LG_S_INITIAL;
}

/* Sites of the kernel's own table, C-call ones (ccall.c) if CC, else
 * register-form ones, of gates LO..HI for which IS(site, kapi_api) holds. */
static unsigned int kernel_count(int cc, unsigned int lo, unsigned int hi,
				 int (*is)(const struct lg_site *, const struct lg_api *))
{
	const struct lg_site *e;
	unsigned int n = 0;

	for (e = mod_kernel.start; e < mod_kernel.stop; e++)
		n += lg_site_ccall(e) == cc && lg_site_gate(e) >= lo && lg_site_gate(e) <= hi &&
		     (!is || is(e, &kapi_api));
	return n;
}

/* The first calls of gates 1-5 from C-call sites: one trap each, bound
 * near to the implementations, right results. */
static void test_ccall_first(void)
{
	struct calls c[2];
	struct lgk_stats a, b, d;
	unsigned int n = kernel_count(1, 1, 5, 0);

	kmemset(c, 0, sizeof c);
	a = total();
	cc_calls(&c[0]);
	b = total();
	cc_calls(&c[1]);
	d = total();
	check_calls("C-call", &c[0]);
	check_calls("C-call", &c[1]);
	check(n == 6 && b.binds - a.binds == n && b.traps - a.traps == n && d.traps == b.traps,
	      "C-call: one trap per site, bound calls do not trap", "%u sites, %u binds, %u traps",
	      n, (unsigned)(b.binds - a.binds), (unsigned)(b.traps - a.traps));
	check(kernel_count(1, 1, 5, impl_to) == n, "C-call: bound near to the implementations",
	      "%u of %u sites hold 3E 67 2E 2E E8 <rel32 to impl>", kernel_count(1, 1, 5, impl_to), n);
}

/* A regparm gate, narrow parameters (the register form here, a generic
 * thunk, must agree), and the stack the implementation is called on. */
static void test_ccall_params(void)
{
	static const unsigned int skew[4] = {0, 4, 8, 12};
	const struct lg_site *s = kernel_site(LG_GATE_kapi_sub, 1);
	unsigned int i, r[4], ok = 1;
	int x = cc_sub(50), y;

	check(x == 42 && s && impl_to(s, &kapi_api), "C-call: regparm gate, near to its implementation",
	      "result %d", x);
	x = cc_narrow(-5, 65534, 1);
	y = cc_narrow(0x17f, 0x10001, 2); /* 127, 1, true */
	s = kernel_site(LG_GATE_kapi_narrow, 1);
	check(x == -368931 && y == 12700003 && kapi_narrow(-5, 65534, true) == x && s &&
		      impl_to(s, &kapi_api),
	      "C-call: char, short and bool parameters (and the register form agrees)", "%d %d", x, y);
	for (i = 0; i < 4; i++) {
		r[i] = cc_align(skew[i]);
		ok &= r[i] == skew[i] << 4;
	}
	check(ok, "C-call: the implementation sees a 16-byte aligned stack",
	      "caller's stack lowered by 0 4 8 12 bytes: misaligned by %u %u %u %u", r[0] & 15,
	      r[1] & 15, r[2] & 15, r[3] & 15);
}

/* Far mode binds a C-call site near all the same; run in KCS_ALIAS (not
 * the kernel's CS) one is refused, and binds from KCS afterwards. */
static void test_ccall_far_alias(void)
{
	const struct lg_site *s = kernel_site(LG_GATE_kapi_cpu_id, 1);
	unsigned long before;
	struct lgk_stats a, b;
	unsigned int r1, r2;

	lgk_set_bind_mode(LGK_BIND_FAR);
	a = total();
	r1 = cc_cpu_id();
	r2 = cc_cpu_id();
	b = total();
	lgk_set_bind_mode(LGK_BIND_NEAR);
	check(r1 == this_cpu() && r2 == r1 && s && impl_to(s, &kapi_api) && b.binds - a.binds == 1 &&
		      b.traps - a.traps == 1,
	      "C-call: far mode still binds near to the implementation", "results %u %u", r1, r2);
	s = kernel_site(LG_GATE_kapi_race_add, 1);
	if (!s) {
		check(0, "C-call: a site of race_add", "none");
		return;
	}
	a = total();
	before = gp_ordinary;
	gp_recover = lg_site_addr(s) + LG_KLEN; /* past the refused site */
	cc_race_add_alias();
	b = total();
	check(gp_ordinary == before + 1 && last_gp_result == LGK_REFUSED &&
		      b.refused - a.refused == 1 && b.binds == a.binds &&
		      lg_match((const unsigned char *)lg_site_addr(s), LG_K32, LG_GATE_kapi_race_add) ==
			      LG_S_INITIAL,
	      "C-call: refused to k32 code in another code segment, left initial",
	      "refused %u, #GP result %d", (unsigned)(b.refused - a.refused), last_gp_result);
	r1 = cc_race_add();
	check(r1 == 62 && impl_to(s, &kapi_api),
	      "C-call: the same site binds near from the kernel's segment", "result %u", r1);
}

/* lgk_bind_table on the kernel's table: for KCS_ALIAS the register-form
 * sites far, the C-call sites left; for KCS the C-call sites near to impl. */
static void test_ccall_bindall(void)
{
	struct lgk_stats a, b;
	struct calls c;
	unsigned int reg, cc, r1, r2;
	int x;

	lgk_replace(&kapi_api, &kapi_api);
	reg = kernel_count(0, 0, LG_GATE_MAX, initial_in);
	cc = kernel_count(1, 0, LG_GATE_MAX, initial_in);
	r1 = (unsigned int)lgk_bind_table(mod_kernel.start, count(&mod_kernel), KCS_ALIAS);
	check(cc && r1 == reg && kernel_count(1, 0, LG_GATE_MAX, initial_in) == cc,
	      "bind-all for another code segment: C-call sites left initial",
	      "%u bound of %u register-form sites, %u of %u C-call sites initial", r1, reg,
	      kernel_count(1, 0, LG_GATE_MAX, initial_in), cc);
	r2 = (unsigned int)lgk_bind_table(mod_kernel.start, count(&mod_kernel), KCS);
	check(r2 == cc && kernel_count(1, 0, LG_GATE_MAX, impl_to) == cc,
	      "bind-all: C-call sites near to the implementations", "%u bound of %u, %u near to impl",
	      r2, cc, kernel_count(1, 0, LG_GATE_MAX, impl_to));
	kmemset(&c, 0, sizeof c);
	a = total();
	cc_calls(&c);
	x = cc_sub(50);
	b = total();
	check(calls_ok(&c) && x == 42 && b.traps == a.traps, "bind-all: C-call sites' calls right, no trap",
	      "sub %d, %u traps", x, (unsigned)(b.traps - a.traps));
}

/* The kernel's C-call sites (ccall.c), whose callers push the
 * implementation's own arguments: bound near straight to the
 * implementation at their first call, in far mode too; refused to k32
 * code in another code segment; bound by lgk_bind_table. */
static void test_ccall(void)
{
	kprintf("== C-call sites: the kernel's own, bound near to the implementations\n");
	load(&mod_kernel);
	test_ccall_first();
	test_ccall_params();
	test_ccall_far_alias();
	test_ccall_bindall();
}

/* ---- race ---- */
#define ROUND 32
static volatile unsigned int race_round, race_wrong;
static volatile unsigned int race_counts[RACE_SITES];

static void race_worker(unsigned int cpu)
{
	unsigned int i, r = race_round;

	for (i = r * ROUND; i < (r + 1) * ROUND; i++) {
		const struct race_site *s = &race_sites[(cpu & 1) ? i : i];

		if (s->fn(cpu) != s->id * 3 + cpu)
			__atomic_add_fetch(&race_wrong, 1, __ATOMIC_RELAXED);
	}
}

/* Bind-all while the other CPUs call the same sites: CPU 0 binds the
 * race table in one batch, the others call every site meanwhile (some of
 * their calls trap and bind, or meet the batch's claims and wait). */
static volatile int bindall_n;

static void bindall_worker(unsigned int cpu)
{
	unsigned int i;

	if (cpu == 0)
		bindall_n = lgk_bind_table(mod_race.start, count(&mod_race), KCS);
	for (i = 0; i < RACE_SITES; i++)
		if (race_sites[i].fn(cpu) != race_sites[i].id * 3 + cpu)
			__atomic_add_fetch(&race_wrong, 1, __ATOMIC_RELAXED);
}

static void test_race(void)
{
	unsigned int i, once = 0, bound = 0, n = count(&mod_race);
	struct lgk_stats a, b;
	const struct lg_site *e;

	kprintf("== race: %u CPUs on the same unbound sites, %u per round\n", ncpus, ROUND);
	check(ncpus >= 2, "SMP", "%u CPUs", ncpus);
	load(&mod_race);
	count_binds = race_counts;
	count_module = &mod_race;
	a = total();
	for (race_round = 0; race_round < RACE_SITES / ROUND; race_round++)
		run_all(race_worker);
	b = total();
	count_module = 0;
	for (e = mod_race.start; e < mod_race.stop; e++) {
		once += race_counts[e - mod_race.start] == 1;
		bound += lg_match((const unsigned char *)lg_site_addr(e), LG_K32, LG_GATE_kapi_race_add) ==
				 LG_S_NEAR && near_to(e, &kapi_api);
	}
	check(!race_wrong, "race: every call right", "%u wrong of %u", race_wrong, n * ncpus);
	check(n == RACE_SITES && once == n, "race: every site bound exactly once", "%u of %u", once, n);
	check(bound == n, "race: every site holds the whole near call", "%u of %u", bound, n);
	check(holding(&mod_race, LG_K32, impl_to, &kapi_api) == n / 2,
	      "race: the C-call half near to the implementation, the other to the near entry",
	      "%u of %u", holding(&mod_race, LG_K32, impl_to, &kapi_api), n / 2);
	check(b.binds - a.binds == n, "race: binds counted", "%u", (unsigned)(b.binds - a.binds));
	kprintf("race: %u traps, %u waits, %u IPI rounds\n", (unsigned)(b.traps - a.traps),
		(unsigned)(b.waits - a.waits), (unsigned)(b.syncs - a.syncs));
	for (i = 1; i < ncpus; i++)
		if (lgk_stats[i].binds)
			break;
	check(i < ncpus, "race: APs bound sites too", "");

	/* Every race site unbound by one replacement: one batch, two IPI
	 * rounds whatever the number of sites; then all CPUs rebind them. */
	a = total();
	i = (unsigned int)lgk_replace(&kapi_api, &kapi_api);
	b = total();
	once = bound = 0;
	for (e = mod_race.start; e < mod_race.stop; e++)
		once += lg_match((const unsigned char *)lg_site_addr(e), LG_K32, LG_GATE_kapi_race_add) ==
			LG_S_INITIAL;
	check(once == n && i >= n && b.unbinds - a.unbinds == i, "replace: every race site unbound",
	      "%u initial of %u, %u unbound", once, n, i);
	check(b.syncs - a.syncs == 2, "replace: one batch, two IPI rounds",
	      "%u rounds for %u sites", (unsigned)(b.syncs - a.syncs), i);
	for (race_round = 0; race_round < RACE_SITES / ROUND; race_round++)
		run_all(race_worker);
	for (e = mod_race.start; e < mod_race.stop; e++)
		bound += lg_match((const unsigned char *)lg_site_addr(e), LG_K32, LG_GATE_kapi_race_add) ==
				 LG_S_NEAR && near_to(e, &kapi_api);
	check(!race_wrong && bound == n, "replace: every site rebound near, every call right",
	      "%u bound, %u wrong", bound, race_wrong);

	/* Unbound again, then all bound at once before any call: one batch,
	 * two IPI rounds, and the race that follows takes no trap. */
	lgk_replace(&kapi_api, &kapi_api);
	check(lgk_bind_table(mod_race.start, n + 1, KCS) == -1, "bind-all: a table not registered",
	      "");
	a = total();
	i = (unsigned int)lgk_bind_table(mod_race.start, n, KCS);
	b = total();
	bound = 0;
	for (e = mod_race.start; e < mod_race.stop; e++)
		bound += lg_match((const unsigned char *)lg_site_addr(e), LG_K32, LG_GATE_kapi_race_add) ==
				 LG_S_NEAR && near_to(e, &kapi_api);
	check(i == n && bound == n && b.binds - a.binds == n, "bind-all: every race site bound near",
	      "%u bound, %u near", i, bound);
	check(b.syncs - a.syncs == 2, "bind-all: one batch, two IPI rounds", "%u rounds",
	      (unsigned)(b.syncs - a.syncs));
	check(lgk_bind_table(mod_race.start, n, KCS) == 0, "bind-all again binds nothing", "");
	a = total();
	for (race_round = 0; race_round < RACE_SITES / ROUND; race_round++)
		run_all(race_worker);
	b = total();
	check(!race_wrong && b.traps - a.traps == 0, "bind-all: every call right, no trap",
	      "%u wrong, %u traps", race_wrong, (unsigned)(b.traps - a.traps));

	lgk_replace(&kapi_api, &kapi_api);
	a = total();
	run_all(bindall_worker);
	b = total();
	bound = 0;
	for (e = mod_race.start; e < mod_race.stop; e++)
		bound += lg_match((const unsigned char *)lg_site_addr(e), LG_K32, LG_GATE_kapi_race_add) ==
				 LG_S_NEAR && near_to(e, &kapi_api);
	check(!race_wrong && bound == n && b.binds - a.binds == n && bindall_n >= 0,
	      "bind-all while every CPU calls the sites: every call right, each site bound once",
	      "%u wrong, %u near, %u binds (%d by the batch, the rest at traps)", race_wrong, bound,
	      (unsigned)(b.binds - a.binds), bindall_n);
	check(holding(&mod_race, LG_K32, impl_to, &kapi_api) == n / 2,
	      "bind-all while every CPU calls: the C-call half near to the implementation", "%u of %u",
	      holding(&mod_race, LG_K32, impl_to, &kapi_api), n / 2);
}

static void provide(void)
{
	check(lgk_provide(&kapi_api) == 0, "provider kapi registered", "");
}

static void counters(void)
{
	kprintf("counters:\n");
	show_stats();
}

static const struct kcheck checks[] = {
	{0, provide},
	{"basic", test_basic},
	{"k16", test_k16},
	{"user", test_user},
	{"user", test_a16},
	{"late", test_late},
	{"replace", test_replace},
	{"notsite", test_notsite},
	{"bindall", test_bindall},
	{"ccall", test_ccall},
	{"race", test_race},
	{0, counters},
};
KCHECKS(checks);
