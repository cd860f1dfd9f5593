#!/bin/sh
# gatelink benchmark (not a test): an object with 100 000 sites; prints the
# time of gatelink check, bind and list beside objcopy of the same file in
# the same run, and the ratios.  Target: bind within 1.5x of objcopy.
#
#   GATELINK=build/gatelink top_srcdir=. sh tests/gatelink/bench.sh [SITES]
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${GATELINK:=${top_builddir:-.}/gatelink}" "${CC32:=gcc -m32}" "${OBJCOPY:=objcopy}"
N=${1:-100000}
REPS=${REPS:-21}
D=$top_srcdir/tests/gatelink/data
T=$(mktemp -d "${TMPDIR:-/tmp}/gatelink-bench.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2

# N sites of the four kinds over 1000 gates, 16 sites per function.
awk -v n="$N" 'BEGIN {
	print "#include <lazygate/stub.h>\n#include \"stubs.inc\"\n\tnote\n\t.text"
	split("k32 k16 a32 a16", kind, " ")
	for (i = 0; i < n; i++) {
		if (i % 16 == 0) printf "f%d:\tpushl %%ebp\n", i
		printf "\t%s %d\n", kind[i % 4 + 1], i % 1000 + 1
		if (i % 16 == 15) print "\tpopl %ebp\n\tret"
	}
	print "\tret\n\t.section .note.GNU-stack, \"\", @progbits"
}' > big.S
$CC32 -I"$top_srcdir/include" -I"$D" -c -o big.o big.S || exit 2
awk 'BEGIN { print "# every gate: kernel callers far, application callers a call gate"
	for (g = 1; g <= 1000; g++) printf "%d 0x08:0x%x\n%d 0x%x\n", g, 0x100000 + 16 * g, g, 8 * (g + 16) + 3 }' > big.map

now() { date +%s%N; }
# Each rep runs every command once, in turn, so that noise hits them alike;
# a command's figure is its best rep, in microseconds.
cmds="objcopy check bind list unbind"
run1() {
	case $1 in
	objcopy) $OBJCOPY big.o copy.o ;;
	check) "$GATELINK" check big.o ;;
	bind) "$GATELINK" bind --map big.map big.o -o bound.o ;;
	list) "$GATELINK" list big.o ;;
	unbind) "$GATELINK" unbind bound.o -o unbound.o ;;
	esac
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }

echo "big.o: $N sites, $(wc -c < big.o) bytes; best of $REPS interleaved runs"
i=0
while [ $i -lt "$REPS" ]; do
	for c in $cmds; do
		t0=$(now)
		run1 $c >/dev/null 2>&1 || { echo "failed: $c" >&2; exit 2; }
		t1=$(now)
		us=$(( (t1 - t0) / 1000 ))
		eval "b=\${best_$c:-}"
		if [ -z "$b" ] || [ $us -lt "$b" ]; then eval "best_$c=$us"; fi
	done
	i=$((i + 1))
done
cmp -s big.o unbound.o || echo "WARNING: bind + unbind did not give back big.o"
oc=$best_objcopy
printf '%-22s %8s ms\n' "objcopy" "$(ms $oc)"
printf '%-22s %8s ms   %sx objcopy\n' "gatelink check" "$(ms $best_check)" "$(ratio $best_check $oc)"
printf '%-22s %8s ms   %sx objcopy   (target <= 1.5x)\n' "gatelink bind" "$(ms $best_bind)" "$(ratio $best_bind $oc)"
printf '%-22s %8s ms   %sx objcopy\n' "gatelink list" "$(ms $best_list)" "$(ratio $best_list $oc)"
printf '%-22s %8s ms   %sx objcopy\n' "gatelink unbind" "$(ms $best_unbind)" "$(ratio $best_unbind $oc)"
