/* ctypes.c - the C types a gate parameter may have: anything that travels
 * in one 32-bit register.  A type is a sequence of words (qualifiers,
 * specifiers, a known typedef name or "struct TAG") and then '*'s.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "gates.h"

static const char *const c_keywords[] = {
	/* C99 and C11 */
	"auto", "break", "case", "char", "const", "continue", "default", "do", "double",
	"else", "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long",
	"register", "restrict", "return", "short", "signed", "sizeof", "static", "struct",
	"switch", "typedef", "union", "unsigned", "void", "volatile", "while", "asm",
	"typeof", "_Bool", "_Complex", "_Imaginary", "_Alignas", "_Alignof", "_Atomic",
	"_Generic", "_Noreturn", "_Static_assert", "_Thread_local",
	/* C++ (the header is also compiled as C++) */
	"alignas", "alignof", "and", "and_eq", "bitand", "bitor", "bool", "catch",
	"char16_t", "char32_t", "char8_t", "class", "compl", "concept", "consteval",
	"constexpr", "constinit", "const_cast", "co_await", "co_return", "co_yield",
	"decltype", "delete", "dynamic_cast", "explicit", "export", "false", "friend",
	"mutable", "namespace", "new", "noexcept", "not", "not_eq", "nullptr", "operator",
	"or", "or_eq", "private", "protected", "public", "reinterpret_cast", "requires",
	"static_assert", "static_cast", "template", "this", "thread_local", "throw", "true",
	"try", "typeid", "typename", "using", "virtual", "wchar_t", "xor", "xor_eq",
};

int is_c_keyword(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof c_keywords / sizeof c_keywords[0]; i++)
		if (!strcmp(s, c_keywords[i]))
			return 1;
	return 0;
}

/* Typedef names: register-sized ones, and 64-bit or floating ones that are
 * fine behind a pointer only. */
static const struct {
	const char *name;
	int narrow; /* 1: narrower than 32 bits; -1: too wide (pointer only) */
} typedefs[] = {
	{ "int8_t", 1 },   { "uint8_t", 1 },   { "int16_t", 1 },  { "uint16_t", 1 },
	{ "int32_t", 0 },  { "uint32_t", 0 },  { "size_t", 0 },   { "ssize_t", 0 },
	{ "intptr_t", 0 }, { "uintptr_t", 0 }, { "int64_t", -1 }, { "uint64_t", -1 },
};

static int find_typedef(const char *s)
{
	size_t i;

	for (i = 0; i < sizeof typedefs / sizeof typedefs[0]; i++)
		if (!strcmp(s, typedefs[i].name))
			return (int)i;
	return -1;
}

int is_type_word(const char *s)
{
	return find_typedef(s) >= 0 || !strcmp(s, "const") || !strcmp(s, "volatile") ||
	       !strcmp(s, "signed") || !strcmp(s, "unsigned") || !strcmp(s, "char") ||
	       !strcmp(s, "short") || !strcmp(s, "int") || !strcmp(s, "long") ||
	       !strcmp(s, "void") || !strcmp(s, "bool") || !strcmp(s, "struct") ||
	       !strcmp(s, "float") || !strcmp(s, "double");
}

/* The words single-spaced (without const and volatile if SKIP_QUALS). */
static char *join(const struct words *w, int skip_quals)
{
	size_t len = 1, n;
	char *s, *end;
	int i;

	for (i = 0; i < w->n; i++)
		len += strlen(w->word[i]) + 1;
	s = end = xmalloc(len);
	*s = 0;
	for (i = 0; i < w->n; i++) {
		if (skip_quals && (!strcmp(w->word[i], "const") || !strcmp(w->word[i], "volatile")))
			continue;
		if (end > s)
			*end++ = ' ';
		n = strlen(w->word[i]);
		memcpy(end, w->word[i], n + 1);
		end += n;
	}
	return s;
}

/* A type in a message is clipped to this many bytes and "...": a line of
 * a megabyte of type words gets a message of a line. */
#define SPELLED_MAX 64

/* The type as written, for messages: "const char **". */
static char *spelled(const struct words *w, int stars)
{
	char *t = join(w, 0);
	size_t n = strlen(t);
	int i;

	if (n > SPELLED_MAX) {
		n = SPELLED_MAX;
		while (n && ((unsigned char)t[n] & 0xc0) == 0x80)
			n--; /* not in the middle of a UTF-8 sequence */
		t = xrealloc(t, n + 4);
		memcpy(t + n, "...", 4);
		return t;
	}
	t = xrealloc(t, n + (size_t)stars + 2);
	if (stars)
		t[n++] = ' ';
	for (i = 0; i < stars; i++)
		t[n++] = '*';
	t[n] = 0;
	return t;
}

static int bad(const struct loc *l, const struct words *w, int stars, const char *why)
{
	char *t = spelled(w, stars);
	diag_error(l, "bad type '%s': %s", t, why);
	free(t);
	return -1;
}

int ctype_make(struct ctype *t, const struct words *w, int stars, const struct loc *l,
	       int output)
{
	int nconst = 0, nvol = 0, nsign = 0, nchar = 0, nshort = 0, nint = 0, nlong = 0;
	int nvoid = 0, nbool = 0, nfloat = 0, ntypedef = 0, nstruct = 0, narrow = 0;
	int wide = 0, i, td;
	char msg[160];

	memset(t, 0, sizeof *t);
	for (i = 0; i < w->n; i++) {
		const char *s = w->word[i];
		if (!strcmp(s, "const"))
			nconst++;
		else if (!strcmp(s, "volatile"))
			nvol++;
		else if (!strcmp(s, "signed") || !strcmp(s, "unsigned"))
			nsign++;
		else if (!strcmp(s, "char"))
			nchar++;
		else if (!strcmp(s, "short"))
			nshort++;
		else if (!strcmp(s, "int"))
			nint++;
		else if (!strcmp(s, "long"))
			nlong++;
		else if (!strcmp(s, "void"))
			nvoid++;
		else if (!strcmp(s, "bool"))
			nbool++;
		else if (!strcmp(s, "float") || !strcmp(s, "double"))
			nfloat++;
		else if ((td = find_typedef(s)) >= 0) {
			ntypedef++;
			if (typedefs[td].narrow > 0)
				narrow = 1;
			else if (typedefs[td].narrow < 0)
				wide = 1;
			if (!strcmp(s, "ssize_t"))
				t->ssize = 1;
		} else if (!strcmp(s, "struct")) {
			if (i + 1 == w->n || is_c_keyword(w->word[i + 1]) ||
			    find_typedef(w->word[i + 1]) >= 0)
				return bad(l, w, stars, "'struct' needs a tag name");
			nstruct++;
			t->struct_tag = w->word[++i];
		} else {
			snprintf(msg, sizeof msg, "unknown type name '%s'", s);
			return bad(l, w, stars, msg);
		}
	}
	if (nconst > 1)
		return bad(l, w, stars, "'const' twice");
	if (nvol > 1)
		return bad(l, w, stars, "'volatile' twice");
	if (nsign > 1)
		return bad(l, w, stars, "more than one of 'signed' and 'unsigned'");
	if (nchar + nshort + nint + nlong + nvoid + nbool + nfloat + ntypedef + nstruct + nsign == 0)
		return bad(l, w, stars, "no type name");
	if (nvoid + nbool + nfloat + ntypedef + nstruct > 1 ||
	    (nvoid + nbool + nfloat + ntypedef + nstruct == 1 &&
	     nchar + nshort + nint + nlong + nsign > 0 &&
	     !(nfloat && nlong == 1 && nchar + nshort + nint + nsign == 0)) ||
	    nchar > 1 || nshort > 1 || nint > 1 || nlong > 2 || (nchar && nshort + nint + nlong) ||
	    (nshort && nlong))
		return bad(l, w, stars, "these words do not make one C type");
	if (nfloat && stars == 0)
		return bad(l, w, stars, "floating-point values are not passed in integer registers");
	if ((nlong == 2 || wide) && stars == 0)
		return bad(l, w, stars, "a 64-bit value does not fit a 32-bit register");
	if (nvoid && stars == 0)
		return bad(l, w, stars, "'void' has no value (use a pointer, or no parameter)");
	if (nstruct && stars == 0)
		return bad(l, w, stars, "a struct does not fit a register by value (use a pointer)");
	if (output && stars == 0 && (nconst || nvol))
		return bad(l, w, stars, "an output cannot be const or volatile");
	t->stars = stars;
	t->narrow = stars == 0 && (narrow || nchar || nshort || nbool);
	t->qualified = stars == 0 && (nconst || nvol);
	t->is_bool = stars == 0 && nbool;
	t->text = join(w, 0);
	t->unqual = join(w, stars == 0);
	if (t->struct_tag)
		t->struct_tag = xstrdup(t->struct_tag);
	return 0;
}

void ctype_print_decl(FILE *f, const struct ctype *t, int extra_stars, const char *name,
		      int keep_quals)
{
	int i, n = t->stars + extra_stars;

	fputs(keep_quals ? t->text : t->unqual, f);
	putc(' ', f);
	for (i = 0; i < n; i++)
		putc('*', f);
	fputs(name, f);
}

void ctype_print_cast(FILE *f, const struct ctype *t)
{
	int i;

	fputs(t->unqual, f);
	if (t->stars)
		putc(' ', f);
	for (i = 0; i < t->stars; i++)
		putc('*', f);
}
