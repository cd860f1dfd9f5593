/* trap.c - the sample kernel's trap handler (entered from the stubs in
 * isr.S): lazygate first (lgk_gp, lgk_int, lgk_ipi), then the kernel's
 * ordinary paths.  It names nothing of isr.S or kernel.c. */
#include "lgk.h"
#include "kernel.h"

volatile unsigned long gp_ordinary, gp_recover;
volatile int last_gp_result;

static void panic(struct lgk_frame *f, const char *why)
{
	kprintf("PANIC cpu %u: %s: vector %u error %x at %x:%p eflags %x eax %x\n", this_cpu(), why,
		f->vector, f->error, f->cs, (unsigned long)f->eip, f->eflags, f->eax);
	check(0, "no unexpected trap", "%s", why);
	kexit(1);
}

/* The kernel's ordinary #GP path: what a #GP that lazygate passed on (or
 * refused) gets. */
static void ordinary_gp(struct lgk_frame *f, int r)
{
	gp_ordinary++;
	last_gp_result = r;
	if ((f->cs & 3) == 3) {
		kprintf("kernel: application fault #GP(%x) at %x:%p (%s), application ended\n",
			f->error, f->cs, (unsigned long)f->eip,
			r == LGK_REFUSED ? "gate refused" : r == LGK_NOPROVIDER ? "no provider" : "not a gate");
		user_return(-1);
	}
	if (r == LGK_NOPROVIDER) {
		lgk_fail(f); /* the call returns with CF set */
		return;
	}
	if (gp_recover) {
		kprintf("kernel: ordinary #GP(%x) at %x:%p, recovered\n", f->error, f->cs,
			(unsigned long)f->eip);
		f->eip = (unsigned int)gp_recover;
		gp_recover = 0;
		return;
	}
	panic(f, "#GP");
}

void trap(struct lgk_frame *f)
{
	int r;

	switch (f->vector) {
	case 13:
		r = lgk_gp(f);
		if (r != LGK_RESUME)
			ordinary_gp(f, r);
		return;
	case 0x66:
	case 0x67:
		if ((r = lgk_int(f)) != LGK_RESUME) {
			const unsigned char *p = (const unsigned char *)f->eip - 2;

			kprintf("int at %p: result %d, bytes %x %x %x %x %x %x %x %x %x\n",
				(unsigned long)p, r, p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8]);
			panic(f, "int 0x66/0x67 at no claimed site");
		}
		return;
	case IPI_VEC:
		lgk_ipi();
		LAPIC(0xb0) = 0;
		return;
	case 0x30:
		if ((f->cs & 3) == 3)
			user_return((int)f->eax);
		panic(f, "int 0x30 from the kernel");
		return;
	case 0xff:
		return; /* spurious */
	default:
		panic(f, "unexpected trap");
	}
}
