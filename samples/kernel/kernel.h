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
#define CG_FIRST 7
#define CG_COUNT 16
#define MAX_CPUS 8

unsigned int this_cpu(void);
extern volatile unsigned int ncpus;

void kprintf(const char *fmt, ...);
void check(int ok, const char *name, const char *fmt, ...);
void kexit(int fail) __attribute__((noreturn));
void *kmemset(void *d, int c, size_t n);

/* Run FN on every online CPU (BSP included), all starting together;
 * returns when all are done. */
void run_all(void (*fn)(unsigned int cpu));

int run_user(void (*entry)(void), void *stack_top);
void user_return(int v) __attribute__((noreturn));

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

void tests_run(const char *cmdline);
#endif
