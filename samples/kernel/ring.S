/* ring.S - the sample kernel's ring-3 entry and exit (run_user,
 * user_return) and the GDT's loading (load_gdt): called from C, calling
 * none. */
#define KCS 0x08
#define KDS 0x10
#define UCS 0x1b
#define UDS 0x23

	.text
/* Load the GDT (pointer in 4(%esp)) and reload every segment register. */
	.globl load_gdt
load_gdt:
	movl 4(%esp), %eax
	lgdt (%eax)
	ljmp $KCS, $1f
1:	movw $KDS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	ret

/* ---- ring 3 ----------------------------------------------------------
 * int run_user(void (*entry)(void), void *user_stack_top): enter ring 3 at
 * entry; returns the value passed to user_return() (called from trap() on
 * int 0x30 or on a fault of the application). */
	.globl run_user, user_return
run_user:
	pushl %ebp
	pushl %ebx
	pushl %esi
	pushl %edi
	pushfl
	movl %esp, user_kesp
	movl 24(%esp), %ecx
	movl 28(%esp), %edx
	pushl $UDS
	pushl %edx
	pushl $0x202
	pushl $UCS
	pushl %ecx
	movw $UDS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	iret
user_return:
	movl 4(%esp), %eax
	movl user_kesp, %esp
	popfl
	popl %edi
	popl %esi
	popl %ebx
	popl %ebp
	ret

	.data
user_kesp:	.long 0
	.section .note.GNU-stack, "", @progbits
