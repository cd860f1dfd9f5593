/* The i386 kernel resolver: #GP hook, int-nn handler, binding with a
 * cmpxchg claim on the code and IPI rounds for serialization.
 *
 * One spinlock (bind_lock) covers lookup, claim and the whole patch, as in
 * the userland runtime: a CPU that meets the trap state waits by taking it,
 * and once it holds it no bind is under way, so a head still CD was not
 * written by lazygate and the trap is passed on (never an endless wait).
 * Every spin loop here answers sync requests (lgk_poll), so two CPUs with
 * interrupts off never wait for each other.
 *
 * The CPU that finds a site in its initial state binds it within that one
 * #GP and returns to the site, which now holds the bound call: the first
 * call reaches its target with one trap and no frame rewriting (the same
 * path serves near and far k32, k16 and ring-3 callers through call gates).
 *
 * k32 sites run in the kernel's code segment are bound near (3E 67 2E 2E
 * E8 rel32 into the gate's near entry) unless lgk_set_bind_mode says far;
 * everything else far, to kcs or to a call gate.  C-call sites (FORMAT.md)
 * are bound near to the implementation in either mode, and refused to any
 * caller outside kcs.
 */
#include "lgk.h"

struct lgk_stats lgk_stats[LGK_MAX_CPUS];

static const struct lgk_ops *ops;
static unsigned int kcs, cg_first, cg_count, cg_used, bind_far;
static struct lg_site *tab[LGK_MAX_TABLES];
static size_t tab_n[LGK_MAX_TABLES];
static unsigned long tab_lo[LGK_MAX_TABLES], tab_hi[LGK_MAX_TABLES];
static volatile unsigned int ntabs;
static const struct lg_api *apis[LGK_MAX_APIS];
static struct lg_providers prov = {apis, 0, LGK_MAX_APIS};
#define CG_MAX 64
static unsigned int cg_gate[CG_MAX];
static volatile unsigned int bind_lock, sync_gen, online;
static volatile unsigned int ack[LGK_MAX_CPUS];
static unsigned long last_site[LGK_MAX_CPUS];
static unsigned int repeats[LGK_MAX_CPUS];

#define COUNT(c, f) (lgk_stats[c].f++)

static inline void pause(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void serialize(void)
{
	unsigned int a = 0, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) : : "memory");
}

static inline unsigned int save_cli(void)
{
	unsigned int fl;

	__asm__ volatile("pushfl; popl %0; cli" : "=r"(fl) : : "memory");
	return fl;
}

static inline void restore(unsigned int fl)
{
	__asm__ volatile("pushl %0; popfl" : : "r"(fl) : "memory", "cc");
}

/* ---- serialization: an IPI round ------------------------------------ */

void lgk_poll(void)
{
	unsigned int c = ops->cpu(), g = sync_gen;

	if (ack[c] != g) {
		serialize();
		__atomic_store_n(&ack[c], g, __ATOMIC_RELEASE);
	}
}

void lgk_ipi(void)
{
	lgk_poll();
}

/* Every other online CPU executes cpuid (in lgk_ipi or lgk_poll) after
 * this call started; only the holder of bind_lock calls it. */
static void sync_all(void *ctx)
{
	unsigned int c = ops->cpu(), g = sync_gen + 1, i;

	(void)ctx;
	__atomic_store_n(&sync_gen, g, __ATOMIC_SEQ_CST);
	ack[c] = g;
	COUNT(c, syncs);
	if (online & ~(1u << c))
		ops->send_ipi();
	for (i = 0; i < LGK_MAX_CPUS; i++)
		while ((online >> i & 1) && (int)(ack[i] - g) < 0)
			pause();
	serialize();
}

static int claim(void *ctx, unsigned char *p, unsigned char head)
{
	unsigned char old = head;

	(void)ctx;
	return !__atomic_compare_exchange_n(p, &old, LG_HEAD_TRAP, 0, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST);
}

static int put(void *ctx, unsigned char *d, const unsigned char *s, unsigned int n)
{
	(void)ctx;
	while (n--)
		*(volatile unsigned char *)d++ = *s++;
	return 0;
}

static const struct lg_patch_ops pops = {claim, put, sync_all, 0};

static void lock(void)
{
	while (__atomic_exchange_n(&bind_lock, 1, __ATOMIC_ACQUIRE))
		while (bind_lock) {
			lgk_poll();
			pause();
		}
}

static void unlock(void)
{
	__atomic_store_n(&bind_lock, 0, __ATOMIC_RELEASE);
}

/* ---- descriptors ----------------------------------------------------- */

/* A descriptor's two little-endian words, read and written whole: fewer
 * instructions than byte by byte, and a call gate's present bit (word 1)
 * is written with the rest of its word, after word 0. */
typedef unsigned int __attribute__((may_alias)) word;

/* The descriptor of GDT selector SEL (RPL and table bit ignored). */
static word *desc(unsigned int sel)
{
	struct {
		unsigned short limit;
		unsigned long base;
	} __attribute__((packed)) r;

	__asm__ volatile("sgdt %0" : "=m"(r));
	return (word *)(r.base + (sel & ~7u));
}

unsigned long lgk_linear(unsigned int cs, unsigned int eip)
{
	const word *d;

	if (cs & 4)
		return ~0ul; /* LDT: not supported, never a site */
	d = desc(cs); /* base 15..0 in word 0; 23..16 and 31..24 in word 1 */
	return eip + (d[0] >> 16 | (d[1] & 0xff) << 16 | (d[1] & 0xff000000));
}

/* The target of call-gate selector SEL if it is one of ours, else 0. */
static unsigned long gate_target(unsigned int sel)
{
	unsigned int i = sel >> 3;
	const word *d = desc(sel);

	if ((sel & 4) || i < cg_first || i >= cg_first + cg_used)
		return 0;
	return (d[0] & 0xffff) | (d[1] & 0xffff0000);
}

/* A 32-bit call gate, DPL 3, to kcs:target. */
static void set_gate(unsigned int idx, unsigned long target)
{
	volatile word *d = desc(idx << 3);

	d[0] = (target & 0xffff) | (kcs & 0xffff) << 16;
	d[1] = (target & 0xffff0000) | 0xec00; /* present, DPL 3, 32-bit call gate */
}

/* The call-gate selector of GATE: one descriptor per gate, made on first use. */
static unsigned int call_gate(unsigned int gate, unsigned long target)
{
	unsigned int i;

	for (i = 0; i < cg_used && cg_gate[i] != gate; i++)
		;
	if (i == cg_used) {
		if (cg_used == cg_count)
			return 0;
		cg_gate[cg_used++] = gate;
	}
	set_gate(cg_first + i, target);
	return (cg_first + i) << 3 | 3;
}

/* ---- tables and providers -------------------------------------------- */

void lgk_init(const struct lgk_ops *o, unsigned int cs, unsigned int first,
	      unsigned int count)
{
	ops = o;
	kcs = cs;
	cg_first = first;
	cg_count = count < CG_MAX ? count : CG_MAX;
}

void lgk_set_bind_mode(int mode)
{
	__atomic_store_n(&bind_far, mode == LGK_BIND_FAR, __ATOMIC_RELAXED);
}

void lgk_cpu_online(unsigned int cpu)
{
	ack[cpu] = sync_gen;
	__atomic_or_fetch(&online, 1u << cpu, __ATOMIC_SEQ_CST);
}

int lgk_register(struct lg_site *t, size_t n)
{
	unsigned int i = ntabs, fl;

	if (!n)
		return 0;
	if (i == LGK_MAX_TABLES)
		return -1;
	if (!lg_table_sorted(t, n))
		lg_table_sort(t, n);
	if (!lg_table_valid(t, n))
		return -1;
	fl = save_cli();
	lock();
	tab[i] = t;
	tab_n[i] = n;
	tab_lo[i] = lg_site_addr(&t[0]);
	tab_hi[i] = lg_site_addr(&t[n - 1]);
	__atomic_store_n(&ntabs, i + 1, __ATOMIC_RELEASE);
	unlock();
	restore(fl);
	return 0;
}

static const struct lg_site *find(unsigned long a)
{
	unsigned int i, n = __atomic_load_n(&ntabs, __ATOMIC_ACQUIRE);
	const struct lg_site *e;

	for (i = 0; i < n; i++)
		if (a >= tab_lo[i] && a <= tab_hi[i] && (e = lg_table_find(tab[i], tab_n[i], a)))
			return e;
	return 0;
}

/* Tell the kernel about X's site (what: W), for the caller CS:EIP.  Every
 * field is set, so the event needs no clearing first. */
static void event(enum lgk_what w, const struct lg_edit *x, unsigned int cs, unsigned int eip)
{
	const struct lg_site *e = x->entry;
	struct lgk_event ev;

	if (!ops->event)
		return;
	ev.what = w;
	ev.cpu = ops->cpu();
	ev.site = lg_site_addr(e);
	ev.entry = e;
	ev.gate = lg_site_gate(e);
	ev.kind = lg_site_kind(e);
	ev.cs = cs;
	ev.eip = eip;
	ev.api = x->api ? x->api->name : 0;
	ev.name = x->gate ? x->gate->name : 0;
	ev.sel = x->sel;
	ev.target = x->target;
	ops->event(&ev);
}

int lgk_provide(const struct lg_api *api)
{
	unsigned int fl = save_cli();
	int r;

	lock();
	r = lg_provide(&prov, api);
	unlock();
	restore(fl);
	return r ? -1 : 0; /* a provider registered twice serves nothing new */
}

/* ---- bound forms, binding one site ------------------------------------ */

static int far_mode(void)
{
	return __atomic_load_n(&bind_far, __ATOMIC_RELAXED);
}

/* X's bound form for a caller in segment CS (FAR: the bind mode), into X:
 * its length, 0 if none (out of call-gate descriptors).  A near call keeps
 * the caller's CS, so the near entry must run in it: only k32 code in kcs,
 * which is flat (the far forms already use an entry's linear address as
 * its offset in kcs); a k32 caller in another 32-bit segment (its own
 * base) is bound far.  A C-call site's caller pushed the implementation's
 * own arguments: only a near call straight to impl leaves them where it
 * looks, so that is its form whatever the mode (lg_encode); allowed()
 * refused it outside kcs. */
static unsigned int bound_form(unsigned int cs, int far, struct lg_edit *x)
{
	unsigned int kind = lg_site_kind(x->entry), sel = kcs;
	int near = kind == LG_K32 && cs == kcs && !far;

	if (!near && !lg_site_ccall(x->entry) && kind > LG_K16 &&
	    !(sel = call_gate(x->gate->number, (unsigned long)x->gate->far_entry)))
		return 0;
	return lg_encode(x, near, sel);
}

/* May code in segment CS call X's gate?  The gate of the provider that
 * implements it, else of one that names it, in X.  LGK_RESUME, LGK_REFUSED
 * or LGK_NOPROVIDER.  A C-call site can only be bound near, which needs
 * its caller in kcs: from anywhere else (ring 3, a 32-bit segment of its
 * own) it is refused, never bound far. */
static int allowed(unsigned int cs, struct lg_edit *x)
{
	unsigned int need = (cs & 3) == 3 ? LG_GATE_APP : LG_GATE_KERNEL;
	const struct lg_gate *g = x->gate = lg_lookup(&prov, lg_site_gate(x->entry), &x->api);

	if ((g && !(g->flags & need)) || (need == LG_GATE_APP && lg_site_kind(x->entry) <= LG_K16) ||
	    (lg_site_ccall(x->entry) && cs != kcs))
		return LGK_REFUSED;
	return g && g->impl ? LGK_RESUME : LGK_NOPROVIDER;
}

/* Bind E's site for the caller in F, on CPU C.  Lock held; released here. */
static int bind(const struct lgk_frame *f, const struct lg_site *e, unsigned int c)
{
	unsigned char *site = (unsigned char *)lg_site_addr(e);
	struct lg_edit x = {0};
	enum lgk_what w = LGK_EV_BIND;
	int r;

	x.entry = e;
	r = allowed(f->cs, &x);
	if (r == LGK_RESUME && (!bound_form(f->cs, far_mode(), &x) ||
				lg_patch(&pops, site, site, x.to, x.len) != LG_OK))
		r = LGK_PASS; /* out of call-gate descriptors, or not ours */
	unlock();
	if (r == LGK_PASS)
		return r;
	if (r == LGK_RESUME)
		COUNT(c, binds);
	else if (r == LGK_REFUSED)
		COUNT(c, refused), w = LGK_EV_REFUSED;
	else
		COUNT(c, noprov), w = LGK_EV_NOPROVIDER;
	event(w, &x, f->cs, f->eip);
	return r;
}

/* ---- batches: many sites in two IPI rounds --------------------------- */

/* The core's batch (lg_batch) over our tables, for callers in segment CS
 * (binding), T[0..N) or (T 0) every table. */
struct batch {
	unsigned int cs;
	int far; /* the bind mode, read once for all phases */
	const struct lg_site *t;
	size_t n;
};

static const struct lg_site *table(void *ctx, unsigned int i, size_t *n)
{
	const struct batch *b = ctx;

	if (b->t) {
		*n = b->n;
		return i ? 0 : b->t;
	}
	*n = i < ntabs ? tab_n[i] : 0;
	return i < ntabs ? tab[i] : 0;
}

/* Kernel sites for a ring-0 CS, application sites for a ring-3 one. */
static unsigned int bind_form(void *ctx, struct lg_edit *x)
{
	const struct batch *b = ctx;

	if ((lg_site_kind(x->entry) <= LG_K16) != ((b->cs & 3) != 3) ||
	    allowed(b->cs, x) != LGK_RESUME)
		return 0;
	return bound_form(b->cs, b->far, x);
}

static unsigned long far_target(void *ctx, unsigned int sel, unsigned int off)
{
	(void)ctx;
	return sel == kcs ? off : gate_target(sel);
}

static void tell(void *ctx, const struct lg_edit *x)
{
	const struct batch *b = ctx;
	unsigned int c = ops->cpu();

	if (x->unbind) {
		COUNT(c, unbinds);
		event(LGK_EV_UNBIND, x, 0, 0);
		return;
	}
	COUNT(c, binds);
	/* the callers it binds for, at the site itself */
	event(LGK_EV_BIND, x, b->cs, (unsigned int)(lg_site_addr(x->entry) - lgk_linear(b->cs, 0)));
}

/* One batch at a time runs, under the lock: its parameters live here. */
static struct batch cur;
static const struct lg_batch_ops bops = {{claim, put, sync_all, &cur}, 0, 0, table, bind_form,
					 far_target, tell};

int lgk_replace(const struct lg_api *old_api, const struct lg_api *new_api)
{
	unsigned int fl = save_cli();
	long n;

	lock();
	cur.t = 0; /* every table */
	n = lg_replace(&prov, &bops, old_api, new_api);
	unlock();
	restore(fl);
	return (int)n;
}

int lgk_bind_table(const struct lg_site *t, size_t n, unsigned int cs)
{
	unsigned int i, fl = save_cli();
	long r = -1;

	lock();
	cur.cs = cs;
	cur.far = far_mode();
	cur.t = t;
	cur.n = n;
	for (i = 0; i < ntabs; i++)
		if (tab[i] == t && tab_n[i] == n)
			r = lg_batch(&bops, 0);
	unlock();
	restore(fl);
	return (int)r;
}

/* ---- the trap path ---------------------------------------------------- */

/* A trap at SITE: a #GP (GP), or an int 0x66/0x67 from ring 0.  TRAPPED:
 * the CPU executed the trap state (the int, or a #GP with a non-zero
 * error code, which lg_gp_state accepts only for the site's vector). */
static int resolve(struct lgk_frame *f, unsigned long site, int gp)
{
	const struct lg_site *e = find(site);
	unsigned int c = ops->cpu(), err = gp ? f->error : LG_GP_CALL;
	int trapped = !gp || err;
	enum lg_state s;

	if (!e)
		return LGK_PASS;
	lock();
	/* A #GP must carry an error code the site can raise; the int of
	 * lgk_int came from the trap state's own byte 1, so there the bytes
	 * alone decide, as for an error code of 0 (registered tables hold
	 * known kinds only: lg_table_valid). */
	s = lg_gp_state(e, err);
	if (s == LG_S_INITIAL && !trapped) {
		COUNT(c, traps);
		return bind(f, e, c);
	}
	if (s == LG_S_NONE || s == LG_S_TRAP) {
		/* LG_S_TRAP with the lock held: a CD nobody is writing. */
		unlock();
		return LGK_PASS;
	}
	/* Bound by another CPU while this one fetched the old bytes or
	 * waited, or (initial, trapped) unbound again while it waited:
	 * re-execute.  The trap's return serializes, so on a CPU the
	 * re-execution is the bound call and never traps here again.  An
	 * emulator's translation cache can: QEMU TCG (MTTCG) may translate
	 * the site while another vCPU writes it and keep that translation
	 * after the write; one that starts at the site (the re-execution's,
	 * or any instruction crossing a page) then traps for ever.  Storing
	 * the head again, under the lock so that no patch is under way,
	 * changes no byte but makes it retranslate.  Repeats after that mean
	 * something else is wrong. */
	repeats[c] = last_site[c] == site ? repeats[c] + 1 : 0;
	last_site[c] = site;
	if (repeats[c])
		*(volatile unsigned char *)site = *(volatile unsigned char *)site;
	unlock();
	if (repeats[c] > 2)
		return LGK_PASS;
	if (trapped)
		COUNT(c, waits);
	COUNT(c, traps);
	return LGK_RESUME;
}

int lgk_gp(struct lgk_frame *f)
{
	return resolve(f, lgk_linear(f->cs, f->eip), 1);
}

int lgk_int(struct lgk_frame *f)
{
	int r = resolve(f, lgk_linear(f->cs, f->eip - 2), 0);

	if (r == LGK_RESUME)
		f->eip -= 2;
	return r;
}

void lgk_fail(struct lgk_frame *f)
{
	const struct lg_site *e = find(lgk_linear(f->cs, f->eip));

	if (e) {
		f->eip += lg_kind_len(lg_site_kind(e));
		f->eflags |= LG_EFLAGS_CF;
		if (lg_site_ccall(e))
			f->eax = 1; /* its caller reads a carry gate's failure from eax, not CF */
	}
}
