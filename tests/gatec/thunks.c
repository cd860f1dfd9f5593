/* thunks.c: gatec's provider, run without the runtime.  Calls the near and
 * the far entry thunk of every implemented gate of demo.gates with chosen
 * registers and checks the outputs, CF of the carry gates, and that every
 * other register is preserved (other flags are undefined).  Prints TAP
 * lines; exit status 0 if all passed. */
#include <stdio.h>
#include <string.h>
#include <lazygate/provider.h>
#include "demo.h"

struct cregs {
	unsigned int eax, ebx, ecx, edx, esi, edi, eflags;
};
void call_regs(void (*entry)(void), struct cregs *r, int far);
extern unsigned int last_hz;
extern const char *names[];
extern int syncs;

static int n, failed;

static void ok(int cond, const char *what, int far)
{
	printf("%sok %d - %s (%s)\n", cond ? "" : "not ", ++n, what, far ? "far" : "near");
	failed += !cond;
}

static const struct lg_gate *find(unsigned int number)
{
	unsigned int i;

	for (i = 0; i < demo_api.count; i++)
		if (demo_api.gates[i].number == number)
			return &demo_api.gates[i];
	return 0;
}

/* Registers set to distinct values, CF as given. */
static struct cregs fresh(int cf)
{
	struct cregs r = { 0xa1a1a1a1, 0xb2b2b2b2, 0xc3c3c3c3, 0xd4d4d4d4, 0x15151515, 0x26262626,
			   0x202 | (cf ? LG_EFLAGS_CF : 0) };
	return r;
}

static struct cregs call(unsigned int gate, struct cregs r, int far)
{
	const struct lg_gate *g = find(gate);

	call_regs(far ? g->far_entry : g->near_entry, &r, far);
	return r;
}

/* Registers other than those in MASK (bit 0 eax ... bit 5 edi) unchanged? */
static int same_except(const struct cregs *a, const struct cregs *b, unsigned int mask)
{
	const unsigned int *x = &a->eax, *y = &b->eax;
	int i;

	for (i = 0; i < 6; i++)
		if (!(mask & 1u << i) && x[i] != y[i])
			return 0;
	return 1;
}

#define CF(r) (((r).eflags & LG_EFLAGS_CF) != 0)
enum { EAX = 1, EBX = 2, ECX = 4, EDX = 8, ESI = 16, EDI = 32 };

static void gates(int far)
{
	static char buf[16] = "abc";
	struct node *nd = (struct node *)(void *)buf;
	struct cregs in, out;

	in = fresh(1);
	out = call(1, in, far);
	ok(out.eax == 0x01020304 && same_except(&in, &out, EAX), "version: eax out, the rest kept",
	   far);

	in = fresh(0);
	in.eax = 40;
	in.ebx = 2;
	out = call(2, in, far);
	ok(out.eax == 42 && same_except(&in, &out, EAX), "add: eax in and out", far);

	in = fresh(1);
	in.ebx = (unsigned int)(uintptr_t)buf;
	in.ecx = 2;
	out = call(3, in, far);
	ok(out.eax == 32 && !CF(out) && same_except(&in, &out, EAX), "open: pointer in, CF clear",
	   far);
	in.ebx = 0;
	out = call(3, in, far);
	ok(CF(out) && same_except(&in, &out, EAX), "open: CF set on failure", far);

	in = fresh(1);
	in.ebx = 5;
	out = call(4, in, far);
	ok(!CF(out) && same_except(&in, &out, 0), "close: no output, CF clear", far);
	in = fresh(0);
	in.ebx = (unsigned int)-1;
	out = call(4, in, far);
	ok(CF(out) && same_except(&in, &out, 0), "close: CF set", far);

	in = fresh(1);
	in.eax = 0x1000;
	out = call(5, in, far);
	ok(out.edx == 0x2000 && !CF(out) && same_except(&in, &out, EDX),
	   "map_page: pointer output in edx", far);

	in = fresh(1);
	in.ecx = 440;
	last_hz = 0;
	out = call(6, in, far);
	ok(last_hz == 440 && same_except(&in, &out, 0), "beep: void, every register kept", far);

	in = fresh(0);
	in.ebx = 0x0f0f;
	in.ecx = 0x0f0f;
	out = call(7, in, far);
	ok(out.eax == 0 && CF(out) && same_except(&in, &out, EAX), "raw_thing: struct lg_regs",
	   far);

	in = fresh(0);
	in.eax = 4;
	in.edx = 2;
	in.ecx = (unsigned int)(uintptr_t)"abc";
	out = call(20, in, far);
	ok(out.eax == 423 && same_except(&in, &out, EAX), "mix: regparm, eax out, the rest kept",
	   far);

	in = fresh(1);
	in.edx = 1;
	in.eax = 2;
	out = call(21, in, far);
	ok(out.eax == 12 && same_except(&in, &out, EAX), "swap: regparm, inputs swapped", far);

	in = fresh(0);
	in.ecx = 1;
	in.ebx = 2;
	in.eax = 3;
	out = call(22, in, far);
	ok(out.esi == 123 && same_except(&in, &out, ESI),
	   "rot: regparm, inputs rotated, result in esi, eax kept", far);

	in = fresh(0);
	in.ebx = 7;
	out = call(23, in, far);
	ok(out.eax == (unsigned int)-7 && same_except(&in, &out, EAX), "neg: regparm, a move and a jump",
	   far);

	in = fresh(1);
	in.eax = 17;
	in.ecx = 5;
	out = call(8, in, far);
	ok(out.eax == 3 && out.edx == 2 && same_except(&in, &out, EAX | EDX),
	   "divmod: two outputs", far);

	in = fresh(1);
	in.eax = 1;
	in.ebx = 2;
	in.ecx = 3;
	in.edx = 4;
	in.esi = in.edi = (unsigned int)(uintptr_t)buf;
	out = call(9, in, far);
	ok(out.eax == 10 && out.ebx == 1 && out.ecx == 0xfffffffe && out.edx == 0xfe &&
	   out.esi == (unsigned int)(uintptr_t)buf &&
	   out.edi == (unsigned int)(uintptr_t)names && !CF(out),
	   "every: six registers in and out", far);

	in = fresh(0);
	in.eax = 0xffffff10;
	in.ebx = 0xabcd0005;
	in.ecx = 0x100;
	out = call(16, in, far);
	ok(out.eax == 21 && same_except(&in, &out, EAX), "narrow: only the low bits count", far);
	in.ecx = 0x101;
	out = call(16, in, far);
	ok(out.eax == 22, "narrow: bool is the low byte", far);

	in = fresh(0);
	in.esi = (unsigned int)(uintptr_t)buf;
	out = call(17, in, far);
	ok(out.esi == (unsigned int)(uintptr_t)buf + 1 && same_except(&in, &out, ESI),
	   "address: esi in and out", far);

	in = fresh(0);
	in.edi = (unsigned int)(uintptr_t)nd;
	in.ecx = 3;
	out = call(18, in, far);
	ok(out.eax == (unsigned int)(uintptr_t)nd + 3 && same_except(&in, &out, EAX),
	   "app_info: struct pointers", far);

	in = fresh(1);
	syncs = 0;
	out = call(19, in, far);
	ok(syncs == 1 && same_except(&in, &out, 0), "sync: nothing in or out", far);
}

int main(void)
{
	unsigned int i, sorted = 1;

	ok(demo_api.version == LG_FORMAT_VERSION && !strcmp(demo_api.name, "demo") &&
		   demo_api.count == 18,
	   "demo_api: version, name, 18 gates", 0);
	for (i = 1; i < demo_api.count; i++)
		sorted &= demo_api.gates[i - 1].number < demo_api.gates[i].number;
	ok(sorted, "table sorted by number, one entry per number", 0);
	ok(find(5)->flags == LG_GATE_KERNEL && find(6)->flags == LG_GATE_APP &&
	   find(3)->flags == (LG_GATE_KERNEL | LG_GATE_APP) && !strcmp(find(3)->name, "open"),
	   "access flags and names", 0);
	ok(find(0xffffff) && !find(0xffffff)->impl && find(0xffffff)->far_entry && find(1)->impl,
	   "kraw is not implemented: impl is null (weak), thunks exist", 0);
	gates(0);
	gates(1);
	printf("1..%d\n", n);
	return failed != 0;
}
