/* emit_header.c - the C header: for every gate an inline function whose
 * asm statement is the stub (LG_ASM_STUB from lazygate/stub.h, so the
 * bytes come from there) with the gate's registers as operands.
 *
 * Return convention (the implementation has the same prototype):
 *   carry            int (1 = CF set = failure), outputs through pointers
 *   one output       that output
 *   no output        void
 *   2+ outputs       void, outputs through pointers
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "gates.h"

const char *access_text(enum access acc)
{
	return acc == ACC_KERNEL ? "kernel only" : acc == ACC_APP ? "applications only" :
								      "kernel and applications";
}

/* Outputs go through pointer parameters. */
int outputs_by_pointer(const struct gate *g)
{
	return g->carry || g->nout > 1;
}

/* A regparm gate's implementation is its near entry (LG_REGPARM). */
void print_impl_attrs(FILE *f, const struct gate *g)
{
	if (g->regparm)
		fputs(" LG_REGPARM", f);
}

void print_prototype(FILE *f, const char *api, const char *infix, const struct gate *g,
		     const char *name)
{
	int i, n = 0;

	if (g->raw) {
		fprintf(f, "void %s_%s%s(struct lg_regs *regs)", api, infix, name);
		return;
	}
	if (g->carry)
		fputs("int ", f);
	else if (g->nout == 1) {
		ctype_print_cast(f, &g->out[0].type);
		if (!g->out[0].type.stars)
			putc(' ', f);
	} else
		fputs("void ", f);
	fprintf(f, "%s_%s%s(", api, infix, name);
	for (i = 0; i < g->nin; i++, n++) {
		if (n)
			fputs(", ", f);
		ctype_print_decl(f, &g->in[i].type, 0, g->in[i].name, 1);
	}
	if (outputs_by_pointer(g))
		for (i = 0; i < g->nout; i++, n++) {
			if (n)
				fputs(", ", f);
			ctype_print_decl(f, &g->out[i].type, 1, g->out[i].name, 1);
		}
	if (!n)
		fputs("void", f);
	putc(')', f);
}

static const struct param *input_in(const struct gate *g, int reg)
{
	int i;

	for (i = 0; i < g->nin; i++)
		if (g->in[i].reg == reg)
			return &g->in[i];
	return NULL;
}

/* Can the output's temporary take the input's value as it is (same type,
 * a full register)? */
static int same_full_type(const struct param *in, const struct param *out)
{
	return !strcmp(in->type.unqual, out->type.unqual) && in->type.stars == out->type.stars &&
	       !in->type.narrow;
}

/* The register form: the gate's own registers as the asm's operands. */
static void register_body(FILE *f, const struct gate *g)
{
	int i, n;

	/* temporaries: one per output, in/out ones initialised from the input */
	for (i = 0; i < g->nout; i++) {
		const struct param *o = &g->out[i], *in = input_in(g, o->reg);
		putc('\t', f);
		if (in && !same_full_type(in, o)) {
			fprintf(f, "unsigned int lg_o_%s = (unsigned int)%s%s;\n", o->name,
				in->type.stars ? "(uintptr_t)" : "", in->name);
			continue;
		}
		ctype_print_decl(f, &o->type, 0, "", 0);
		fprintf(f, "lg_o_%s", o->name);
		if (in)
			fprintf(f, " = %s", in->name);
		fputs(";\n", f);
	}
	if (g->carry)
		fputs("\tunsigned char lg_cf;\n", f);
	fprintf(f, "\t__asm__ __volatile__(LG_ASM_STUB(\"%lu\")\n\t\t:", g->number);
	for (i = n = 0; i < g->nout; i++, n++)
		fprintf(f, "%s \"%s%s\"(lg_o_%s)", n ? "," : "", input_in(g, g->out[i].reg) ? "+" : "=",
			reg_constraint[g->out[i].reg], g->out[i].name);
	if (g->carry)
		fprintf(f, "%s \"=@ccc\"(lg_cf)", n ? "," : "");
	fputs("\n\t\t:", f);
	for (i = n = 0; i < g->nin; i++) {
		const struct param *in = &g->in[i];
		int j, inout = 0;
		for (j = 0; j < g->nout; j++)
			inout |= g->out[j].reg == in->reg;
		if (inout)
			continue;
		fprintf(f, "%s \"%s\"(%s%s)", n++ ? "," : "", reg_constraint[in->reg],
			in->type.narrow ? "(unsigned int)" : "", in->name);
	}
	fputs("\n\t\t: \"memory\");\n", f);
	/* results */
	for (i = 0; i < g->nout; i++) {
		const struct param *o = &g->out[i], *in = input_in(g, o->reg);
		int conv = in && !same_full_type(in, o);
		fputs(outputs_by_pointer(g) ? "\t*" : "\treturn ", f);
		if (outputs_by_pointer(g))
			fprintf(f, "%s = ", o->name);
		if (conv) {
			putc('(', f);
			ctype_print_cast(f, &o->type);
			fputs(o->type.stars ? ")(uintptr_t)" : o->type.is_bool ? ")(unsigned char)" : ")", f);
		}
		fprintf(f, "lg_o_%s;\n", o->name);
	}
	if (g->carry)
		fputs("\treturn lg_cf;\n", f);
}

/* Print the C-call site's value of parameter P as an unsigned int. */
static void print_word(FILE *f, const struct param *p, int by_pointer)
{
	fputs(p->type.stars || by_pointer ? "(unsigned int)(uintptr_t)" : "(unsigned int)", f);
	fputs(p->name, f);
}

/* The result of a C-call site, from lg_r (eax). */
static void print_result(FILE *f, const struct gate *g)
{
	const struct ctype *t = &g->out[0].type;

	if (g->carry) {
		fputs("\treturn lg_r != 0;\n", f);
		return;
	}
	if (outputs_by_pointer(g) || !g->nout)
		return;
	fputs("\treturn (", f);
	ctype_print_cast(f, t);
	fputs(t->stars ? ")(uintptr_t)lg_r;\n" : t->is_bool ? ")(unsigned char)lg_r;\n" : ")lg_r;\n", f);
}

/* A C-call site of a regparm gate: the implementation's own registers
 * (eax, edx, ecx), every other one kept by the implementation. */
static void regparm_ccall(FILE *f, const struct gate *g)
{
	static const char *const reg[] = {"a", "d", "c"};
	int i;

	if (g->nout)
		fputs("\tunsigned int lg_r;\n", f);
	fprintf(f, "\t__asm__ __volatile__(LG_ASM_CCALL(\"%lu\")\n\t\t: %s\n\t\t:", g->number,
		g->nout ? "\"=a\"(lg_r)" : "");
	for (i = 0; i < g->nin; i++)
		fprintf(f, "%s \"%s\"(%s)", i ? "," : "", reg[i], g->in[i].name);
	fputs("\n\t\t: \"memory\", \"cc\");\n", f);
	print_result(f, g);
}

/* A C-call site (FORMAT.md, "C-call sites"): the implementation's cdecl
 * arguments pushed from an array (no operand may be esp-relative once
 * the stack moves), the stack aligned to 16 bytes at the call. */
static void ccall_body(FILE *f, const struct gate *g)
{
	int i, n = g->nin + (outputs_by_pointer(g) ? g->nout : 0);

	if (g->regparm) {
		regparm_ccall(f, g);
		return;
	}
	if (g->nout || g->carry)
		fputs("\tunsigned int lg_r;\n", f);
	if (n) {
		fprintf(f, "\tconst unsigned int lg_v[%d] = {", n);
		for (i = 0; i < g->nin; i++) {
			fputs(i ? ", " : "", f);
			print_word(f, &g->in[i], 0);
		}
		for (i = 0; i < n - g->nin; i++) {
			fputs(i + g->nin ? ", " : "", f);
			print_word(f, &g->out[i], 1);
		}
		fputs("};\n", f);
	}
	for (i = 0; i < n - g->nin; i++) /* as the thunk's zeroed slots */
		fprintf(f, "\t*%s = 0;\n", g->out[i].name);
	fputs("\t__asm__ __volatile__(LG_ASM_CC_SAVE", f);
	if ((4 * n) % 16)
		fprintf(f, " LG_ASM_CC_PAD(\"%d\")", 16 - (4 * n) % 16);
	for (i = n; i-- > 0;)
		fprintf(f, " LG_ASM_CC_PUSH(\"%d\")", 4 * i);
	fprintf(f, "\n\t\tLG_ASM_CCALL(\"%lu\") LG_ASM_CC_RESTORE\n\t\t: %s\n\t\t: ", g->number,
		g->nout || g->carry ? "\"=a\"(lg_r)" : "");
	if (n)
		fputs("[lg_v] \"r\"(lg_v), \"m\"(lg_v), ", f);
	fputs("LG_CC_FRAME", f);
	fprintf(f, "\n\t\t: %s\"ecx\", \"edx\", \"esi\", \"memory\", \"cc\");\n",
		g->nout || g->carry ? "" : "\"eax\", ");
	print_result(f, g);
}

/* The gate's function: a C-call site where the caller kind allows it,
 * else the register form. */
static void wrapper(FILE *f, const struct api *a, const struct gate *g)
{
	fputs("static __inline__ __attribute__((__always_inline__, __unused__))\n", f);
	print_prototype(f, a->name, "", g, g->name);
	fputs("\n{\n#if LAZYGATE_CCALL\n", f);
	ccall_body(f, g);
	fputs("#else\n", f);
	register_body(f, g);
	fputs("#endif\n}\n", f);
}

static void alias_wrapper(FILE *f, const struct api *a, const struct gate *al,
			  const struct gate *g)
{
	int i, n = 0;

	fputs("static __inline__ __attribute__((__always_inline__, __unused__))\n", f);
	print_prototype(f, a->name, "", g, al->name);
	fputs("\n{\n\t", f);
	if (g->carry || g->nout == 1)
		fputs("return ", f);
	fprintf(f, "%s_%s(", a->name, g->name);
	for (i = 0; i < g->nin; i++)
		fprintf(f, "%s%s", n++ ? ", " : "", g->in[i].name);
	if (outputs_by_pointer(g))
		for (i = 0; i < g->nout; i++)
			fprintf(f, "%s%s", n++ ? ", " : "", g->out[i].name);
	fputs(");\n}\n", f);
}

static void open_access(FILE *f, enum access acc)
{
	if (acc == ACC_KERNEL)
		fputs("#if !LG_CALLER_IS_APP\n", f);
	else if (acc == ACC_APP)
		fputs("#if LG_CALLER_IS_APP\n", f);
}

static void close_access(FILE *f, enum access acc)
{
	if (acc != ACC_BOTH)
		fputs("#endif\n", f);
}

void emit_header(FILE *f, const struct api *a, const struct emit_info *ei)
{
	char guard[256];
	const char *n;
	size_t k;
	int i;

	for (n = a->name, k = 0; *n && k < sizeof guard - 1; n++)
		guard[k++] = (char)toupper((unsigned char)*n);
	guard[k] = 0;
	fprintf(f, "/* Generated by gatec %s from %s: do not edit. */\n", gatec_version, ei->source);
	fprintf(f, "#ifndef LAZYGATE_API_%s_H\n#define LAZYGATE_API_%s_H\n", guard, guard);
	fputs("#include <lazygate/stub.h>\n"
	      "#include <stdint.h>\n"
	      "#include <stddef.h>\n"
	      "#ifndef __cplusplus\n"
	      "#include <stdbool.h>\n"
	      "#endif\n", f);
	if (a->uses_ssize)
		fputs("#include <sys/types.h>\n", f);
	fputs("#ifdef __cplusplus\n"
	      "extern \"C\" {\n"
	      "#endif\n"
	      "\n"
	      "/* Once per object: the discovery note and the (so far empty) site table. */\n"
	      "#ifndef LAZYGATE_NOTE_EMITTED\n"
	      "#define LAZYGATE_NOTE_EMITTED\n"
	      "__asm__(LG_ASM_NOTE);\n"
	      "#endif\n"
	      "\n", f);
	fprintf(f, "struct lg_api;\nextern const struct lg_api %s_api; /* made by gatec --provider */\n",
		a->name);
	if (a->uses_regs)
		fputs("struct lg_regs;\n", f);
	for (i = 0; i < a->ntags; i++)
		fprintf(f, "struct %s;\n", a->tags[i]);

	fputs("\n/* Gate numbers, and stubs for your own inline asm. */\n", f);
	for (i = 0; i < a->ngates; i++) {
		const struct gate *g = &a->gate[i];
		fprintf(f, "#define LG_GATE_%s_%s %lu\n", a->name, g->name, g->number);
		open_access(f, g->access);
		fprintf(f, "#define LG_STUB_%s_%s LG_ASM_STUB(\"%lu\")\n", a->name, g->name, g->number);
		close_access(f, g->access);
	}

	for (i = 0; i < a->ngates; i++) {
		const struct gate *g = &a->gate[i], *p = gate_primary(a, g);
		putc('\n', f);
		if (g != p) {
			fprintf(f, "/* alias %s = %s (gate %lu) */\n", g->name, p->name, g->number);
			if (p->raw)
				continue;
			open_access(f, g->access);
			alias_wrapper(f, a, g, p);
			close_access(f, g->access);
			continue;
		}
		fprintf(f, "/* gate %lu %s: %s%s */\n", g->number, g->name, access_text(g->access),
			g->raw ? "; no signature: the implementation gets the registers" : "");
		print_prototype(f, a->name, "impl_", g, g->name);
		print_impl_attrs(f, g);
		fputs(";\n", f);
		if (g->raw)
			continue;
		open_access(f, g->access);
		wrapper(f, a, g);
		close_access(f, g->access);
	}
	fprintf(f, "\n#ifdef __cplusplus\n}\n#endif\n#endif /* LAZYGATE_API_%s_H */\n", guard);
}
