#!/bin/sh
# gen-peer.sh N PREFIX: the glibc peer of the benchmarks, in assembler so
# that 100 000 functions build in a second.
#   PREFIX_lib.S    int peer_K(int a, int b) { return a + b + K; }, K < N
#   PREFIX_calls.S  peer_call_K: a jump through the PLT to peer_K, and
#                   peer_fn[K] = peer_call_K (link the program -no-pie)
#   PREFIX.h        their declarations
set -eu
n=$1 p=$2
awk -v n="$n" 'BEGIN {
	print "\t.text"
	for (k = 0; k < n; k++) {
		printf "\t.globl peer_%d\n\t.type peer_%d, @function\npeer_%d:\n", k, k, k
		printf "\tmovl 4(%%esp), %%eax\n\taddl 8(%%esp), %%eax\n\taddl $%d, %%eax\n\tret\n", k
	}
	print "\t.section .note.GNU-stack,\"\",@progbits"
}' > "${p}_lib.S"
awk -v n="$n" 'BEGIN {
	print "\t.text"
	for (k = 0; k < n; k++)
		printf "peer_call_%d:\n\tjmp peer_%d@PLT\n", k, k
	print "\t.section .rodata\n\t.globl peer_fn\n\t.balign 4\npeer_fn:"
	for (k = 0; k < n; k++)
		printf "\t.long peer_call_%d\n", k
	print "\t.section .note.GNU-stack,\"\",@progbits"
}' > "${p}_calls.S"
cat > "${p}.h" <<H
#define PEER_N $n
extern int (*const peer_fn[])(int, int);
int peer_0(int a, int b);
H
