/* clients.h - what the sample's clients export to the kernel's tests. */
#ifndef SAMPLE_CLIENTS_H
#define SAMPLE_CLIENTS_H

/* The results of one round of calls to gates 1-5. */
struct calls {
	unsigned int version;
	int add, mul;
	unsigned int len;
	int cf, q, r, cf0;
	int done;
};

/* drv32.c: the 32-bit driver */
void drv32_calls(struct calls *c);
unsigned int drv32_cpu_id(void);
unsigned int drv32_which(void);
int drv32_late(unsigned int x, unsigned int *r);

/* mixed16.c (16-bit code) + mixed32.c: the mixed driver */
extern struct calls mixed16_out[2];
void mixed32_calls(struct calls *c);

/* app.c + app16.S: the ring-3 application (32-bit and 16-bit parts) */
struct far16 {
	unsigned int off;
	unsigned short sel;
} __attribute__((packed));
extern struct calls app_out[2], app16_out[2];
extern struct far16 app16_far; /* set by the kernel: USEG16 : app16_round */
void app_main(void);
void app_main16(void);
void app_bad(void);
extern volatile int app_bad_reached;

/* race.c: 1024 sites of race_add, each returning race_add(id, k); C-call
 * sites for an odd id, register-form ones for an even id */
#define RACE_SITES 1024
struct race_site {
	unsigned int (*fn)(unsigned int k);
	unsigned int id;
};
extern const struct race_site race_sites[RACE_SITES];

/* ccall.c (linked into the kernel): the kernel's own C-call sites, one
 * function per scenario of tests.c, each with sites of its own gates. */
void cc_calls(struct calls *c);               /* gates 1-5 */
unsigned int cc_cpu_id(void);                 /* 6, bound in far mode */
unsigned int cc_race_add(void);               /* 7: race_add(20, 2) */
unsigned int cc_race_add_alias(void);         /* the same site, run in KCS_ALIAS */
unsigned int cc_which(void);                  /* 8 */
int cc_late(unsigned int x, unsigned int *r); /* 9 */
int cc_sub(int a);                            /* 10 (regparm): a - 8 */
unsigned int cc_align(unsigned int skew);     /* 11, from a stack lowered by SKEW bytes */
int cc_narrow(int c, unsigned int h, int flag); /* 12 */
#endif
