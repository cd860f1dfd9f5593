/* kernel.h - the lazygate sample kernel's internal interfaces. */
#ifndef SAMPLE_KERNEL_H
#define SAMPLE_KERNEL_H
#include <stddef.h>
#include <lazygate/stub.h>

#define KCS 0x08
#define KDS 0x10
#define UCS 0x1b
#define UDS 0x23
#define TSS_SEL 0x28
#define SEG16 0x30
#define USEG16 0x3b /* 16-bit user code, DPL 3 (the application's .text16) */
#define CG_FIRST 8
#define CG_COUNT 16
/* A second flat 32-bit ring-0 code segment, after the call-gate slots:
 * k32 code run in a code segment other than the kernel's (ccall.c). */
#define KCS_ALIAS ((CG_FIRST + CG_COUNT) << 3)
#define MAX_CPUS 8

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

#define LAPIC(r) (*(volatile unsigned int *)(0xfee00000UL + (r)))
#define IPI_VEC 0xf0

/* console.c: the UART, printing, the checks' PASS/FAIL lines. */
void uart_init(void);
void kprintf(const char *fmt, ...);
void check(int ok, const char *name, const char *fmt, ...);
void kexit(int fail) __attribute__((noreturn));
void *kmemset(void *d, int c, size_t n);

/* cpu.c: the IDT, the local APIC, the CPUs (ap_main: isr.S's AP entry). */
unsigned int this_cpu(void);
extern volatile unsigned int ncpus;
void idt_set(unsigned int vec, unsigned long a, unsigned int dpl);
void cpu_here(unsigned int c);
void lapic_icr(unsigned int v);
void send_ipi(void);
void delay(unsigned long n);
void ap_main(unsigned int idx);

/* trap.c: every vector's handler (isr.S's stubs call it). */
struct lgk_frame;
void trap(struct lgk_frame *f);

/* Run FN on every online CPU (BSP included), all starting together;
 * returns when all are done. */
void run_all(void (*fn)(unsigned int cpu));

/* ring.S: ring 3 entry and exit; the GDT's loading. */
int run_user(void (*entry)(void), void *stack_top);
void user_return(int v) __attribute__((noreturn));
void load_gdt(void *gdtr);

/* A module's site table (a renamed lazygate_sites section). */
struct module {
	const char *name;
	struct lg_site *start, *stop;
};

/* Ordinary #GP path bookkeeping (tests). */
extern volatile unsigned long gp_ordinary, gp_recover;
extern volatile int last_gp_result;

/* Bind log control and per-site bind counting. */
extern int verbose_binds;
extern const struct module *count_module;
extern volatile unsigned int *count_binds;

/* The checks: each file registers its table of them (KCHECKS, in section
 * kchecks); the kernel runs them in order once every CPU is up.  A check
 * with a group runs when the command line names the group or no group;
 * one without, always. */
struct kcheck {
	const char *group;
	void (*run)(void);
};
struct kchecks {
	const struct kcheck *c;
	unsigned int n;
};
#define KCHECKS(t)                                                            \
	static const struct kchecks kchecks_##t __attribute__((section("kchecks"), used)) = \
		{t, sizeof t / sizeof t[0]}

/* modules.c: clients loaded from multiboot modules (ELF32 ET_REL). */
struct kmodule {
	char name[16];
	const void *image;
	unsigned long base;
	unsigned long sec[64];  /* load address of each section, 0 if not loaded */
	struct lg_site *sites;  /* its lazygate_sites section */
	size_t nsites;
	unsigned long text16;   /* its .text16 section (16-bit code), 0 if none */
};
void modules_init(const unsigned int *mbi);
const struct kmodule *module_find(const char *name);
void *module_sym(const struct kmodule *m, const char *name);
void set_seg16_base(unsigned long base);
void set_useg16_base(unsigned long base);
#endif
