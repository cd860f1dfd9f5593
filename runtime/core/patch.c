/* The patch protocol: replace one state of a site by another so that a CPU
 * running the site meanwhile executes either the whole old instruction, the
 * trap, or the whole new instruction (doc/FORMAT.md, "Binding").
 *
 *   claim  head -> CD      the claim is the lock; byte 1 (the vector) stays
 *   sync                   no CPU still holds the old head in its pipeline
 *   write  bytes 2..n-1    hidden behind the trap
 *   sync                   every CPU sees the whole new tail
 *   write  head            the new instruction appears in one byte store
 *
 * and no third round: a CPU that still fetches CD takes the trap, finds
 * the head changed under the resolver's lock and re-executes the site,
 * serialized by the trap's return.  Linux's text_poke_bp syncs a third time
 * so that no CPU is left in its int3 handler when it frees the patch's
 * descriptor; our trap handlers keep nothing per patch.
 */
#include <lazygate/core.h>

int lg_patch(const struct lg_patch_ops *ops, unsigned char *site,
	     const unsigned char *from, const unsigned char *to, unsigned int len)
{
	if (from[1] != to[1] || to[0] == LG_HEAD_TRAP || len < 3)
		return LG_EBYTE;
	if (ops->claim(ops->ctx, site, from[0]))
		return LG_ELOST;
	ops->sync(ops->ctx);
	if (ops->write(ops->ctx, site + 2, to + 2, len - 2))
		return LG_EWRITE;
	ops->sync(ops->ctx);
	if (ops->write(ops->ctx, site, to, 1))
		return LG_EWRITE;
	return LG_OK;
}
