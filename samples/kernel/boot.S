/* boot.S - multiboot entry, trap stubs, AP trampoline, ring-3 entry/exit
 * of the lazygate sample kernel. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003
#define KCS 0x08
#define KDS 0x10
#define UCS 0x1b
#define UDS 0x23
#define STACK_SIZE 16384

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.text
	.globl _start
_start:
	cli
	movl $bsp_stack + STACK_SIZE, %esp
	pushl %ebx
	pushl %eax
	call kmain
1:	cli
	hlt
	jmp 1b

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

/* ---- trap stubs: build a struct lgk_frame and call trap(frame) ------- */
.macro ISR n, err=0
isr_\n:
	.if \err == 0
	pushl $0
	.endif
	pushl $\n
	jmp isr_common
.endm

	ISR 0
	ISR 1
	ISR 2
	ISR 3
	ISR 4
	ISR 5
	ISR 6
	ISR 7
	ISR 8, 1
	ISR 9
	ISR 10, 1
	ISR 11, 1
	ISR 12, 1
	ISR 13, 1
	ISR 14, 1
	ISR 16
	ISR 17, 1
	ISR 18
	ISR 19
	ISR 48
	ISR 102
	ISR 103
	ISR 154
	ISR 240
	ISR 255

isr_common:
	pushal
	pushl %ds
	pushl %es
	pushl %fs
	pushl %gs
	movw $KDS, %ax
	movw %ax, %ds
	movw %ax, %es
	cld
	pushl %esp
	call trap
	addl $4, %esp
	popl %gs
	popl %fs
	popl %es
	popl %ds
	popal
	addl $8, %esp
	iret

	.section .rodata
	.globl isr_table
isr_table:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,16,17,18,19,48,102,103,154,240,255
	.long \n, isr_\n
	.endr
	.long -1, 0
	.text

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

/* ---- AP trampoline, copied to 0x8000 --------------------------------- */
	.section .rodata
	.code16
	.globl ap_tramp, ap_tramp_end, ap_gdtr
ap_tramp:
	cli
	xorw %ax, %ax
	movw %ax, %ds
	lgdtl 0x8000 + (ap_gdtr - ap_tramp)
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $KCS, $ap_pm32
	.balign 4
ap_gdtr:
	.word 0
	.long 0
ap_tramp_end:
	.code32

	.text
ap_pm32:
	movw $KDS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %fs
	movw %ax, %gs
	movw %ax, %ss
	movl $1, %eax
	lock xaddl %eax, ap_next
	movl %eax, %ecx
	incl %ecx
	imull $STACK_SIZE, %ecx
	leal ap_stacks(%ecx), %esp
	pushl %eax
	call ap_main
1:	cli
	hlt
	jmp 1b

	.data
	.globl ap_next
ap_next:	.long 0
user_kesp:	.long 0

	.bss
	.balign 16
bsp_stack:	.space STACK_SIZE
	.globl ap_stacks
ap_stacks:	.space STACK_SIZE * 8
	.section .note.GNU-stack, "", @progbits
