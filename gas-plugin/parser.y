/* parser.y - the grammars of gatec's two input formats.
 *
 * The scanner (lexer.l) first returns START_GATES or START_RDOS, so one
 * parser reads both:
 *
 *   .gates:  api demo;
 *            [kernel|app] gate 3 open(ebx: const char *path) -> (eax: int h) carry;
 *            gate 4 add(eax: int a, edx: int b) -> (eax: int s) regparm;
 *            alias open_file = open;
 *   RDOS:    open_nr = 3        (one per line; ';' starts a comment)
 *
 * The actions only collect; model.c and rdos.c check and build the model.
 * read_definition, the reader's entry, is here so that the scanner need
 * not know the parser (flex's generated code calls nothing of it).
 * Errors recover at ';' (or at the next declaration), and at the end of
 * the line in RDOS files.
 */
%require "3.6"
%define api.pure full
%locations
%define api.location.type {struct loc}
%define parse.error custom
%define parse.lac full
%lex-param {yyscan_t scanner}
%parse-param {yyscan_t scanner} {struct reader *rd}

%code requires {
#include "gates.h"
#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif
}

%code provides {
/* lexer.l: a scanner of TEXT for RD's format (yylex_destroy frees it). */
yyscan_t scanner_open(struct reader *rd, const char *text, size_t len);
int yylex_destroy(yyscan_t scanner);
}

%code {
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int yylex(YYSTYPE *lval, YYLTYPE *lloc, yyscan_t scanner);
static void yyerror(const struct loc *l, yyscan_t scanner, struct reader *rd, const char *msg);

/* Room for item N of array P: it doubles when N is a power of two, so a
 * type of a million words costs a million copies, not half a trillion. */
static void *grow(void *p, int n, size_t size)
{
	return n & (n - 1) ? p : xrealloc(p, (size_t)(n ? 2 * n : 1) * size);
}

static void words_add(struct words *w, char *word, const struct loc *l)
{
	w->word = grow(w->word, w->n, sizeof *w->word);
	w->loc = grow(w->loc, w->n, sizeof *w->loc);
	w->word[w->n] = word;
	w->loc[w->n] = *l;
	w->n++;
}

static void plist_add(struct plist *pl, const struct pdecl *p)
{
	pl->p = grow(pl->p, pl->n, sizeof *pl->p);
	pl->p[pl->n++] = *p;
}
}

%union {
	char *str;
	struct num num;
	struct words words;
	struct pdecl pdecl;
	struct plist plist;
	struct sig *sig;
	int ival;
}

%token START_GATES START_RDOS
%token API "api" GATE "gate" ALIAS "alias" KERNEL "kernel" APP "app" CARRY "carry"
%token REGPARM "regparm"
%token ARROW "->"
%token <str> IDENT "name"
%token <num> NUMBER "number"
%token EOL "end of line"

%type <ival> gate_kw stars carry regparm
%type <sig> signature
%type <plist> params params1 outputs
%type <pdecl> param
%type <words> words

/* What error recovery discards (the actions own what they are given). */
%destructor { free($$); } <str>
%destructor { words_free(&$$); } <words>
%destructor { pdecl_free(&$$); } <pdecl>
%destructor { plist_free(&$$); } <plist>
%destructor { sig_free($$); } <sig>

%%

file
	: START_GATES items
	| START_RDOS rdos_lines
	;

/* ---- .gates ------------------------------------------------------------ */

items
	: %empty
	| items item
	;

item
	: API IDENT ';'
		{ model_api(rd, &@1, $2, &@2); }
	| gate_kw NUMBER IDENT signature ';'
		{ model_gate(rd, (enum access)$1, &@1, $2, &@2, $3, &@3, $4); }
	| ALIAS IDENT '=' IDENT ';'
		{ model_alias(rd, &@1, $2, &@2, $4, &@4); }
	| error ';'
		{ yyerrok; }
	| error
	;

gate_kw
	: GATE          { $$ = ACC_BOTH; }
	| KERNEL GATE   { $$ = ACC_KERNEL; }
	| APP GATE      { $$ = ACC_APP; }
	;

signature
	: %empty
		{ $$ = NULL; }
	| '(' params ')' outputs carry regparm
		{
			$$ = xmalloc(sizeof *$$);
			$$->in = $2;
			$$->out = $4;
			$$->carry = $5;
			$$->regparm = $6;
			$$->regparm_loc = @6;
		}
	;

outputs
	: %empty                 { memset(&$$, 0, sizeof $$); }
	| ARROW '(' params ')'   { $$ = $3; }
	;

carry
	: %empty   { $$ = 0; }
	| CARRY    { $$ = 1; }
	;

regparm
	: %empty   { $$ = 0; }
	| REGPARM  { $$ = 1; }
	;

params
	: %empty    { memset(&$$, 0, sizeof $$); }
	| params1
	;

params1
	: param               { memset(&$$, 0, sizeof $$); plist_add(&$$, &$1); }
	| params1 ',' param   { $$ = $1; plist_add(&$$, &$3); }
	;

/* REG ':' TYPE NAME, where TYPE is words and stars.  Without stars the
 * name is the last word (model.c splits it off). */
param
	: IDENT ':' words
		{
			memset(&$$, 0, sizeof $$);
			$$.reg = $1;
			$$.reg_loc = @1;
			$$.type = $3;
			$$.type_loc = @3;
		}
	| IDENT ':' words stars IDENT
		{
			memset(&$$, 0, sizeof $$);
			$$.reg = $1;
			$$.reg_loc = @1;
			$$.type = $3;
			$$.stars = $4;
			$$.type_loc = @3;
			$$.type_loc.last_line = @4.last_line;
			$$.type_loc.last_column = @4.last_column;
			$$.name = $5;
			$$.name_loc = @5;
		}
	;

words
	: IDENT         { memset(&$$, 0, sizeof $$); words_add(&$$, $1, &@1); }
	| words IDENT   { $$ = $1; words_add(&$$, $2, &@2); }
	;

stars
	: '*'         { $$ = 1; }
	| stars '*'   { $$ = $1 + 1; }
	;

/* ---- RDOS .def ------------------------------------------------------------ */

rdos_lines
	: %empty
	| rdos_lines rdos_line
	;

rdos_line
	: EOL
	| IDENT '=' NUMBER EOL
		{ rdos_assign(rd, $1, &@1, $3, &@3); }
	| error EOL
		{ yyerrok; }
	;

%%

/* Bison's other messages ("memory exhausted"). */
static void yyerror(const struct loc *l, yyscan_t scanner, struct reader *rd, const char *msg)
{
	(void)scanner;
	(void)rd;
	diag_error(l, "%s", msg);
}

/* A token kind as the messages name it: 'gate', ';', a name. */
static const char *describe(yysymbol_kind_t k, char *buf, size_t size)
{
	const char *s = yysymbol_name(k);
	size_t n;

	switch (k) {
	case YYSYMBOL_YYEOF:
		return "end of input";
	case YYSYMBOL_EOL:
		return "end of line";
	case YYSYMBOL_IDENT:
		return "a name";
	case YYSYMBOL_NUMBER:
		return "a number";
	default:
		break;
	}
	n = strlen(s);
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"')
		snprintf(buf, size, "'%.*s'", (int)(n - 2), s + 1);
	else if (s[0] != '\'')
		snprintf(buf, size, "'%s'", s);
	else
		return s;
	return buf;
}

/* "expected ';' before 'gate'".  In .gates files, where lines mean
 * nothing, it points just after the previous token when the unexpected one
 * is on a later line (as gcc does): that is where the ';' is missing. */
static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, struct reader *rd)
{
	enum { MAX = 8 };
	yysymbol_kind_t exp[MAX], look = yypcontext_token(ctx);
	struct loc l = *yypcontext_location(ctx);
	char msg[512], what[160], bufs[MAX][32];
	char *text = NULL;
	size_t len;
	int n, i, j;

	(void)scanner;
	n = yypcontext_expected_tokens(ctx, exp, MAX);
	if (n > 1) { /* "expected ';' or end of input" reads badly: drop the end */
		for (i = j = 0; i < n; i++)
			if (exp[i] != YYSYMBOL_YYEOF)
				exp[j++] = exp[i];
		n = j;
	}
	if (look == YYSYMBOL_YYEOF)
		snprintf(what, sizeof what, "end of input");
	else if (look == YYSYMBOL_EOL)
		snprintf(what, sizeof what, "end of line");
	else {
		text = diag_text(&l);
		snprintf(what, sizeof what, "'%.100s'", text);
	}
	if (n == 0) {
		snprintf(msg, sizeof msg, "unexpected %s", what);
	} else {
		len = (size_t)snprintf(msg, sizeof msg, "expected ");
		for (i = 0; i < n && len < sizeof msg; i++)
			len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s",
						i == 0 ? "" : i == n - 1 ? " or " : ", ",
						describe(exp[i], bufs[i], sizeof bufs[i]));
		if (len < sizeof msg)
			snprintf(msg + len, sizeof msg - len, " %s %s",
				 look == YYSYMBOL_YYEOF || look == YYSYMBOL_EOL ? "at" : "before", what);
		if (rd->format == FMT_GATES && rd->prev.first_line > 0 &&
		    (look == YYSYMBOL_YYEOF || l.first_line > rd->prev.last_line)) {
			l.first_line = l.last_line = rd->prev.last_line;
			l.first_column = l.last_column = rd->prev.last_column;
		}
	}
	diag_error(&l, "%s", msg);
	free(text);
	return 0;
}

int read_definition(struct reader *rd, const char *text, size_t len)
{
	static const struct loc start = { 1, 1, 1, 1 };
	yyscan_t sc = scanner_open(rd, text, len);

	yyparse(sc, rd);
	yylex_destroy(sc);
	if (rd->format == FMT_RDOS)
		rdos_finish(rd);
	model_finish(rd, &start);
	return diag_count();
}
