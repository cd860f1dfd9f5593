/* kernel.c - the lazygate sample kernel: GDT/TSS, the IDT's entries,
 * INIT-SIPI bring-up of the other CPUs, the glue to the kernel runtime
 * (runtime/kernel/lgk.h) and kmain, entered from boot.S.  The UART and
 * printing are console.c's, the CPUs cpu.c's, the traps trap.c's.  Model:
 * kvm-unit-tests. */
#include "lgk.h"
#include "kernel.h"

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

extern const struct {
	int vec;
	void (*fn)(void);
} isr_table[];

static void idt_init(void)
{
	int i;

	for (i = 0; isr_table[i].vec >= 0; i++)
		idt_set(isr_table[i].vec, (unsigned long)isr_table[i].fn, isr_table[i].vec == 0x30 ? 3 : 0);
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
	cpu_here(0);
	lgk_init(&ops, KCS, CG_FIRST, CG_COUNT);
	lgk_cpu_online(0);
	modules_init(mbi);
	smp_init(want);
	kprintf("%u CPUs online\n", ncpus);
	__asm__ volatile("sti");
	run_checks(cmdline);
	kexit(0);
}
