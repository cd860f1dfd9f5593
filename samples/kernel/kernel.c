/* kernel.c - the lazygate sample kernel: UART, GDT/TSS/IDT, local APIC,
 * INIT-SIPI bring-up of the other CPUs, traps, and the glue to the kernel
 * runtime (runtime/kernel/lgk.h).  Model: kvm-unit-tests. */
#include <stdarg.h>
#include "lgk.h"
#include "kernel.h"

/* ---- ports, UART, printing -------------------------------------------- */

static inline void outb(unsigned short p, unsigned char v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(p));
}

static inline unsigned char inb(unsigned short p)
{
	unsigned char v;

	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(p));
	return v;
}

#define COM1 0x3f8

static void uart_init(void)
{
	outb(COM1 + 1, 0);    /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 1);    /* 115200 */
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 3); /* 8N1 */
	outb(COM1 + 2, 0xc7);
}

static void uart_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (unsigned char)c);
}

static volatile unsigned int print_lock;

static unsigned int lock_irq(volatile unsigned int *l)
{
	unsigned int fl;

	__asm__ volatile("pushfl; popl %0; cli" : "=r"(fl) : : "memory");
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (*l) {
			lgk_poll(); /* never hold up another CPU's IPI round */
			__asm__ volatile("pause");
		}
	return fl;
}

static void unlock_irq(volatile unsigned int *l, unsigned int fl)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
	__asm__ volatile("pushl %0; popfl" : : "r"(fl) : "memory", "cc");
}

static void put_num(unsigned long v, unsigned int base, int width, char pad)
{
	char b[16];
	int n = 0;

	do {
		b[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		uart_putc(pad);
	while (n--)
		uart_putc(b[n]);
}

static void vprint(const char *f, va_list ap)
{
	for (; *f; f++) {
		int w = 0;
		char pad = ' ';

		if (*f != '%') {
			uart_putc(*f);
			continue;
		}
		if (*++f == '0')
			pad = '0';
		while (*f >= '0' && *f <= '9')
			w = w * 10 + *f++ - '0';
		switch (*f) {
		case 'd': {
			int v = va_arg(ap, int);

			if (v < 0) {
				uart_putc('-');
				v = -v;
			}
			put_num((unsigned long)v, 10, w, pad);
			break;
		}
		case 'u':
			put_num(va_arg(ap, unsigned int), 10, w, pad);
			break;
		case 'x':
			put_num(va_arg(ap, unsigned int), 16, w, pad);
			break;
		case 'p':
			uart_putc('0');
			uart_putc('x');
			put_num(va_arg(ap, unsigned long), 16, 8, '0');
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			for (s = s ? s : "(null)"; *s; s++)
				uart_putc(*s);
			break;
		}
		case 'c':
			uart_putc((char)va_arg(ap, int));
			break;
		default:
			uart_putc(*f);
		}
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	unsigned int fl = lock_irq(&print_lock);

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	unlock_irq(&print_lock, fl);
}

static unsigned int npass, nfail;

void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;
	unsigned int fl = lock_irq(&print_lock);

	va_start(ap, fmt);
	vprint(ok ? "PASS " : "FAIL ", ap);
	vprint(name, ap);
	if (fmt && *fmt) {
		vprint(": ", ap);
		vprint(fmt, ap);
	}
	vprint("\n", ap);
	va_end(ap);
	if (ok)
		npass++;
	else
		nfail++;
	unlock_irq(&print_lock, fl);
}

void kexit(int fail)
{
	kprintf("RESULT %u passed, %u failed\n", npass, nfail);
	outb(0xf4, fail || nfail ? 1 : 0); /* isa-debug-exit: qemu exits 3 or 1 */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void *kmemset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}

/* ---- descriptors ------------------------------------------------------ */

#define NGDT (CG_FIRST + CG_COUNT + 1)
static unsigned long long gdt[NGDT];
static struct {
	unsigned short limit;
	unsigned long base;
} __attribute__((packed)) gdtr;

static struct {
	unsigned int link, esp0, ss0, esp1, ss1, esp2, ss2, cr3, eip, eflags;
	unsigned int eax, ecx, edx, ebx, esp, ebp, esi, edi;
	unsigned int es, cs, ss, ds, fs, gs, ldt;
	unsigned short trap, iomap;
} __attribute__((packed)) tss;
static unsigned char ring0_stack[16384] __attribute__((aligned(16)));

static unsigned long long seg(unsigned long base, unsigned long limit, unsigned int access,
			      unsigned int flags)
{
	return (limit & 0xffffULL) | (base & 0xffffffULL) << 16 | (unsigned long long)access << 40 |
	       ((limit >> 16) & 0xfULL) << 48 | (unsigned long long)flags << 52 |
	       (unsigned long long)(base >> 24) << 56;
}

extern void load_gdt(void *);

static void gdt_init(void)
{
	gdt[1] = seg(0, 0xfffff, 0x9a, 0xc); /* kernel code, 32-bit */
	gdt[2] = seg(0, 0xfffff, 0x92, 0xc); /* kernel data */
	gdt[3] = seg(0, 0xfffff, 0xfa, 0xc); /* user code, DPL 3 */
	gdt[4] = seg(0, 0xfffff, 0xf2, 0xc); /* user data, DPL 3 */
	gdt[5] = seg((unsigned long)&tss, sizeof tss - 1, 0x89, 0);
	/* 16-bit code: base = the 16-bit part of the mixed driver, 64 KiB */
	gdt[SEG16 >> 3] = seg(0, 0xffff, 0x9a, 0); /* set_seg16_base() */
	/* 16-bit user code, DPL 3: the application's 16-bit part (a16 callers) */
	gdt[USEG16 >> 3] = seg(0, 0xffff, 0xfa, 0); /* set_useg16_base() */
	/* CG_FIRST.. : call gates, made by the runtime on first use */
	gdt[KCS_ALIAS >> 3] = seg(0, 0xfffff, 0x9a, 0xc); /* flat code, not KCS */
	gdtr.limit = sizeof gdt - 1;
	gdtr.base = (unsigned long)gdt;
	load_gdt(&gdtr);
	tss.ss0 = KDS;
	tss.esp0 = (unsigned long)ring0_stack + sizeof ring0_stack;
	tss.iomap = sizeof tss;
	__asm__ volatile("ltr %w0" : : "r"(TSS_SEL));
}

void set_seg16_base(unsigned long base)
{
	gdt[SEG16 >> 3] = seg(base, 0xffff, 0x9a, 0);
}

void set_useg16_base(unsigned long base)
{
	gdt[USEG16 >> 3] = seg(base, 0xffff, 0xfa, 0);
}

static unsigned long long idt[256];
static struct {
	unsigned short limit;
	unsigned long base;
} __attribute__((packed)) idtr;
extern const struct {
	int vec;
	void (*fn)(void);
} isr_table[];

static void idt_init(void)
{
	int i;

	for (i = 0; isr_table[i].vec >= 0; i++) {
		unsigned long a = (unsigned long)isr_table[i].fn;
		unsigned int dpl = isr_table[i].vec == 0x30 ? 3 : 0;

		idt[isr_table[i].vec] = (a & 0xffff) | (unsigned long long)KCS << 16 |
					(unsigned long long)(0x8e | dpl << 5) << 40 |
					(unsigned long long)(a >> 16) << 48;
	}
	idtr.limit = sizeof idt - 1;
	idtr.base = (unsigned long)idt;
}

static void idt_load(void)
{
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* ---- local APIC, CPUs -------------------------------------------------- */

#define LAPIC(r) (*(volatile unsigned int *)(0xfee00000UL + (r)))
#define IPI_VEC 0xf0
static unsigned char cpu_of_apic[256];
volatile unsigned int ncpus = 1;

unsigned int this_cpu(void)
{
	return cpu_of_apic[LAPIC(0x20) >> 24];
}

static void lapic_enable(void)
{
	LAPIC(0x80) = 0;     /* TPR: accept everything */
	LAPIC(0xf0) = 0x1ff; /* enabled, spurious vector 0xff */
}

static void lapic_icr(unsigned int v)
{
	while (LAPIC(0x300) & (1u << 12))
		;
	LAPIC(0x310) = 0;
	LAPIC(0x300) = v;
}

/* Fixed IPI to all excluding self. */
static void send_ipi(void)
{
	lapic_icr(0xc4000 | IPI_VEC);
}

static void delay(unsigned long n)
{
	while (n--)
		__asm__ volatile("pause");
}

/* ---- running work on every CPU ----------------------------------------- */

static void (*volatile work_fn)(unsigned int);
static volatile unsigned int work_gen, work_done, work_go;

static void work_wait(unsigned int *seen)
{
	__asm__ volatile("cli");
	while (work_gen == *seen)
		__asm__ volatile("sti; hlt; cli");
	__asm__ volatile("sti");
	*seen = work_gen;
}

/* All CPUs meet at a barrier, then run fn together. */
void run_all(void (*fn)(unsigned int))
{
	unsigned int c = this_cpu();

	work_fn = fn;
	work_done = 0;
	work_go = 0;
	__atomic_add_fetch(&work_gen, 1, __ATOMIC_SEQ_CST);
	send_ipi(); /* wakes the halted APs (lgk_ipi does no harm) */
	__atomic_add_fetch(&work_go, 1, __ATOMIC_SEQ_CST);
	while (work_go < ncpus)
		;
	fn(c);
	__atomic_add_fetch(&work_done, 1, __ATOMIC_SEQ_CST);
	while (work_done < ncpus)
		;
}

void ap_main(unsigned int idx);
void ap_main(unsigned int idx)
{
	unsigned int c = idx + 1, seen = 0;

	cpu_of_apic[LAPIC(0x20) >> 24] = (unsigned char)c;
	idt_load();
	lapic_enable();
	lgk_cpu_online(c);
	__atomic_add_fetch(&ncpus, 1, __ATOMIC_SEQ_CST);
	for (;;) {
		work_wait(&seen);
		__atomic_add_fetch(&work_go, 1, __ATOMIC_SEQ_CST);
		while (work_go < ncpus)
			;
		work_fn(c);
		__atomic_add_fetch(&work_done, 1, __ATOMIC_SEQ_CST);
	}
}

extern const char ap_tramp[], ap_tramp_end[];
extern struct {
	unsigned short limit;
	unsigned long base;
} __attribute__((packed)) ap_gdtr;
extern volatile unsigned int ap_next;

static void smp_init(unsigned int want)
{
	unsigned char *dst = (unsigned char *)0x8000;
	const char *s;
	unsigned long t;
	unsigned int *g = (unsigned int *)(0x8000 + ((const char *)&ap_gdtr - ap_tramp));

	for (s = ap_tramp; s < ap_tramp_end; s++)
		*dst++ = (unsigned char)*s;
	g[0] = gdtr.limit | (gdtr.base & 0xffff) << 16; /* unaligned 6 bytes */
	*(unsigned short *)((char *)g + 4) = (unsigned short)(gdtr.base >> 16);
	lapic_icr(0xc4500); /* INIT to all others */
	delay(100000);
	lapic_icr(0xc4600 | 0x08); /* SIPI: start at 0x8000 */
	delay(10000);
	lapic_icr(0xc4600 | 0x08);
	for (t = 0; t < 200000000UL && ncpus < want; t++)
		__asm__ volatile("pause");
	delay(100000);
}

/* ---- traps ------------------------------------------------------------- */

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

void trap(struct lgk_frame *f);
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

/* ---- the runtime's ops; the bind log ------------------------------------ */

int verbose_binds = 1;
const struct module *count_module;
volatile unsigned int *count_binds;

static void on_event(const struct lgk_event *ev)
{
	static const char *const what[] = {"bound", "unbound", "NO PROVIDER for", "REFUSED"};

	if (count_module && ev->entry >= count_module->start && ev->entry < count_module->stop) {
		if (ev->what == LGK_EV_BIND)
			__atomic_add_fetch(&count_binds[ev->entry - count_module->start], 1,
					   __ATOMIC_RELAXED);
		return;
	}
	if (!verbose_binds && (ev->what == LGK_EV_BIND || ev->what == LGK_EV_UNBIND))
		return;
	kprintf("lazygate: cpu %u %s site %p (%s) gate %u %s.%s", ev->cpu, what[ev->what], ev->site,
		lg_kind_name(ev->kind), ev->gate, ev->api ? ev->api : "?", ev->name ? ev->name : "?");
	if (ev->what == LGK_EV_BIND && !ev->sel)
		kprintf(" -> near %p (caller %x:%x)\n", ev->target, ev->cs, ev->eip);
	else if (ev->what == LGK_EV_BIND)
		kprintf(" -> %x:%p (caller %x:%x)\n", ev->sel, ev->target, ev->cs, ev->eip);
	else if (ev->what == LGK_EV_UNBIND)
		kprintf("\n");
	else
		kprintf(" called from %x:%p\n", ev->cs, (unsigned long)ev->eip);
}

static const struct lgk_ops ops = {this_cpu, send_ipi, on_event};

/* ---- the checks (KCHECKS tables) ------------------------------------------ */

extern const struct kchecks __start_kchecks[], __stop_kchecks[];

/* Is W a word of the command line? */
static int word(const char *cmd, const char *w)
{
	const char *p = cmd;

	while (*p) {
		const char *q = w;

		while (*p && *p == *q)
			p++, q++;
		if (!*q && (!*p || *p == ' '))
			return 1;
		while (*p && *p != ' ')
			p++;
		while (*p == ' ')
			p++;
	}
	return 0;
}

/* Does the command line name any group of checks? */
static int picks(const char *cmd)
{
	const struct kchecks *t;
	unsigned int i;

	for (t = __start_kchecks; t < __stop_kchecks; t++)
		for (i = 0; i < t->n; i++)
			if (t->c[i].group && word(cmd, t->c[i].group))
				return 1;
	return 0;
}

static void run_checks(const char *cmd)
{
	const struct kchecks *t;
	int some = picks(cmd);
	unsigned int i;

	kprintf("cmdline: \"%s\"\n", cmd);
	verbose_binds = !word(cmd, "quiet");
	for (t = __start_kchecks; t < __stop_kchecks; t++)
		for (i = 0; i < t->n; i++)
			if (!t->c[i].group || !some || word(cmd, t->c[i].group))
				t->c[i].run();
}

/* ---- main --------------------------------------------------------------- */

void kmain(unsigned int magic, const unsigned int *mbi);
void kmain(unsigned int magic, const unsigned int *mbi)
{
	const char *cmdline = "";
	unsigned int want = 4;

	uart_init();
	kprintf("lazygate sample kernel\n");
	if (magic != 0x2badb002) {
		kprintf("not booted by multiboot\n");
		kexit(1);
	}
	if (mbi[0] & 4)
		cmdline = (const char *)mbi[4];
	outb(0x21, 0xff); /* mask the 8259s */
	outb(0xa1, 0xff);
	gdt_init();
	idt_init();
	idt_load();
	cpu_of_apic[LAPIC(0x20) >> 24] = 0;
	lapic_enable();
	lgk_init(&ops, KCS, CG_FIRST, CG_COUNT);
	lgk_cpu_online(0);
	modules_init(mbi);
	smp_init(want);
	kprintf("%u CPUs online\n", ncpus);
	__asm__ volatile("sti");
	run_checks(cmdline);
	kexit(0);
}
