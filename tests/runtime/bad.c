/* Faults that must not be mistaken for gates, and gates that cannot bind.
 * Each mode does one thing; the calling script checks how the process ends. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "t.h"

extern const struct lg_api t_api;

static void handler(int sig)
{
	static const char msg[] = "previous handler called\n";

	(void)sig;
	if (write(1, msg, sizeof msg - 1) < 0)
		_exit(4);
	_exit(3);
}

/* A program that installs its own handler after lazygate's asks lazygate
 * first (lazygate_fault) and handles the rest itself. */
static void own_handler(int sig, siginfo_t *si, void *uc)
{
	if (!lazygate_fault(sig, si, uc))
		handler(sig);
}

/* With liblazygate linked statically, this runs before lazygate's own
 * constructor: lazygate must chain to it. */
#ifdef BAD_CHAIN
__attribute__((constructor(101))) static void first(void)
{
	signal(SIGSEGV, handler);
}
#endif

int main(int argc, char **argv)
{
	const char *m = argc > 1 ? argv[1] : "";

	lazygate_provide(&t_api);
	if (t_add(1, 2) != 3) /* a real site still works in every mode */
		return 5;
	if (!strcmp(m, "after")) {
		struct sigaction sa;

		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = own_handler;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, 0);
		if (t_plus(2, 2) != 4) /* a new site, bound through lazygate_fault */
			return 7;
		__asm__ volatile("hlt");
	} else if (!strcmp(m, "nosite")) /* a stub with no table entry */
		__asm__ volatile(".byte 0x3e,0x67,0x9a\n\t.long 1\n\t.word 2" ::: "memory");
	else if (!strcmp(m, "hlt")) /* privileged: #GP(0) at no site */
		__asm__ volatile("hlt");
	else if (!strcmp(m, "int67")) /* the trap vector at no site */
		__asm__ volatile("int $0x67");
	else if (!strcmp(m, "corrupt")) /* table says gate 1, bytes say gate 2 */
		__asm__ volatile("770: .byte 0x3e,0x67,0x9a\n\t.long 2\n\t.word 2\n\t"
				 LG_ASM_ENTRY(LG_K32, "1") ::: "memory");
	else if (!strcmp(m, "stucktrap")) /* trap state nobody is binding */
		__asm__ volatile("770: .byte 0xcd,0x67,0x9a\n\t.long 1\n\t.word 2\n\t"
				 LG_ASM_ENTRY(LG_K32, "1") ::: "memory");
	else if (!strcmp(m, "missing")) /* named by the provider, not implemented */
		return t_missing(1);
	else if (!strcmp(m, "unknown")) /* no provider knows gate 4242 */
		__asm__ volatile(LG_ASM_STUB("4242") ::: "memory");
	else if (!strcmp(m, "apponly")) /* kernel-kind code calling an application-only gate */
		__asm__ volatile(LG_ASM_STUB(LG_STR(LG_GATE_t_app_only)) ::: "memory", "eax");
	else if (!strcmp(m, "app")) /* an application-kind site in Linux userland */
		__asm__ volatile(LG_ASM_A32("1") ::: "memory", "eax");
	else
		return 0;
	return 6;
}
