/* app16.S - the application's 16-bit part: a16 callers of kapi, written
 * with the macros of the generated gas include (kapi.inc).  It runs at
 * ring 3 in a 16-bit code segment (USEG16, base = this module's .text16);
 * its stubs are 66 9A gg gg gg gg 01 00 and bind to 66 9A 00000000 <call
 * gate>: a 32-bit far call through a call gate out of 16-bit code.
 *
 * app16_round: far-called (lcall, 32-bit operand size) from the
 * application's 32-bit code with %edi = a struct calls (clients.h); makes
 * one round of calls to gates 1-5 (as calls.h does) and returns with lretl.
 * Every register is preserved.  Data is flat (DS = SS = the user data
 * segment), reached with 32-bit addresses (gas adds the 67 prefix). */
	.include "kapi.inc"

	/* struct calls */
	.set	C_VERSION, 0
	.set	C_ADD, 4
	.set	C_MUL, 8
	.set	C_LEN, 12
	.set	C_CF, 16
	.set	C_Q, 20
	.set	C_R, 24
	.set	C_CF0, 28
	.set	C_DONE, 32

	.section .text16, "ax"
	.code16
	.set	LG_CALLER, LG_A16	/* 16-bit application code */
	.globl	app16_round
app16_round:
	pushal
	kapi_version			/* -> eax */
	movl	%eax, C_VERSION(%edi)
	movl	$40, %eax
	movl	$2, %ebx
	kapi_add			/* eax, ebx -> eax */
	movl	%eax, C_ADD(%edi)
	movl	$6, %eax
	movl	$7, %ebx
	kapi_mul			/* eax, ebx -> eax */
	movl	%eax, C_MUL(%edi)
	movl	$app16_msg, %esi
	kapi_strlen			/* esi -> ecx */
	movl	%ecx, C_LEN(%edi)
	movl	$47, %eax
	movl	$5, %ecx
	kapi_divmod			/* eax, ecx -> eax, edx, CF */
	setc	%bl
	movzbl	%bl, %ebx
	movl	%ebx, C_CF(%edi)
	movl	%eax, C_Q(%edi)
	movl	%edx, C_R(%edi)
	movl	$1, %eax
	xorl	%ecx, %ecx
	kapi_divmod			/* by 0: CF */
	setc	%bl
	movzbl	%bl, %ebx
	movl	%ebx, C_CF0(%edi)
	movl	$1, C_DONE(%edi)
	popal
	lretl

	.section .rodata
app16_msg:
	.asciz	"lazygate"
	.section .note.GNU-stack, "", @progbits
