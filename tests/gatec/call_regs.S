/* call_regs.S: call an entry thunk with chosen registers and flags and
 * collect what it returns (gatec's thunks test).
 *
 *   void call_regs(void (*entry)(void), struct cregs *r, int far);
 *   struct cregs { eax, ebx, ecx, edx, esi, edi, eflags }
 *
 * FAR: push %cs first, as a far call would, for thunks ending in lret. */
	.text
	.globl	call_regs
	.type	call_regs, @function
call_regs:
	pushl	%ebp
	pushl	%ebx
	pushl	%esi
	pushl	%edi
	movl	24(%esp), %ebp		/* r */
	pushl	20(%esp)		/* entry, now at (%esp) */
	cmpl	$0, 32(%esp)		/* far? (movl keeps the flags) */
	movl	0(%ebp), %eax
	movl	4(%ebp), %ebx
	movl	8(%ebp), %ecx
	movl	12(%ebp), %edx
	movl	16(%ebp), %esi
	movl	20(%ebp), %edi
	jne	1f
	pushl	24(%ebp)
	popfl
	call	*(%esp)
	jmp	2f
1:	pushl	24(%ebp)
	popfl
	pushl	%cs
	call	*4(%esp)
2:	leal	4(%esp), %esp		/* drop entry, keep the flags */
	pushfl
	popl	24(%ebp)
	movl	%eax, 0(%ebp)
	movl	%ebx, 4(%ebp)
	movl	%ecx, 8(%ebp)
	movl	%edx, 12(%ebp)
	movl	%esi, 16(%ebp)
	movl	%edi, 20(%ebp)
	popl	%edi
	popl	%esi
	popl	%ebx
	popl	%ebp
	ret
	.size	call_regs, . - call_regs
	.section .note.GNU-stack,"",@progbits
