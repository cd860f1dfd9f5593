/* lazygate/provider.h - what a provider is made of, for both runtimes.
 *
 * gatec --provider writes, for each gate, two entry thunks: NAME_far
 * (returns with lret, for bound far calls) and NAME_near (returns with ret,
 * for the bound-near form).  The thunks preserve every register the gate
 * does not return, as the register convention requires.  Most are direct
 * assembly made for the gate's signature (gas-plugin/emit_provider.c); raw
 * gates and gates with narrow parameters get the generic ones below, made
 * by LG_THUNKS around an adapter: a C function that reads the caller's
 * registers from a struct lg_regs, calls the plain C implementation and
 * stores its results.
 */
#ifndef LAZYGATE_PROVIDER_H
#define LAZYGATE_PROVIDER_H

#include <lazygate/stub.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The caller's registers, in pushfl + pushal order (lowest address first). */
struct lg_regs {
	unsigned int edi, esi, ebp, esp, ebx, edx, ecx, eax, eflags;
};

#define LG_EFLAGS_CF 1u

static __inline__ void lg_set_cf(struct lg_regs *r, int cf)
{
	r->eflags = cf ? r->eflags | LG_EFLAGS_CF : r->eflags & ~LG_EFLAGS_CF;
}

/* Gate flags: who may call it. */
#define LG_GATE_KERNEL 1u
#define LG_GATE_APP 2u

struct lg_gate {
	unsigned int number;
	unsigned int flags;
	const char *name;
	void (*impl)(void);       /* the C implementation; 0 = not provided */
	void (*far_entry)(void);  /* thunk ending in lret */
	void (*near_entry)(void); /* thunk ending in ret, or a regparm implementation */
};

/* A provider: every gate of an API, sorted by number, one entry per number. */
struct lg_api {
	unsigned int version; /* LG_FORMAT_VERSION */
	const char *name;
	unsigned int count;
	const struct lg_gate *gates;
};

/* Call-frame information for thunks written in asm, so that unwinders
 * (backtrace(3), debuggers, C++ exceptions) walk through them: emitted
 * when the compiler emits its own (no -fno-asynchronous-unwind-tables). */
#ifdef __GCC_HAVE_DWARF2_CFI_ASM
#define LG_CFI(directives) directives
#else
#define LG_CFI(directives) ""
#endif
/* A far entry's frame: the return offset at 0, the caller's CS at 4. */
#define LG_CFI_FAR ".cfi_def_cfa_offset 8\n\t.cfi_offset %eip, -8\n"

/* NAME_far and NAME_near around ADAPTER (a static void f(struct lg_regs *)
 * marked used).  Arguments are strings; use from C, at file scope.  The
 * thunks are global but hidden: other files of the module may name them,
 * nothing outside it sees them.  Provider files must not be built with
 * -flto (LTO may rename the static adapter the asm calls).  While the
 * adapter runs, ebx holds the address of the struct lg_regs, which is
 * where the CFI finds the frame and the caller's ebx, esi, edi, ebp. */
#define LG_THUNK_BODY(adapter, cfa)                                      \
	"\tpushfl\n" LG_CFI("\t.cfi_adjust_cfa_offset 4\n")             \
	"\tpushal\n" LG_CFI("\t.cfi_adjust_cfa_offset 32\n")            \
	"\tmovl %esp, %ebx\n"                                            \
	LG_CFI("\t.cfi_def_cfa %ebx, " cfa "\n\t.cfi_rel_offset %edi, 0\n"  \
	       "\t.cfi_rel_offset %esi, 4\n\t.cfi_rel_offset %ebp, 8\n"     \
	       "\t.cfi_rel_offset %ebx, 16\n")                              \
	"\tcld\n\tandl $-16, %esp\n\tsubl $12, %esp\n\tpushl %ebx\n"     \
	"\tcall " adapter "\n\tmovl %ebx, %esp\n"                          \
	LG_CFI("\t.cfi_def_cfa_register %esp\n")                          \
	"\tpopal\n"                                                       \
	LG_CFI("\t.cfi_restore %edi\n\t.cfi_restore %esi\n"               \
	       "\t.cfi_restore %ebp\n\t.cfi_restore %ebx\n"                \
	       "\t.cfi_adjust_cfa_offset -32\n")                           \
	"\tbtl $0, (%esp)\n\tleal 4(%esp), %esp\n"                        \
	LG_CFI("\t.cfi_adjust_cfa_offset -4\n")
#define LG_THUNKS(name, adapter)                                     \
	__asm__(".pushsection .text\n\t.p2align 4\n\t"                   \
		".globl " name "_far\n\t.hidden " name "_far\n\t"            \
		".type " name "_far, @function\n"                           \
		name "_far:\n\t" LG_CFI(".cfi_startproc\n\t" LG_CFI_FAR)    \
		LG_THUNK_BODY(adapter, "44") "\tlret\n\t"                   \
		LG_CFI(".cfi_endproc\n\t")                                  \
		".size " name "_far, . - " name "_far\n\t"                   \
		".globl " name "_near\n\t.hidden " name "_near\n\t"          \
		".type " name "_near, @function\n"                          \
		name "_near:\n\t" LG_CFI(".cfi_startproc\n")                \
		LG_THUNK_BODY(adapter, "40") "\tret\n\t"                    \
		LG_CFI(".cfi_endproc\n\t")                                  \
		".size " name "_near, . - " name "_near\n\t"                 \
		".popsection\n")

#ifdef __cplusplus
}
#endif
#endif
