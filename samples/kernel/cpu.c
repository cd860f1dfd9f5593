/* cpu.c - the sample kernel's CPUs: the IDT they share, the local APIC,
 * INIT-SIPI's target (ap_main, entered from the AP trampoline in isr.S)
 * and running work on every CPU.  It names nothing of isr.S or kernel.c,
 * which fill the IDT and start the CPUs. */
#include "lgk.h"
#include "kernel.h"

static unsigned long long idt[256];
static struct {
	unsigned short limit;
	unsigned long base;
} __attribute__((packed)) idtr = {sizeof idt - 1, 0};

/* An interrupt gate (DPL) to kcs:A at vector VEC. */
void idt_set(unsigned int vec, unsigned long a, unsigned int dpl)
{
	idt[vec] = (a & 0xffff) | (unsigned long long)KCS << 16 |
		   (unsigned long long)(0x8e | dpl << 5) << 40 | (unsigned long long)(a >> 16) << 48;
}

static void idt_load(void)
{
	idtr.base = (unsigned long)idt;
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* ---- local APIC, CPUs -------------------------------------------------- */

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

void lapic_icr(unsigned int v)
{
	while (LAPIC(0x300) & (1u << 12))
		;
	LAPIC(0x310) = 0;
	LAPIC(0x300) = v;
}

/* Fixed IPI to all excluding self. */
void send_ipi(void)
{
	lapic_icr(0xc4000 | IPI_VEC);
}

void delay(unsigned long n)
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

/* This CPU is number C: its IDT and local APIC. */
void cpu_here(unsigned int c)
{
	cpu_of_apic[LAPIC(0x20) >> 24] = (unsigned char)c;
	idt_load();
	lapic_enable();
}

void ap_main(unsigned int idx)
{
	unsigned int c = idx + 1, seen = 0;

	cpu_here(c);
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
