/* forms.pml - the binding protocol with the bound forms as they are now
 * (one instruction each, doc/FORMAT.md section 1), for spin.  bind.pml
 * models the protocol around an abstract bound state; this model looks at
 * the bytes: a k32 site is
 *
 *   head  byte 0     3E, or CD while claimed
 *   g1    bytes 2-4  9A gg gg (initial) | 9A oo oo (far) | 2E 2E E8 (near)
 *   g2    bytes 5-8  gg gg 02 00 | oo oo cs cs (far) | rel32 (near)
 *
 * (byte 1, 67, never changes).  Each CPU executes from its own view of the
 * three parts, refreshing any subset of it at any time, all of it at a
 * trap or when another CPU serializes it.  A view is decoded as the CPU
 * would: CD traps; a far call through the null selector faults (#GP); a
 * whole initial, far or near instruction to provider A or B calls it;
 * anything else is a torn instruction (a call through a selector or to an
 * offset that is half old, half new, or a near call with a stale rel32).
 *
 * FORM 0 binds far, FORM 1 near.  There is no serialization after the
 * head: a CPU still fetching CD traps, finds the site bound under the lock
 * and re-executes it with a fresh view.  Mutants (MUTANT=n): 1 head written
 * before the tail; 2 no serialization at all; 3 the claim released before
 * the head is written; 4 no serialization between the claim and the tail
 * (the step Linux's text_poke_bp also has); 5 none between the tail and
 * the head.  Each of the two rounds is needed, a third is not. */
#ifndef MUTANT
#define MUTANT 0
#endif
#ifndef FORM
#define FORM 1
#endif
#define NCPU 3
#define ROUNDS 2

#define H3E 0
#define CD 1
#define G1_INIT 0 /* 9A gg gg */
#define G1_FA 1   /* 9A + A's offset, low half */
#define G1_FB 2
#define G1_NEAR 3 /* 2E 2E E8 */
#define G2_INIT 0 /* gg gg 02 00: the null selector */
#define G2_FA 1   /* A's offset, high half, and CS */
#define G2_FB 2
#define G2_NA 3   /* rel32 to A's near entry */
#define G2_NB 4
#define A 1
#define B 2

byte head = H3E, g1 = G1_INIT, g2 = G2_INIT;
byte vh[NCPU], v1[NCPU], v2[NCPU];
bit lock;
byte target = A;
bool replaced;
byte binds;
byte calls;

inline sync() {
	d_step {
		vh[0] = head; v1[0] = g1; v2[0] = g2;
		vh[1] = head; v1[1] = g1; v2[1] = g2;
		vh[2] = head; v1[2] = g1; v2[2] = g2
	}
}

inline sync_m() { /* a sync that the mutants 2 and 4 skip */
#if MUTANT != 2
	sync()
#else
	skip
#endif
}

inline write_tail(a, b) {
	if
	:: g1 = a; g2 = b
	:: g2 = b; g1 = a
	fi
}

/* lg_patch: claim, sync, tail, sync, head.  Lock held. */
inline patch(a, b) {
	assert(head == H3E);
	head = CD;
#if MUTANT != 4
	sync_m();
#endif
#if MUTANT == 1
	head = H3E;
	sync_m();
	write_tail(a, b);
#else
	write_tail(a, b);
#if MUTANT != 5
	sync_m();
#endif
#if MUTANT == 3
	lock = 0;
#endif
	head = H3E;
#endif
}

inline acquire() { atomic { lock == 0 -> lock = 1 } }
inline release() { lock = 0 }

/* The bound form of the provider in force. */
inline bind_to(p) {
	if
	:: FORM == 0 && p == A -> patch(G1_FA, G2_FA)
	:: FORM == 0 && p == B -> patch(G1_FB, G2_FB)
	:: FORM == 1 && p == A -> patch(G1_NEAR, G2_NA)
	:: FORM == 1 && p == B -> patch(G1_NEAR, G2_NB)
	fi
}

inline handler(i) {
	acquire();
	if
	:: head == H3E && g1 == G1_INIT && g2 == G2_INIT ->
		bind_to(target);
		binds++;
		assert(binds == 1)
	:: head == CD -> assert(false) /* passed on: must not happen */
	:: else -> skip /* bound meanwhile: re-execute */
	fi;
#if MUTANT == 3
	if :: lock == 1 -> release() :: else -> skip fi;
#else
	release();
#endif
	d_step { vh[i] = head; v1[i] = g1; v2[i] = g2 }
}

/* What the view decodes to: 0 trap, A or B a call, 9 torn. */
inline decode(i, r) {
	if
	:: vh[i] == CD -> r = 0
	:: vh[i] == H3E && v1[i] != G1_NEAR && v2[i] == G2_INIT -> r = 0 /* #GP */
	:: vh[i] == H3E && v1[i] == G1_FA && v2[i] == G2_FA -> r = A
	:: vh[i] == H3E && v1[i] == G1_FB && v2[i] == G2_FB -> r = B
	:: vh[i] == H3E && v1[i] == G1_NEAR && v2[i] == G2_NA -> r = A
	:: vh[i] == H3E && v1[i] == G1_NEAR && v2[i] == G2_NB -> r = B
	:: else -> r = 9
	fi
}

proctype cpu(byte i) {
	byte n, r;

	do
	:: n == ROUNDS -> break
	:: n < ROUNDS ->
		if :: vh[i] = head :: skip fi;
		if :: v1[i] = g1 :: skip fi;
		if :: v2[i] = g2 :: skip fi;
		atomic {
			decode(i, r);
			assert(r != 9);                 /* never a torn instruction */
			assert(!(replaced && r == A));  /* never the replaced provider */
			if :: r != 0 -> calls++; n++ :: else -> skip fi
		}
		if
		:: r == 0 -> handler(i)
		:: else -> skip
		fi
	od
}

/* lazygate_replace: unbind what is bound to A, then serve B. */
proctype replacer() {
	acquire();
	if
	:: head == H3E && ((g1 == G1_FA && g2 == G2_FA) || (g1 == G1_NEAR && g2 == G2_NA)) ->
		patch(G1_INIT, G2_INIT)
	:: else -> skip
	fi;
	target = B;
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
		run cpu(0); run cpu(1); run cpu(2); run replacer()
	}
}

ltl done { <> (calls == NCPU * ROUNDS) }
