/* isr.S - the sample kernel's ways in from the CPU: the trap stubs
 * (isr_table, for kernel.c's IDT), which call trap (trap.c), and the AP
 * trampoline (ap_tramp, copied by kernel.c), which calls ap_main (cpu.c). */
#define KCS 0x08
#define KDS 0x10
#define STACK_SIZE 16384

	.text
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

	.bss
	.balign 16
	.globl ap_stacks
ap_stacks:	.space STACK_SIZE * 8
	.section .note.GNU-stack, "", @progbits
