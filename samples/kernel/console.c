/* console.c - the sample kernel's UART, kprintf and the PASS/FAIL lines
 * of its checks (check, kexit): what every other file prints with, so it
 * calls none of them. */
#include <stdarg.h>
#include "lgk.h"
#include "kernel.h"

#define COM1 0x3f8

void uart_init(void)
{
	outb(COM1 + 1, 0);    /* no interrupts */
	outb(COM1 + 3, 0x80); /* DLAB */
	outb(COM1 + 0, 1);    /* 115200 */
	outb(COM1 + 1, 0);
	outb(COM1 + 3, 3); /* 8N1 */
	outb(COM1 + 2, 0xc7);
}

static void uart_putc(char c)
{
	if (c == '\n')
		uart_putc('\r');
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (unsigned char)c);
}

static volatile unsigned int print_lock;

static unsigned int lock_irq(volatile unsigned int *l)
{
	unsigned int fl;

	__asm__ volatile("pushfl; popl %0; cli" : "=r"(fl) : : "memory");
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE))
		while (*l) {
			lgk_poll(); /* never hold up another CPU's IPI round */
			__asm__ volatile("pause");
		}
	return fl;
}

static void unlock_irq(volatile unsigned int *l, unsigned int fl)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
	__asm__ volatile("pushl %0; popfl" : : "r"(fl) : "memory", "cc");
}

static void put_num(unsigned long v, unsigned int base, int width, char pad)
{
	char b[16];
	int n = 0;

	do {
		b[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (width-- > n)
		uart_putc(pad);
	while (n--)
		uart_putc(b[n]);
}

static void vprint(const char *f, va_list ap)
{
	for (; *f; f++) {
		int w = 0;
		char pad = ' ';

		if (*f != '%') {
			uart_putc(*f);
			continue;
		}
		if (*++f == '0')
			pad = '0';
		while (*f >= '0' && *f <= '9')
			w = w * 10 + *f++ - '0';
		switch (*f) {
		case 'd': {
			int v = va_arg(ap, int);

			if (v < 0) {
				uart_putc('-');
				v = -v;
			}
			put_num((unsigned long)v, 10, w, pad);
			break;
		}
		case 'u':
			put_num(va_arg(ap, unsigned int), 10, w, pad);
			break;
		case 'x':
			put_num(va_arg(ap, unsigned int), 16, w, pad);
			break;
		case 'p':
			uart_putc('0');
			uart_putc('x');
			put_num(va_arg(ap, unsigned long), 16, 8, '0');
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);

			for (s = s ? s : "(null)"; *s; s++)
				uart_putc(*s);
			break;
		}
		case 'c':
			uart_putc((char)va_arg(ap, int));
			break;
		default:
			uart_putc(*f);
		}
	}
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	unsigned int fl = lock_irq(&print_lock);

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
	unlock_irq(&print_lock, fl);
}

static unsigned int npass, nfail;

void check(int ok, const char *name, const char *fmt, ...)
{
	va_list ap;
	unsigned int fl = lock_irq(&print_lock);

	va_start(ap, fmt);
	vprint(ok ? "PASS " : "FAIL ", ap);
	vprint(name, ap);
	if (fmt && *fmt) {
		vprint(": ", ap);
		vprint(fmt, ap);
	}
	vprint("\n", ap);
	va_end(ap);
	if (ok)
		npass++;
	else
		nfail++;
	unlock_irq(&print_lock, fl);
}

void kexit(int fail)
{
	kprintf("RESULT %u passed, %u failed\n", npass, nfail);
	outb(0xf4, fail || nfail ? 1 : 0); /* isa-debug-exit: qemu exits 3 or 1 */
	for (;;)
		__asm__ volatile("cli; hlt");
}

void *kmemset(void *d, int c, size_t n)
{
	unsigned char *p = d;

	while (n--)
		*p++ = (unsigned char)c;
	return d;
}
