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

/* app.c: the ring-3 application */
extern struct calls app_out[2];
void app_main(void);
void app_bad(void);
extern volatile int app_bad_reached;

/* race.c: 1024 sites of race_add, each returning race_add(id, k) */
#define RACE_SITES 1024
struct race_site {
	unsigned int (*fn)(unsigned int k);
	unsigned int id;
};
extern const struct race_site race_sites[RACE_SITES];
#endif
