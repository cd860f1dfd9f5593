/* Messages from signal context: no stdio, one write(2) per line. */
#include <unistd.h>
#include "user.h"

void lg_put(struct lg_buf *b, const char *s)
{
	while (*s && b->n < sizeof b->s - 1)
		b->s[b->n++] = *s++;
}

void lg_put_hex(struct lg_buf *b, unsigned long v, int digits)
{
	char t[2 * sizeof v + 1];
	int i = (int)sizeof t - 1;

	t[i] = 0;
	do {
		t[--i] = "0123456789abcdef"[v & 15];
		v >>= 4;
		digits--;
	} while ((v || digits > 0) && i > 0);
	lg_put(b, t + i);
}

void lg_put_dec(struct lg_buf *b, unsigned long v)
{
	char t[3 * sizeof v + 1];
	int i = (int)sizeof t - 1;

	t[i] = 0;
	do
		t[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	lg_put(b, t + i);
}

/* "gate N (api.name)", for the trace and the last words. */
void lg_put_gate(struct lg_buf *b, unsigned int gate, const char *api, const char *name)
{
	lg_put(b, "gate ");
	lg_put_dec(b, gate);
	lg_put(b, " (");
	if (api) {
		lg_put(b, api);
		lg_put(b, ".");
	}
	lg_put(b, name ? name : "unknown name");
	lg_put(b, ")");
}

void lg_flush(struct lg_buf *b)
{
	ssize_t r;

	lg_put(b, "\n");
	if (b->s[b->n - 1] != '\n')
		b->s[b->n - 1] = '\n';
	r = write(2, b->s, b->n);
	(void)r;
	b->n = 0;
}
