/* Sites written in gas, 32-bit and .code16 parts, bytes from the cpp
 * constants of <lazygate/stub.h> (what LG_ASM_K32 and friends emit). */
#include <lazygate/stub.h>

#include "stubs.inc"

	note

	.text
	.code32
	.globl	entry32
entry32:
	movl	$1, %eax
	k32	1
	a32	2
	ret

	.code16
	.globl	entry16
entry16:
	movw	$1, %ax
	k16	4
	a16	1
	k16	3
	retw

	.section .text.boot, "ax", @progbits
	.code16
boot:	cli
	a16	2
	.code32
	k32	0x123456
	hlt
	.section .note.GNU-stack, "", @progbits
