/* Writing code that is never writable: every store goes through
 * /proc/self/mem, which the kernel applies to the read-only text page by
 * copy-on-write (FOLL_FORCE) and makes visible to every thread of the
 * process.  Other CPUs are serialized with membarrier's SYNC_CORE command,
 * or, on kernels without it, with an mprotect whose TLB shootdown
 * interrupts every CPU running this process (interrupt return serializes).
 *
 * All of this runs under the runtime's lock, in signal context: only
 * async-signal-safe system calls. */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64 /* addresses above 2 GiB are file offsets too */
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define ALONE() (__libc_single_threaded != 0)
#else
#define ALONE() 0
#endif
#include "user.h"

static int mem_fd = -1;
static int have_sync_core;
static void *shoot_page;

static int mem_open(void)
{
	if (mem_fd < 0)
		mem_fd = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
	return mem_fd < 0 ? -1 : 0;
}

/* The page whose mprotect serializes, mapped even with membarrier, which
 * may still fail later. */
static int sync_init(void)
{
	have_sync_core =
		syscall(__NR_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0;
	if (!shoot_page) {
		shoot_page = mmap(0, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (shoot_page == MAP_FAILED)
			return shoot_page = 0, -1;
		*(volatile char *)shoot_page = 0;
	}
	return 0;
}

/* A child of fork has its own memory: the inherited descriptor would
 * write the parent's, and membarrier registration belongs to the parent's
 * address space.  (fork by a raw system call bypasses this: don't.)  A
 * failure is found by the next write. */
static void after_fork(void)
{
	if (mem_fd >= 0)
		close(mem_fd);
	mem_fd = -1;
	mem_open();
	sync_init();
}

int lg_code_init(void)
{
	if (sync_init() || pthread_atfork(0, 0, after_fork))
		return -1;
	return mem_open();
}

unsigned int lg_code_selector(void)
{
	unsigned int cs;

	__asm__("movl %%cs, %0" : "=r"(cs));
	return cs & 0xffff;
}

int lg_code_write(unsigned char *dst, const unsigned char *src, unsigned int n)
{
	lg_count(writes);
	if (mem_open())
		return -1;
	while (n) {
		ssize_t r = pwrite(mem_fd, src, n, (off_t)(unsigned long)dst);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		dst += r;
		src += r;
		n -= (unsigned int)r;
	}
	return 0;
}

void lg_code_sync(void)
{
	lg_count(syncs);
	if (have_sync_core &&
	    syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0)
		return;
	mprotect(shoot_page, 4096, PROT_READ);
	mprotect(shoot_page, 4096, PROT_READ | PROT_WRITE);
}

/* lg_patch's operations.  The caller holds the lock, so "head unchanged,
 * then store CD" is atomic with respect to every other claimer. */
static int code_claim(void *ctx, unsigned char *site, unsigned char head)
{
	static const unsigned char trap = LG_HEAD_TRAP;

	(void)ctx;
	if (*(volatile unsigned char *)site != head)
		return -1;
	return lg_code_write(site, &trap, 1);
}

static int code_write(void *ctx, unsigned char *dst, const unsigned char *src, unsigned int n)
{
	(void)ctx;
	return lg_code_write(dst, src, n);
}

static void code_sync(void *ctx)
{
	(void)ctx;
	lg_code_sync();
}

static const struct lg_patch_ops code_ops = {code_claim, code_write, code_sync, 0};

/* A batch's writes are held back and written together: within a phase,
 * sites that lie close together are written with one pwrite.  The bytes
 * between them are rewritten with the values they already hold, which
 * changes nothing a CPU can see, and a pwrite costs far more than the
 * copy.  The lock protects the buffer. */
#define GAP 1024   /* unchanged bytes worth rewriting to save a pwrite */
#define SPAN 65536 /* the most one pwrite carries */

static unsigned char held[SPAN];
static unsigned long held_lo, held_hi; /* the text [lo, hi) held; hi 0: none */

int lg_code_flush(void *ctx)
{
	unsigned long lo = held_lo, hi = held_hi;

	(void)ctx;
	held_hi = 0;
	return hi && lg_code_write((unsigned char *)lo, held, (unsigned int)(hi - lo));
}

static int hold(void *ctx, unsigned char *dst, const unsigned char *src, unsigned int n)
{
	unsigned long a = (unsigned long)dst;

	if (held_hi && (a < held_hi || a - held_hi > GAP || a + n - held_lo > SPAN) &&
	    lg_code_flush(ctx))
		return -1;
	if (!held_hi)
		held_lo = held_hi = a;
	memcpy(held + (held_hi - held_lo), (const void *)held_hi, a - held_hi);
	memcpy(held + (a - held_lo), src, n);
	held_hi = a + n;
	return 0;
}

static int hold_claim(void *ctx, unsigned char *site, unsigned char head)
{
	static const unsigned char trap = LG_HEAD_TRAP;

	if (*(volatile unsigned char *)site != head)
		return -1;
	return hold(ctx, site, &trap, 1);
}

const struct lg_patch_ops lg_code_batch_ops = {hold_claim, hold, code_sync, 0};

/* Is this the process's only thread?  glibc clears the flag when a second
 * thread is created and never sets it again, so "yes" is never wrong for
 * threads made by pthread_create (a raw clone(CLONE_VM) is not seen:
 * don't).  Then no other CPU can run our code while it changes, and a
 * signal cannot either: the handler and the batches block them all. */
int lg_code_alone(void)
{
	return ALONE();
}

/* Rewrite one site in place.  With other threads, lg_patch's protocol and
 * its two rounds.  Alone: the whole new instruction in one write and no
 * serialization: the thread itself runs the new bytes only after the
 * write's return through the kernel, and x86 snoops writes to code by
 * physical address (the SDM's self-modifying code). */
int lg_code_patch(unsigned char *site, const unsigned char *to, unsigned int len)
{
	if (!lg_code_alone())
		return lg_patch(&code_ops, site, site, to, len);
	if (len < 3 || site[1] != to[1] || to[0] == LG_HEAD_TRAP)
		return LG_EBYTE;
	return lg_code_write(site, to, len) ? LG_EWRITE : LG_OK;
}
