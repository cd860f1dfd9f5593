/* entry16.S - entry of the mixed driver's 16-bit part, far-called from
 * 32-bit code with a 32-bit operand size (lcall): calls drv16_main (gcc
 * -m16 code) and returns with a 32-bit far return. */
	.section .text16, "ax"
	.code16
	.globl seg16_entry
seg16_entry:
	calll drv16_main
	lretl
	.section .note.GNU-stack, "", @progbits
