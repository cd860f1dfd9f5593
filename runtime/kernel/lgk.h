/* lgk.h - the freestanding i386 kernel runtime of lazygate.
 *
 * Link runtime/kernel/lgk.c and the C files of runtime/core into a
 * 32-bit protected-mode kernel (no libc, no paging assumptions beyond code
 * being writable through the kernel's flat data segment).  The kernel:
 *
 *   1. calls lgk_init() once, lgk_cpu_online() on every CPU as it starts;
 *   2. registers the site table of every module it loads (lgk_register),
 *      binding it at once if it likes (lgk_bind_table), and the providers
 *      of its APIs (lgk_provide, lgk_replace), at any time;
 *   3. builds a struct lgk_frame in its #GP handler and calls lgk_gp();
 *      in its handlers of int 0x66 and 0x67 calls lgk_int();
 *      in its handler of the sync IPI calls lgk_ipi();
 *      in long spin loops run with interrupts disabled calls lgk_poll().
 *
 * See doc/kernel.md.
 */
#ifndef LAZYGATE_LGK_H
#define LAZYGATE_LGK_H

#include <stddef.h>
#include <lazygate/core.h>
#include <lazygate/provider.h>

#define LGK_MAX_CPUS 16
#define LGK_MAX_TABLES 16
#define LGK_MAX_APIS 8

/* The trap frame the runtime reads and rewrites: what a typical isr stub
 * builds (push error/0, push vector, pushal, push ds/es/fs/gs).  esp/ss are
 * there only when the trap came from an outer ring (cs & 3 != 0). */
struct lgk_frame {
	unsigned int gs, fs, es, ds;
	unsigned int edi, esi, ebp, esp0, ebx, edx, ecx, eax; /* pushal */
	unsigned int vector, error;
	unsigned int eip, cs, eflags;
	unsigned int esp, ss;
};

/* What happened, for the kernel's log: called in the trap handler of the
 * CPU concerned, outside the bind lock; for the sites of a batch
 * (lgk_replace, lgk_bind_table) by the CPU that runs it, with the lock
 * held: the handler must not call a gate whose sites may be unbound. */
enum lgk_what { LGK_EV_BIND, LGK_EV_UNBIND, LGK_EV_NOPROVIDER, LGK_EV_REFUSED };
struct lgk_event {
	enum lgk_what what;
	unsigned int cpu;
	unsigned long site; /* linear address */
	unsigned int gate, kind;
	unsigned int cs, eip;       /* the caller: the site in cs for a batch bind, 0 for UNBIND */
	unsigned int sel;           /* bound selector (kernel CS or call gate); 0: near */
	unsigned long target;       /* entry point (sel 0: near_entry, impl for a C-call site) */
	const char *api, *name;     /* 0 if unknown */
	const struct lg_site *entry;
};

struct lgk_ops {
	unsigned int (*cpu)(void);   /* index of this CPU, < LGK_MAX_CPUS */
	void (*send_ipi)(void);      /* the sync IPI to every other CPU */
	void (*event)(const struct lgk_event *ev); /* may be 0; under the lock in batches */
};

/* Per-CPU counters. */
struct lgk_stats {
	unsigned long traps;   /* #GP/int traps that were lazygate sites */
	unsigned long binds;   /* sites this CPU bound */
	unsigned long waits;   /* traps that met another CPU's claim */
	unsigned long unbinds; /* sites this CPU unbound (provider replaced) */
	unsigned long refused; /* calls refused (privilege, C-call site outside kcs) */
	unsigned long noprov;  /* calls to a gate without provider */
	unsigned long syncs;   /* IPI rounds this CPU started */
};
extern struct lgk_stats lgk_stats[LGK_MAX_CPUS];

/* kcs: the kernel's 32-bit code selector (the bound form of k32/k16 sites).
 * Call-gate descriptors for application gates are allocated lazily in GDT
 * slots cg_first .. cg_first + cg_count - 1 (indices, not selectors). */
void lgk_init(const struct lgk_ops *ops, unsigned int kcs, unsigned int cg_first,
	      unsigned int cg_count);
void lgk_cpu_online(unsigned int cpu);

/* How k32 sites run in kcs are bound.  LGK_BIND_NEAR (the default): the
 * bound-near form 3E 67 2E 2E E8 rel32 into the gate's near_entry; kcs must
 * be flat (base 0), as the far forms already assume.  LGK_BIND_FAR:
 * 3E 67 9A far_entry kcs.  k32 sites run in another code segment, k16
 * sites and application sites are bound far in either mode.  C-call sites
 * (LG_FLAG_CCALL) are bound near to the gate's impl in either mode, and
 * refused (LGK_REFUSED) to a caller outside kcs.  Sites bound before a
 * switch keep their form until they are unbound (lgk_replace). */
#define LGK_BIND_NEAR 0
#define LGK_BIND_FAR 1
void lgk_set_bind_mode(int mode);

/* Register a module's site table (sorted in place if it is not).  0 / -1. */
int lgk_register(struct lg_site *t, size_t n);
/* Register a provider (a table gatec made: this format, sorted).  -1 if
 * it is not one, is registered already, a gate it implements is already
 * served, or LGK_MAX_APIS are. */
int lgk_provide(const struct lg_api *api);
/* Unbind every site bound to OLD's gates (every CPU keeps running; one
 * batch, two IPI rounds), then serve them from NEW (0 withdraws).  Returns
 * the number of sites unbound; < 0 if OLD is not registered or NEW is not
 * a valid table or implements a gate another provider serves (nothing
 * done). */
int lgk_replace(const struct lg_api *old_api, const struct lg_api *new_api);
/* Bind now every initial site of the registered table T (as given to
 * lgk_register, after its sort) that code in segment CS may call and whose
 * gate has a provider: kernel sites for a ring-0 CS (k32 near if CS is the
 * kernel's; C-call sites near to impl, only if it is), application sites
 * through call gates for a ring-3 one.  One
 * batch, two IPI rounds, while every CPU keeps running; the other sites
 * are left to their first call.  The number bound, -1 if T is not
 * registered. */
int lgk_bind_table(const struct lg_site *t, size_t n, unsigned int cs);

/* Results of lgk_gp / lgk_int. */
#define LGK_RESUME 1      /* handled: return from the trap (re-executes the site) */
#define LGK_PASS 0        /* not a lazygate site: the kernel's ordinary path */
#define LGK_REFUSED (-1)  /* a gate the caller may not call: nothing patched */
#define LGK_NOPROVIDER (-2) /* no provider yet: reported, site left unbound */

int lgk_gp(struct lgk_frame *f);   /* vector 13 */
int lgk_int(struct lgk_frame *f);  /* int 0x66 / 0x67 (trap state, ring 0) */
void lgk_ipi(void);                /* the sync IPI handler body (before EOI) */
void lgk_poll(void);               /* answer a sync request from a spin loop */

/* For LGK_NOPROVIDER/LGK_REFUSED: make the call return at once with CF set
 * (eip past the site), and eax 1 at a C-call site (a carry gate's C result:
 * failure); for kernel callers that can take a failed call. */
void lgk_fail(struct lgk_frame *f);

/* Linear address of cs:eip (GDT descriptor base). */
unsigned long lgk_linear(unsigned int cs, unsigned int eip);

#endif
