/* Sites in a PE/COFF i386 object, assembled by a COFF assembler
 * (i686-w64-mingw32-as) after cpp: list's golden coff.list. */
#include <lazygate/stub.h>

	.macro	entry kind, gate
	.section lazygate_sites, "dr"
	.balign	4
	.long	770b - .
	.long	(\gate) + (\kind << LG_KIND_SHIFT)
	.text
	.endm

	.text
	.globl	_f
_f:	movl	4(%esp), %eax
770:	.byte	LG_K32_B0, LG_K32_B1, LG_OP_CALLF
	.long	1
	.word	LG_SEL_KERNEL
	entry	LG_K32, 1
	nop
770:	.byte	LG_A32_B0, LG_A_B1
	.long	2
	.word	LG_SEL_APP32
	entry	LG_A32, 2
	/* by name: the leading underscore of COFF C names */
770:	.byte	LG_K32_B0, LG_K32_B1, LG_OP_CALLF
	.long	___lg_gate_gl_twice
	.word	LG_SEL_KERNEL
	entry	LG_K32, ___lg_gate_gl_twice
	ret
