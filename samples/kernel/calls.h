/* calls.h - one round of calls to gates 1-5, included by every client so
 * that each kind of caller (k32, k16, a32) runs the same code. */
static __inline__ __attribute__((always_inline)) void calls_round(struct calls *c)
{
	static const char msg[] = "lazygate";
	int q0, r0;

	c->version = kapi_version();
	c->add = kapi_add(40, 2);
	c->mul = kapi_mul(6, 7);
	c->len = kapi_strlen(msg);
	c->q = c->r = -1;
	c->cf = kapi_divmod(47, 5, &c->q, &c->r);
	c->cf0 = kapi_divmod(1, 0, &q0, &r0); /* CF: q0, r0 undefined */
	c->done = 1;
}
