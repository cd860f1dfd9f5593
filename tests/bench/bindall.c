/* Benchmark program (make bench, via bench.sh): bind-all at load.  NSITES
 * sites of t.add, 32 bytes apart like calls in small functions, bound by
 * one lazygate_bind_all().  Prints "bindall_NSITES cycles-per-site", then
 * "again_NSITES ..." for a second batch after a replacement unbound them,
 * and "threads_NSITES ..." for a third with a second thread in the process
 * (blocked in read): no longer alone, the batch takes three phases and
 * two rounds.
 *
 * Then the kernel's part alone, on untouched text as big as the sites':
 * "cow_NSITES", rewriting it unchanged through /proc/self/mem window by
 * window as bind-all does (the floor of that method), and "cowmp_NSITES",
 * making it writable with mprotect and MADV_POPULATE_WRITE and storing to
 * it directly (the road not taken: code would be writable meanwhile). */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <lazygate/lazygate.h>
#include "t.h"

extern const struct lg_api t_api;

__asm__(".text\n"
	"bulk_sites:\n\t"
	".rept " LG_STR(NSITES) "\n\t"
	LG_ASM_K32("1")
	".fill 23, 1, 0x90\n\t"
	".endr\n\t"
	"ret\n\t"
	".balign 4096\n"
	"bulk_pwrite:\n\t"
	".fill " LG_STR(NSITES) " * 32, 1, 0x90\n\t"
	".balign 4096\n"
	"bulk_mprotect:\n\t"
	".fill " LG_STR(NSITES) " * 32, 1, 0x90\n\t"
	".balign 4096\n");
extern unsigned char bulk_pwrite[], bulk_mprotect[];
#define BULK (NSITES * 32UL)
#define WINDOW 65536UL

static unsigned long long now(void)
{
	unsigned int lo, hi;

	__asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi));
	return (unsigned long long)hi << 32 | lo;
}

static double cow_pwrite(void)
{
	static unsigned char buf[WINDOW];
	unsigned long long t0;
	unsigned long o, n;
	int fd = open("/proc/self/mem", O_RDWR);

	if (fd < 0)
		return -1;
	t0 = now();
	for (o = 0; o < BULK; o += n) {
		n = BULK - o < WINDOW ? BULK - o : WINDOW;
		memcpy(buf, bulk_pwrite + o, n);
		if (pwrite(fd, buf, n, (off_t)(unsigned long)(bulk_pwrite + o)) != (ssize_t)n)
			return -1;
	}
	t0 = now() - t0;
	close(fd);
	return (double)t0 / NSITES;
}

static double cow_mprotect(void)
{
	volatile unsigned char *p = bulk_mprotect;
	unsigned long long t0 = now();
	unsigned long o;

	if (mprotect(bulk_mprotect, BULK, PROT_READ | PROT_WRITE))
		return -1;
	madvise(bulk_mprotect, BULK, 23 /* MADV_POPULATE_WRITE, Linux 5.14 */);
	for (o = 0; o < BULK; o += 32)
		p[o] = p[o];
	if (mprotect(bulk_mprotect, BULK, PROT_READ | PROT_EXEC))
		return -1;
	return (double)(now() - t0) / NSITES;
}

static void *blocked(void *fd)
{
	char c;

	return (void *)(long)read(*(int *)fd, &c, 1);
}

/* Unbind everything (a replacement), then time one bind-all. */
__attribute__((noinline)) static double rebind(void)
{
	unsigned long long t0;
	long n;

	if (lazygate_replace(&t_api, &t_api))
		return perror("lazygate_replace"), -1;
	t0 = now();
	n = lazygate_bind_all();
	return n < NSITES ? -1 : (double)(now() - t0) / (double)n;
}

__attribute__((noinline)) static double rebind_threaded(void)
{
	pthread_t th;
	int fd[2];
	double v;

	if (pipe(fd) || pthread_create(&th, 0, blocked, &fd[0]))
		return -1;
	v = rebind();
	close(fd[1]);
	pthread_join(th, 0);
	close(fd[0]);
	return v;
}

int main(void)
{
	unsigned long long t0, t1;
	long n;

	if (lazygate_provide(&t_api))
		return perror("lazygate_provide"), 2;
	t0 = now();
	n = lazygate_bind_all();
	t1 = now();
	if (n < NSITES)
		return fprintf(stderr, "bound %ld of %d sites\n", n, NSITES), 1;
	printf("bindall_%d %.1f\n", NSITES, (double)(t1 - t0) / (double)n);
	/* Again, once the text pages are the process's own copies: what the
	 * first batch spends on copy-on-write. */
	printf("again_%d %.1f\n", NSITES, rebind());
	printf("threads_%d %.1f\n", NSITES, rebind_threaded());
	printf("cow_%d %.1f\n", NSITES, cow_pwrite());
	printf("cowmp_%d %.1f\n", NSITES, cow_mprotect());
	return 0;
}
