/* boot.S - multiboot entry of the lazygate sample kernel: the BSP's
 * stack, then kmain (kernel.c).  Nothing names anything here. */
#define MB_MAGIC 0x1BADB002
#define MB_FLAGS 0x00000003
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

	.bss
	.balign 16
bsp_stack:	.space STACK_SIZE
	.section .note.GNU-stack, "", @progbits
