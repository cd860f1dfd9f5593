/* emit_provider.c - the provider C file: for every gate its two entry
 * thunks and its entry in the API's table.
 *
 * Most gates get direct thunks, written here in assembly for the gate's
 * signature: save the caller-saved registers the gate must preserve, put
 * the input registers where a cdecl call wants them, call the C
 * implementation, move its results into the output registers.  That is a
 * dozen instructions, about what a call through a PLT costs.  Raw gates,
 * and gates with a narrow parameter (char, short, bool: the C conversions
 * belong to C), get the generic thunks of lazygate/provider.h (LG_THUNKS)
 * around a C adapter that works on a struct lg_regs.
 *
 * Implementations are weak (a provider may implement a subset) and hidden
 * (the thunks call them directly, also in PIC code, so they must be linked
 * into the same module as this file).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gates.h"

static const char *const access_flags[] = {
	[ACC_BOTH] = "LG_GATE_KERNEL | LG_GATE_APP",
	[ACC_KERNEL] = "LG_GATE_KERNEL",
	[ACC_APP] = "LG_GATE_APP",
};

static void reg_to_value(FILE *f, const struct param *p)
{
	putc('(', f);
	ctype_print_cast(f, &p->type);
	fprintf(f, ")%slg_r->%s", p->type.stars ? "(uintptr_t)" : p->type.is_bool ? "(unsigned char)" : "",
		reg_name[p->reg]);
}

static void value_to_reg(FILE *f, const struct param *p)
{
	fprintf(f, "\tlg_r->%s = (unsigned int)%s%s;\n", reg_name[p->reg],
		p->type.stars ? "(uintptr_t)" : "", p->name);
}

static void adapter(FILE *f, const struct api *a, const struct gate *g)
{
	int by_pointer = outputs_by_pointer(g), i, n = 0;

	fprintf(f, "__attribute__((__used__)) static void lg_adapt_%s_%s(struct lg_regs *lg_r)\n{\n",
		a->name, g->name);
	if (g->raw) {
		fprintf(f, "\t%s_impl_%s(lg_r);\n}\n", a->name, g->name);
		return;
	}
	if (!g->nin && !g->nout && !g->carry)
		fputs("\t(void)lg_r;\n", f);
	if (by_pointer)
		for (i = 0; i < g->nout; i++) {
			putc('\t', f);
			ctype_print_decl(f, &g->out[i].type, 0, g->out[i].name, 0);
			fputs(" = 0;\n", f);
		}
	putc('\t', f);
	if (g->carry)
		fputs("int lg_cf = ", f);
	else if (g->nout == 1) {
		ctype_print_decl(f, &g->out[0].type, 0, g->out[0].name, 0);
		fputs(" = ", f);
	}
	fprintf(f, "%s_impl_%s(", a->name, g->name);
	for (i = 0; i < g->nin; i++, n++) {
		if (n)
			fputs(", ", f);
		reg_to_value(f, &g->in[i]);
	}
	if (by_pointer)
		for (i = 0; i < g->nout; i++, n++)
			fprintf(f, "%s&%s", n ? ", " : "", g->out[i].name);
	fputs(");\n", f);
	for (i = 0; i < g->nout; i++)
		value_to_reg(f, &g->out[i]);
	if (g->carry)
		fputs("\tlg_set_cf(lg_r, lg_cf);\n", f);
	fputs("}\n", f);
}

/* ---- direct thunks --------------------------------------------------- */

static int direct(const struct gate *g)
{
	int i;

	if (g->raw)
		return 0;
	for (i = 0; i < g->nin; i++)
		if (g->in[i].type.narrow)
			return 0;
	for (i = 0; i < g->nout; i++)
		if (g->out[i].type.narrow)
			return 0;
	return 1;
}

static int is_output(const struct gate *g, int reg)
{
	int i;

	for (i = 0; i < g->nout; i++)
		if (g->out[i].reg == reg)
			return 1;
	return 0;
}

/* FMT between OPEN and CLOSE: one line of the generated asm string. */
static void vline(FILE *f, const char *open, const char *close, const char *fmt, va_list ap)
{
	fputs(open, f);
	vfprintf(f, fmt, ap);
	fputs(close, f);
}

/* One instruction as a line of the asm string. */
static void ins(FILE *f, const char *fmt, ...) __attribute__((__format__(__printf__, 2, 3)));
static void ins(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(f, "\t\"\\t", "\\n\"\n", fmt, ap);
	va_end(ap);
}

/* One call-frame directive (.cfi_ and FMT), kept by LG_CFI when the
 * compiler emits its own, so that unwinders walk through the thunk. */
static void cfi(FILE *f, const char *fmt, ...) __attribute__((__format__(__printf__, 2, 3)));
static void cfi(FILE *f, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline(f, "\tLG_CFI(\"\\t.cfi_", "\\n\")\n", fmt, ap);
	va_end(ap);
}

static void push(FILE *f, const char *reg)
{
	ins(f, "pushl %%%s", reg);
	cfi(f, "adjust_cfa_offset 4");
	cfi(f, "rel_offset %%%s, 0", reg);
}

static void pop(FILE *f, const char *reg)
{
	ins(f, "popl %%%s", reg);
	cfi(f, "adjust_cfa_offset -4");
	cfi(f, "restore %%%s", reg);
}

/* The body of a direct thunk, up to its ret or lret.  Frame: the saved
 * caller-saved registers, the caller's ebp, then one zeroed slot per
 * output when outputs go by pointer (at -4(%ebp), -8(%ebp)...), then the
 * arguments at a 16-byte aligned esp, as GCC expects at a call.  The
 * slots are read back with movl, which keeps the CF that negl made. */
static void direct_body(FILE *f, const char *an, const struct gate *g)
{
	static const int scratch[] = { REG_EAX, REG_ECX, REG_EDX };
	int nptr = outputs_by_pointer(g) ? g->nout : 0, nargs = g->nin + nptr;
	int saved[3], ns = 0, i;

	for (i = 0; i < 3; i++)
		if (!is_output(g, scratch[i])) {
			push(f, reg_name[scratch[i]]);
			saved[ns++] = scratch[i];
		}
	push(f, "ebp");
	ins(f, "movl %%esp, %%ebp");
	cfi(f, "def_cfa_register %%ebp");
	if (nptr)
		ins(f, "subl $%d, %%esp", 4 * nptr);
	for (i = 0; i < nptr; i++)
		ins(f, "movl $0, %d(%%ebp)", -4 * (i + 1));
	ins(f, "andl $-16, %%esp");
	if (nargs)
		ins(f, "subl $%d, %%esp", (4 * nargs + 15) & ~15);
	for (i = 0; i < g->nin; i++)
		ins(f, "movl %%%s, %d(%%esp)", reg_name[g->in[i].reg], 4 * i);
	for (i = 0; i < nptr; i++) { /* the inputs are stored: eax is free */
		ins(f, "leal %d(%%ebp), %%eax", -4 * (i + 1));
		ins(f, "movl %%eax, %d(%%esp)", 4 * (g->nin + i));
	}
	ins(f, "call %s_impl_%s", an, g->name);
	if (g->carry)
		ins(f, "negl %%eax"); /* CF = (result != 0) */
	else if (g->nout == 1 && g->out[0].reg != REG_EAX)
		ins(f, "movl %%eax, %%%s", reg_name[g->out[0].reg]);
	for (i = 0; i < nptr; i++)
		ins(f, "movl %d(%%ebp), %%%s", -4 * (i + 1), reg_name[g->out[i].reg]);
	ins(f, "leave");
	cfi(f, "def_cfa %%esp, %d", 4 + 4 * ns);
	cfi(f, "restore %%ebp");
	while (ns--)
		pop(f, reg_name[saved[ns]]);
}

/* The thunk's label, and the start of its call-frame information: a far
 * entry's return address is below the caller's CS (LG_CFI_FAR). */
static void thunk_label(FILE *f, const char *an, const struct gate *g, const char *suffix)
{
	fprintf(f, "\t\"\\t.p2align 4\\n\\t.globl lg_thunk_%s_%s_%s\\n\"\n", an, g->name, suffix);
	fprintf(f, "\t\"\\t.hidden lg_thunk_%s_%s_%s\\n\"\n", an, g->name, suffix);
	fprintf(f, "\t\"\\t.type lg_thunk_%s_%s_%s, @function\\n\"\n", an, g->name, suffix);
	fprintf(f, "\t\"lg_thunk_%s_%s_%s:\\n\"\n", an, g->name, suffix);
	cfi(f, "startproc");
	if (!strcmp(suffix, "far"))
		fputs("\tLG_CFI(\"\\t\" LG_CFI_FAR)\n", f);
}

static void thunk_size(FILE *f, const char *an, const struct gate *g, const char *suffix)
{
	cfi(f, "endproc");
	fprintf(f, "\t\"\\t.size lg_thunk_%s_%s_%s, . - lg_thunk_%s_%s_%s\\n\"\n", an, g->name,
		suffix, an, g->name, suffix);
}

/* NAME_near, and NAME_far calling it: hidden globals like LG_THUNKS
 * makes.  A far call costs a hundred cycles more than a near one anyway;
 * the far entry's extra call is noise beside it. */
static void direct_thunks(FILE *f, const char *an, const struct gate *g)
{
	fputs("__asm__(\".pushsection .text\\n\"\n", f);
	thunk_label(f, an, g, "near");
	direct_body(f, an, g);
	ins(f, "ret");
	thunk_size(f, an, g, "near");
	thunk_label(f, an, g, "far");
	ins(f, "call lg_thunk_%s_%s_near", an, g->name);
	ins(f, "lret");
	thunk_size(f, an, g, "far");
	fputs("\t\"\\t.popsection\\n\");\n", f);
}

/* ---- regparm gates ---------------------------------------------------- */

/* Where regparm wants input I. */
static const int regparm_reg[] = { REG_EAX, REG_EDX, REG_ECX };

/* Whether the inputs are already where regparm wants them and the result
 * too: then the near entry is the implementation itself. */
static int regparm_direct(const struct gate *g)
{
	int i;

	for (i = 0; i < g->nin; i++)
		if (g->in[i].reg != regparm_reg[i])
			return 0;
	return !g->nout || g->out[0].reg == REG_EAX;
}

/* The index of a pending move whose target holds no pending source, or -1. */
static int free_move(const int *src, const int *dst, int n)
{
	int i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < n && src[j] != dst[i]; j++)
			;
		if (j == n)
			return i;
	}
	return -1;
}

/* The moves that put every input where regparm wants it, as parallel
 * moves: a move waits while its target still holds another pending
 * move's source; when only cycles are left, xchgl breaks one. */
static void shuffle(FILE *f, const struct gate *g)
{
	int src[3], dst[3], n = 0, i, k;

	for (i = 0; i < g->nin; i++) {
		src[n] = g->in[i].reg;
		dst[n] = regparm_reg[i];
		n += src[n] != dst[n];
	}
	while (n) {
		if ((i = free_move(src, dst, n)) >= 0)
			ins(f, "movl %%%s, %%%s", reg_name[src[i]], reg_name[dst[i]]);
		else {
			i = 0;
			ins(f, "xchgl %%%s, %%%s", reg_name[src[i]], reg_name[dst[i]]);
			for (k = 1; k < n; k++) /* dst's old value is in src now */
				if (src[k] == dst[i])
					src[k] = src[i];
		}
		src[i] = dst[i]; /* done; drop it and any move that is now a no-op */
		for (k = 0; k < n;)
			if (src[k] == dst[k]) {
				src[k] = src[n - 1];
				dst[k] = dst[--n];
			} else
				k++;
	}
}

/* Whether the near entry must save REG around the implementation: one of
 * regparm's registers that a move overwrites, or eax that the result
 * overwrites, unless the gate returns its result there. */
static int regparm_saves(const struct gate *g, int reg)
{
	int i;

	if (is_output(g, reg))
		return 0;
	for (i = 0; i < g->nin; i++)
		if (regparm_reg[i] == reg && g->in[i].reg != reg)
			return 1;
	return reg == REG_EAX && g->nout;
}

/* A regparm gate's near entry: the implementation (no code here), or
 * moves in front of it when its registers are others: then a jump to it
 * when nothing is left to do after, else a call, the result's move and the
 * restores.  The far entry calls the near one. */
static void regparm_thunks(FILE *f, const char *an, const struct gate *g)
{
	int i, ns = 0, res = g->nout && g->out[0].reg != REG_EAX;

	fputs("__asm__(\".pushsection .text\\n\"\n", f);
	if (!regparm_direct(g)) {
		thunk_label(f, an, g, "near");
		for (i = 0; i < 3; i++)
			if (regparm_saves(g, regparm_reg[i])) {
				push(f, reg_name[regparm_reg[i]]);
				ns++;
			}
		shuffle(f, g);
		ins(f, "%s %s_impl_%s", ns || res ? "call" : "jmp", an, g->name);
		if (res)
			ins(f, "movl %%eax, %%%s", reg_name[g->out[0].reg]);
		for (i = 3; i--;)
			if (regparm_saves(g, regparm_reg[i]))
				pop(f, reg_name[regparm_reg[i]]);
		if (ns || res)
			ins(f, "ret");
		thunk_size(f, an, g, "near");
	}
	thunk_label(f, an, g, "far");
	if (regparm_direct(g))
		ins(f, "call %s_impl_%s", an, g->name);
	else
		ins(f, "call lg_thunk_%s_%s_near", an, g->name);
	ins(f, "lret");
	thunk_size(f, an, g, "far");
	fputs("\t\"\\t.popsection\\n\");\n", f);
}

static int by_number(const void *x, const void *y)
{
	const struct gate *a = *(const struct gate *const *)x, *b = *(const struct gate *const *)y;
	return a->number < b->number ? -1 : a->number > b->number;
}

void emit_provider(FILE *f, const struct api *a, const struct emit_info *ei)
{
	const struct gate **sorted = xmalloc((size_t)a->nprimary * sizeof *sorted);
	const char *an = a->name;
	int i, n = 0;

	fprintf(f, "/* Generated by gatec %s from %s: do not edit. */\n", gatec_version, ei->source);
	fprintf(f, "#include <stdint.h>\n#include <lazygate/provider.h>\n#include \"%s\"\n",
		ei->header_include);
	for (i = 0; i < a->ngates; i++) {
		const struct gate *g = &a->gate[i];
		if (g->alias_of >= 0)
			continue;
		sorted[n++] = g;
		fprintf(f, "\n/* gate %lu %s: %s */\nextern ", g->number, g->name,
			access_text(g->access));
		print_prototype(f, an, "impl_", g, g->name);
		print_impl_attrs(f, g);
		fputs(" __attribute__((__weak__, __visibility__(\"hidden\")));\n", f);
		if (g->regparm)
			regparm_thunks(f, an, g);
		else if (direct(g))
			direct_thunks(f, an, g);
		else {
			adapter(f, a, g);
			fprintf(f, "LG_THUNKS(\"lg_thunk_%s_%s\", \"lg_adapt_%s_%s\");\n", an,
				g->name, an, g->name);
		}
		fprintf(f, "__attribute__((__visibility__(\"hidden\"))) extern void "
			   "lg_thunk_%s_%s_far(void)", an, g->name);
		if (!g->regparm || !regparm_direct(g))
			fprintf(f, ", lg_thunk_%s_%s_near(void)", an, g->name);
		fputs(";\n", f);
	}
	qsort(sorted, (size_t)n, sizeof *sorted, by_number);
	if (n) {
		fprintf(f, "\nstatic const struct lg_gate lg_gates_%s[] = {\n", an);
		for (i = 0; i < n; i++) {
			const struct gate *g = sorted[i];
			fprintf(f, "\t{ %lu, %s, \"%s\", (void (*)(void))%s_impl_%s, lg_thunk_%s_%s_far, ",
				g->number, access_flags[g->access], g->name, an, g->name, an, g->name);
			if (g->regparm && regparm_direct(g))
				fprintf(f, "(void (*)(void))%s_impl_%s },\n", an, g->name);
			else
				fprintf(f, "lg_thunk_%s_%s_near },\n", an, g->name);
		}
		fputs("};\n", f);
	}
	fprintf(f, "\nconst struct lg_api %s_api = { LG_FORMAT_VERSION, \"%s\", %d, ", an, an, n);
	if (n)
		fprintf(f, "lg_gates_%s };\n", an);
	else
		fputs("0 };\n", f);
	free(sorted);
}
