/* Stub bytes: build them and recognise them.  Every byte value comes from
 * <lazygate/stub.h>; this file only knows the shapes. */
#include <lazygate/core.h>

static unsigned int get16(const unsigned char *p)
{
	return p[0] | p[1] << 8;
}

/* Bytes before the far pointer, and the null selector, of each kind. */
static const unsigned char pfx[LG_NKINDS][3] = {
	{LG_K32_B0, LG_K32_B1, LG_OP_CALLF},
	{LG_K16_B0, LG_K16_B1, LG_OP_CALLF},
	{LG_A32_B0, LG_A_B1, 0},
	{LG_A16_B0, LG_A_B1, 0},
};
static const unsigned char nullsel[LG_NKINDS] = {
	LG_SEL_KERNEL, LG_SEL_KERNEL, LG_SEL_APP32, LG_SEL_APP16,
};

/* Kernel stubs have a 3-byte head (prefix, prefix, 9A); application stubs 2. */
static unsigned int hlen(unsigned int kind)
{
	return kind <= LG_K16 ? 3 : 2;
}

unsigned int lg_initial(unsigned int kind, unsigned int gate, unsigned char *out)
{
	unsigned int h = hlen(kind);

	out[0] = pfx[kind][0];
	out[1] = pfx[kind][1];
	out[2] = pfx[kind][2]; /* an application stub's gate field overwrites it */
	lg_put32(out + h, gate);
	out[h + 4] = nullsel[kind];
	out[h + 5] = 0;
	return h + 6;
}

/* The initial stub's prefixes and opcode, with a target: kernel kinds keep
 * the offset; application kinds call a call gate, whose offset the CPU
 * ignores, so it is written as 0.  One instruction, like the initial stub. */
unsigned int lg_bound_far(unsigned int kind, unsigned int offset,
			  unsigned int selector, unsigned char *out)
{
	unsigned int len = lg_initial(kind, 0, out), h = hlen(kind);

	lg_put32(out + h, kind <= LG_K16 ? offset : 0);
	out[h + 4] = selector & 0xff;
	out[h + 5] = selector >> 8;
	return len;
}

int lg_is_initial(const unsigned char *p, unsigned int kind, unsigned int gate)
{
	unsigned char b[LG_MAXLEN];

	return kind < LG_NKINDS && lg_bytes_eq(p, b, lg_initial(kind, gate, b));
}

unsigned int lg_bound_near(unsigned long site, unsigned long target, unsigned char *out)
{
	out[0] = LG_K32_B0;
	out[1] = LG_K32_B1;
	out[2] = LG_NEAR_B2;
	out[3] = LG_NEAR_B3;
	out[4] = LG_OP_CALL;
	lg_put32(out + 5, (unsigned int)(target - (site + LG_KLEN)));
	return LG_KLEN;
}

static int is_near(const unsigned char *p)
{
	return p[0] == LG_K32_B0 && p[1] == LG_K32_B1 && p[2] == LG_NEAR_B2 &&
	       p[3] == LG_NEAR_B3 && p[4] == LG_OP_CALL;
}

/* Every state of a kind starts like its initial stub (lg_initial's bytes
 * B, N long): the trap keeps byte 1; a bound far call keeps the head and
 * calls a selector that is not null (> 3), at offset 0 in application
 * kinds, whose call gate ignores it. */
enum lg_state lg_match(const unsigned char *p, unsigned int kind, unsigned int gate)
{
	unsigned char b[LG_MAXLEN];
	unsigned int n, h;

	if (kind >= LG_NKINDS || gate > LG_GATE_MAX)
		return LG_S_NONE;
	n = lg_initial(kind, gate, b);
	h = hlen(kind);
	if (lg_bytes_eq(p, b, n))
		return LG_S_INITIAL;
	if (p[0] == LG_HEAD_TRAP && p[1] == b[1])
		return LG_S_TRAP;
	if (lg_bytes_eq(p, b, h) && (kind <= LG_K16 || !lg_get32(p + h)) && get16(p + h + 4) > 3)
		return LG_S_BOUND;
	if (kind == LG_K32 && is_near(p))
		return LG_S_NEAR;
	return LG_S_NONE;
}

/* Can a site of KIND raise #GP(ERR)?  Its initial far call raises #GP(0);
 * its trap state's int, whose vector is byte 1, either encoding. */
static int raises(unsigned int kind, unsigned int err)
{
	unsigned int v = pfx[kind][1];

	return err == LG_GP_CALL || err == LG_GP_INT(v) || err == LG_GP_INT_QEMU(v);
}

/* The table and the bytes decide; the error code is only checked to be
 * one the site can raise, so either encoding of the int works. */
enum lg_state lg_gp_state(const struct lg_site *e, unsigned int err)
{
	if (!e || lg_site_kind(e) >= LG_NKINDS || !raises(lg_site_kind(e), err))
		return LG_S_NONE;
	return lg_match((const unsigned char *)lg_site_addr(e), lg_site_kind(e), lg_site_gate(e));
}
