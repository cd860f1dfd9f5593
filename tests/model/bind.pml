/* bind.pml - the binding protocol of lazygate's userland runtime (and of
 * lg_patch, runtime/core/patch.c), for spin.  doc/model.md explains it.
 *
 * One site, NCPU CPUs executing it ROUNDS times each, and a replacer that
 * swaps provider A for provider B once, while they run.  Memory holds the
 * site as three parts: head (3E/CD/90), offset (gate number or a target),
 * selector (null or CS).  Every CPU executes from its own *view* of those
 * parts, which may be stale: a CPU refreshes any subset of its view at any
 * time, and all of it when it takes a trap (interrupt return serializes)
 * or when another CPU syncs (membarrier SYNC_CORE / IPI).
 *
 * No serialization after the head (lg_patch has two rounds): a CPU still
 * fetching CD traps, finds the site bound under the lock and re-executes.
 *
 * Mutants (spin -DMUTANT=n): 1 head written before the tail; 2 no
 * serialization; 3 the lock (the claim) released before the head is
 * written.  Each must be rejected; MUTANT 0 is the real protocol.
 */
#ifndef MUTANT
#define MUTANT 0
#endif
#define NCPU 3
#define ROUNDS 2

#define INIT 0  /* 3E: initial head */
#define CD 1    /* claimed: int 0x67 */
#define NOP 2   /* 90: bound head */
#define GATE 0  /* offset field holds the gate number */
#define OFFA 1  /* provider A's entry */
#define OFFB 2  /* provider B's entry */
#define NUL 0   /* null selector: the call faults */
#define CS 1

byte head = INIT, off = GATE, sel = NUL;
byte vh[NCPU], vo[NCPU], vs[NCPU]; /* each CPU's view */
bit lock;
byte target = OFFA;   /* the provider's entry */
bool replaced;        /* the replacement has finished */
byte binds;           /* binds since the last (un)bind of the provider */
byte calls;

inline sync() {
#if MUTANT != 2
	d_step {
		vh[0] = head; vo[0] = off; vs[0] = sel;
		vh[1] = head; vo[1] = off; vs[1] = sel;
		vh[2] = head; vo[2] = off; vs[2] = sel
	}
#else
	skip
#endif
}

/* The tail's bytes are written in no guaranteed order. */
inline write_tail(o, s) {
	if
	:: off = o; sel = s
	:: sel = s; off = o
	fi
}

/* lg_patch: claim, sync, tail, sync, head.  Lock held. */
inline patch(fromhead, o, s, tohead) {
	assert(head == fromhead);
	head = CD;
	sync();
#if MUTANT == 1
	head = tohead;
	sync();
	write_tail(o, s);
#else
	write_tail(o, s);
	sync();
#if MUTANT == 3
	lock = 0;
#endif
	head = tohead;
#endif
}

inline acquire() { atomic { lock == 0 -> lock = 1 } }
inline release() { lock = 0 }

/* The SIGSEGV handler (fault.c handle()): any trap at the site. */
inline handler(i) {
	acquire();
	if
	:: head == INIT && off == GATE && sel == NUL ->
		patch(INIT, target, CS, NOP);
		binds++;
		assert(binds == 1)
	:: head == CD ->
		/* Holding the lock, nobody is binding: fault.c passes this on
		 * and the process dies.  It must never happen at a real site. */
		assert(false)
	:: else -> skip /* bound meanwhile: re-execute */
	fi;
#if MUTANT == 3
	if :: lock == 1 -> release() :: else -> skip fi;
#else
	release();
#endif
	d_step { vh[i] = head; vo[i] = off; vs[i] = sel } /* iret serializes */
}

proctype cpu(byte i) {
	byte n;
	bit trapped;

	do
	:: n == ROUNDS -> break
	:: n < ROUNDS ->
		/* fetch: any subset of the view may be refreshed */
		if :: vh[i] = head :: skip fi;
		if :: vo[i] = off :: skip fi;
		if :: vs[i] = sel :: skip fi;
		/* execute: one atomic step, as an interrupt (a sync) arrives
		 * only between instructions */
		atomic {
			if
			:: vh[i] == CD -> trapped = 1          /* int 0x67 */
			:: vh[i] != CD && vs[i] == NUL -> trapped = 1 /* #GP(0) */
			:: vh[i] != CD && vs[i] == CS ->
				/* a far call to vo[i]: never a torn instruction */
				assert(vo[i] == OFFA || vo[i] == OFFB);
				/* never the old provider once replaced */
				assert(!(replaced && vo[i] == OFFA));
				calls++;
				n++
			fi
		}
		if
		:: trapped -> trapped = 0; handler(i)
		:: else -> skip
		fi
	od
}

/* lazygate_replace: unbind what is bound to A, then serve B. */
proctype replacer() {
	acquire();
	if
	:: head == NOP && off == OFFA -> patch(NOP, GATE, NUL, INIT)
	:: else -> skip
	fi;
	target = OFFB;
	binds = 0;
	replaced = true;
#if MUTANT == 3
	if :: lock == 1 -> release() :: else -> skip fi
#else
	release()
#endif
}

init {
	atomic {
		vh[0] = head; vh[1] = head; vh[2] = head;
		run cpu(0); run cpu(1); run cpu(2); run replacer()
	}
}

/* Every CPU finishes its calls (no deadlock, no endless wait): checked by
 * spin as valid end states; and at the end the site is bound exactly once
 * for the provider in force. */
ltl done { <> (calls == NCPU * ROUNDS) }
