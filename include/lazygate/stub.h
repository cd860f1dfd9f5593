/* lazygate/stub.h - the stub encodings and the site table.
 *
 * This header is the single source of truth for the bytes lazygate emits and
 * patches: gatec, gatelink, both runtimes and the tests take every byte value
 * from here.  It is plain C89 plus <stdint.h>-free constants, usable from C,
 * C++, freestanding code and, under __ASSEMBLER__, from .S files.
 * doc/FORMAT.md explains every value; keep the two in step.
 */
#ifndef LAZYGATE_STUB_H
#define LAZYGATE_STUB_H

#define LG_FORMAT_VERSION 1

/* Caller kinds (the site table's kind field). */
#define LG_K32 0 /* 32-bit kernel code:       3E 67 9A gg gg gg gg 02 00 */
#define LG_K16 1 /* 16-bit kernel code:       67 66 9A gg gg gg gg 02 00 */
#define LG_A32 2 /* 32-bit application code:  67 9A gg gg gg gg 03 00 */
#define LG_A16 3 /* 16-bit application code:  66 9A gg gg gg gg 01 00 */
#define LG_NKINDS 4

/* Byte values.  Byte 1 of every stub is also the int-nn vector of its trap
 * state and never changes while a site is claimed (see FORMAT.md). */
#define LG_OP_CALLF 0x9a /* call ptr16:32 */
#define LG_OP_CALL 0xe8  /* call rel32 */
#define LG_PFX_CS 0x2e
#define LG_PFX_DS 0x3e
#define LG_PFX_ADDR 0x67
#define LG_PFX_OPND 0x66
#define LG_HEAD_TRAP 0xcd /* int imm8: the claimed (trap) state */

#define LG_K32_B0 0x3e
#define LG_K32_B1 0x67
#define LG_K16_B0 0x67
#define LG_K16_B1 0x66
#define LG_A32_B0 0x67
#define LG_A16_B0 0x66
#define LG_A_B1 0x9a

/* Null selectors the initial stubs call; the RPL tells the kinds apart. */
#define LG_SEL_KERNEL 2
#define LG_SEL_APP32 3
#define LG_SEL_APP16 1

/* Trap vectors (= byte 1). */
#define LG_VEC_K32 0x67
#define LG_VEC_K16 0x66
#define LG_VEC_APP 0x9a

/* Error codes of the #GP a site raises (FORMAT.md, "Which faults are
 * lazygate's"): 0 for the initial stub's far call to a null selector; for
 * "int vector" through a DPL-0 gate, vector << 3 | 2 (IDT entry, IDT bit)
 * on CPUs, and vector << 4 | 2 under QEMU 7.2's TCG in long mode, which
 * scales the vector by the size of a 64-bit gate. */
#define LG_GP_CALL 0
#define LG_GP_INT(v) ((v) << 3 | 2)
#define LG_GP_INT_QEMU(v) ((v) << 4 | 2)

#define LG_KLEN 9 /* kernel stubs */
#define LG_ALEN 8 /* application stubs */
#define LG_MAXLEN 9

/* Every bound form is one instruction, so a thread can only be before a
 * site or past its call, never inside it when it is rewritten.  Bound far
 * forms are the initial stub with a real selector (and offset); the
 * bound-near form of a K32 site is 3E 67 2E 2E E8 rel32, a near call with
 * four prefixes, ending at site+9 like every bound form. */
#define LG_NEAR_B2 LG_PFX_CS
#define LG_NEAR_B3 LG_PFX_CS

/* Site table: section name and entry.  An entry is two 32-bit words:
 *   rel  = site address - address of rel        (signed, PC-relative)
 *   info = gate | kind << 24 | flags << 28
 */
#define LG_SITES_SECTION "lazygate_sites"
#define LG_ENTRY_SIZE 8
#define LG_GATE_BITS 24
#define LG_GATE_MAX 0xffffff
#define LG_KIND_SHIFT 24
#define LG_KIND_MASK 0xf
#define LG_FLAGS_SHIFT 28
#define LG_FLAGS_MASK 0xf
#define LG_FLAG_CCALL 1 /* a C-call site: k32 only, bound near to the implementation */

/* Discovery note: one per linked module, a COMDAT-deduplicated SHT_NOTE.
 * desc = { int32 start, int32 end, uint32 flags }, start and end relative
 * to the address of desc. */
#define LG_NOTE_SECTION ".note.lazygate"
#define LG_NOTE_NAME "lazygate"
#define LG_NOTE_TYPE 1
#define LG_NOTE_DESCSZ 12
#define LG_NOTE_SORTED 1 /* flags: table sorted by site address (gatelink sort) */

/* Symbol used for link-time numbering by name (gatelink resolve). */
#define LG_GATE_SYM_PREFIX "__lg_gate_"

/* ---- Emitting stubs from GCC inline asm ------------------------------ */
#define LG_STR_(x) #x
#define LG_STR(x) LG_STR_(x)

/* A site entry for the stub labelled 770 just before.  GATE is an asm
 * expression string: a number, "%c[gate]" or a gate symbol.  "a?" puts the
 * entry in the section group of the code around it (C++ inline functions,
 * COMDAT code): if the linker drops that code, it drops the entry too. */
#define LG_ASM_ENTRY_X(kind, gate, more)                                  \
	".pushsection " LG_SITES_SECTION ",\"a?\",@progbits\n\t"              \
	".balign 4\n\t"                                                       \
	".long 770b - .\n\t"                                                  \
	".long (" gate ") + (" LG_STR(kind) " << " LG_STR(LG_KIND_SHIFT) ")" more "\n\t" \
	".popsection\n\t"
#define LG_ASM_ENTRY(kind, gate) LG_ASM_ENTRY_X(kind, gate, "")

/* MORE is added to the entry's info word: flags (LG_ASM_CCALL). */
#define LG_ASM_K32_X(gate, more)                                          \
	"770:\n\t.byte " LG_STR(LG_K32_B0) "," LG_STR(LG_K32_B1) ","          \
	LG_STR(LG_OP_CALLF) "\n\t.long " gate "\n\t.word "                    \
	LG_STR(LG_SEL_KERNEL) "\n\t" LG_ASM_ENTRY_X(LG_K32, gate, more)
#define LG_ASM_K32(gate) LG_ASM_K32_X(gate, "")
/* A C-call site (FORMAT.md, "C-call sites"): a k32 stub whose entry
 * carries LG_FLAG_CCALL. */
#define LG_ASM_CCALL(gate)                                                \
	LG_ASM_K32_X(gate, " + (" LG_STR(LG_FLAG_CCALL) " << " LG_STR(LG_FLAGS_SHIFT) ")")
#define LG_ASM_K16(gate)                                                  \
	"770:\n\t.byte " LG_STR(LG_K16_B0) "," LG_STR(LG_K16_B1) ","          \
	LG_STR(LG_OP_CALLF) "\n\t.long " gate "\n\t.word "                    \
	LG_STR(LG_SEL_KERNEL) "\n\t" LG_ASM_ENTRY(LG_K16, gate)
#define LG_ASM_A32(gate)                                                  \
	"770:\n\t.byte " LG_STR(LG_A32_B0) "," LG_STR(LG_A_B1)                \
	"\n\t.long " gate "\n\t.word " LG_STR(LG_SEL_APP32) "\n\t"            \
	LG_ASM_ENTRY(LG_A32, gate)
#define LG_ASM_A16(gate)                                                  \
	"770:\n\t.byte " LG_STR(LG_A16_B0) "," LG_STR(LG_A_B1)                \
	"\n\t.long " gate "\n\t.word " LG_STR(LG_SEL_APP16) "\n\t"            \
	LG_ASM_ENTRY(LG_A16, gate)

/* The caller kind of this translation unit: define LAZYGATE_CALLER to one
 * of LG_K32 (the default: flat 32-bit code, Linux userland), LG_K16,
 * LG_A32 or LG_A16 before including a generated header. */
#ifndef LAZYGATE_CALLER
#define LAZYGATE_CALLER LG_K32
#endif
#if LAZYGATE_CALLER == LG_K32
#define LG_ASM_STUB(gate) LG_ASM_K32(gate)
#elif LAZYGATE_CALLER == LG_K16
#define LG_ASM_STUB(gate) LG_ASM_K16(gate)
#elif LAZYGATE_CALLER == LG_A32
#define LG_ASM_STUB(gate) LG_ASM_A32(gate)
#elif LAZYGATE_CALLER == LG_A16
#define LG_ASM_STUB(gate) LG_ASM_A16(gate)
#else
#error "LAZYGATE_CALLER must be LG_K32, LG_K16, LG_A32 or LG_A16"
#endif
#define LG_CALLER_IS_APP (LAZYGATE_CALLER == LG_A32 || LAZYGATE_CALLER == LG_A16)

/* C-call sites: the generated header's functions call the implementation
 * with its own C calling convention from a site bound near to it (no
 * thunk).  The default for k32 callers; define LAZYGATE_CCALL to 0 for
 * k32 code that must be bound far (a 32-bit segment of its own), or to
 * measure the register form.  Other caller kinds always use registers. */
#ifndef LAZYGATE_CCALL
#define LAZYGATE_CCALL (LAZYGATE_CALLER == LG_K32)
#endif
#if LAZYGATE_CCALL && LAZYGATE_CALLER != LG_K32
#error "LAZYGATE_CCALL: C-call sites are for k32 callers only"
#endif

/* The frame of a cdecl C-call site, around LG_ASM_CCALL: keep esp in esi
 * (the implementation preserves it), align the stack to 16 bytes, pad it
 * so that it is still aligned after the pushes, push the arguments from
 * the array operand lg_v, last first; after the call, restore esp. */
#define LG_ASM_CC_SAVE "movl %%esp, %%esi\n\tandl $-16, %%esp\n\t"
#define LG_ASM_CC_PAD(bytes) "subl $" bytes ", %%esp\n\t"
#define LG_ASM_CC_PUSH(off) "pushl " off "(%[lg_v])\n\t"
#define LG_ASM_CC_RESTORE "movl %%esi, %%esp"
/* An input operand of every C-call site that moves esp: asking for the
 * frame address makes the compiler keep a frame pointer in the function
 * the site is inlined into.  Its unwind tables then find the frame by
 * ebp, which the site leaves alone, so backtraces, debuggers and
 * unwinders see through the moved esp (by esp they would not). */
#define LG_CC_FRAME [lg_fp] "r"(__builtin_frame_address(0))

/* Top-level asm, once per object: an empty site table (so the start/stop
 * symbols exist) and the module's discovery note. */
#define LG_ASM_NOTE                                                        \
	".pushsection " LG_SITES_SECTION ",\"a\",@progbits\n\t"                \
	".popsection\n\t"                                                      \
	".hidden __start_" LG_SITES_SECTION "\n\t"                             \
	".hidden __stop_" LG_SITES_SECTION "\n\t"                              \
	".pushsection " LG_NOTE_SECTION ",\"aG\",@note,.lazygate.note,comdat\n\t" \
	".balign 4\n\t"                                                        \
	".long 9, " LG_STR(LG_NOTE_DESCSZ) ", " LG_STR(LG_NOTE_TYPE) "\n\t"    \
	".asciz \"" LG_NOTE_NAME "\"\n\t"                                      \
	".balign 4\n"                                                          \
	"771:\t.long __start_" LG_SITES_SECTION " - 771b\n\t"                  \
	".long __stop_" LG_SITES_SECTION " - 771b\n\t"                         \
	".long 0\n\t"                                                          \
	".popsection\n"

#ifndef __ASSEMBLER__
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* The implementation of a regparm gate (doc/FORMAT.md, section 5) is the
 * gate's near entry, called straight from the bound site: inputs in eax,
 * edx, ecx (GCC's regparm), every register but the result preserved (so no
 * x87 or SSE code in it), and a stack it realigns itself.  Its declaration
 * in the generated header and its definition both carry this. */
#define LG_REGPARM                                                              \
	__attribute__((__regparm__(3), __no_caller_saved_registers__,            \
		       __target__("general-regs-only"), __force_align_arg_pointer__))

/* One site-table entry (doc/FORMAT.md, "The site table"). */
struct lg_site {
	int rel;           /* site address - &rel */
	unsigned int info; /* gate | kind << 24 | flags << 28 */
};

struct lg_note_desc {
	int start, end; /* relative to &start */
	unsigned int flags;
};

static __inline__ unsigned int lg_site_gate(const struct lg_site *e)
{
	return e->info & LG_GATE_MAX;
}

static __inline__ unsigned int lg_site_kind(const struct lg_site *e)
{
	return (e->info >> LG_KIND_SHIFT) & LG_KIND_MASK;
}

static __inline__ unsigned int lg_site_flags(const struct lg_site *e)
{
	return e->info >> LG_FLAGS_SHIFT;
}

/* Is E a C-call site (bound near to the implementation only)? */
static __inline__ int lg_site_ccall(const struct lg_site *e)
{
	return (lg_site_flags(e) & LG_FLAG_CCALL) != 0;
}

/* Are E's kind and flags known (C-call sites are k32 sites)? */
static __inline__ int lg_site_known(const struct lg_site *e)
{
	unsigned int flags = lg_site_flags(e);

	return lg_site_kind(e) < LG_NKINDS &&
	       (!flags || (flags == LG_FLAG_CCALL && lg_site_kind(e) == LG_K32));
}

static __inline__ unsigned long lg_site_addr(const struct lg_site *e)
{
	return (unsigned long)&e->rel + (unsigned long)(long)e->rel;
}

/* The stubs' and the table's words are little-endian: read and write
 * them on any host, at any alignment. */
static __inline__ unsigned int lg_get32(const unsigned char *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (unsigned int)p[3] << 24;
}

static __inline__ void lg_put32(unsigned char *p, unsigned int v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

/* Do the N bytes at A and B agree?  (memcmp is not in every freestanding
 * kernel this header goes into.) */
static __inline__ int lg_bytes_eq(const unsigned char *a, const unsigned char *b, unsigned int n)
{
	while (n && *a == *b)
		n--, a++, b++;
	return !n;
}

/* Is P the initial k32 stub of GATE?  lg_is_initial for the one kind a
 * flat runtime binds, inline because bind-all asks it of every site. */
static __inline__ int lg_k32_initial(const unsigned char *p, unsigned int gate)
{
	return p[0] == LG_K32_B0 && p[1] == LG_K32_B1 && p[2] == LG_OP_CALLF &&
	       lg_get32(p + 3) == gate &&
	       p[7] == LG_SEL_KERNEL && p[8] == 0;
}

static __inline__ unsigned int lg_kind_len(unsigned int kind)
{
	return kind <= LG_K16 ? LG_KLEN : LG_ALEN;
}

#ifdef __cplusplus
}
#endif
#endif /* !__ASSEMBLER__ */
#endif
