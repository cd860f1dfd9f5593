#!/bin/sh
# Scaling of the host tools (not a test: no figure is asserted).  Prints,
# for inputs ten times larger each row, the time and the growth beside the
# row before, measured in the same run: about 10x per row is linear, 100x
# quadratic.
#
#   gatec: N generated gates (one register argument, one result) in .gates
#   and RDOS .def form, all three outputs written.  Target: 100 000 gates in
#   under 3 s, 1 000 000 in under 30 s (SCALE_MAX=1000000 adds that row).
#
#   gatelink bind with a provider map of N lines: gates in order, in
#   descending order, and the numbers that all fell into one probe run of
#   the hash index the map used to have (a map "built against the lookup").
#   Beside: the same object bound with a 5-line map.  Target: 100 000 lines
#   of any shape in well under a second.
#
#   GATEC=build/gatec GATELINK=build/gatelink top_srcdir=. sh tests/bench/scale.sh
set -u
: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=.}" "${CC32:=gcc -m32}"
: "${GATEC:=$top_builddir/gatec}" "${GATELINK:=$top_builddir/gatelink}"
MAX=${SCALE_MAX:-100000}
T=$(mktemp -d "${TMPDIR:-/tmp}/scale-bench.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2

now() { date +%s%N; }
# The best of REPS runs of a command, in microseconds, in $us.
best() { # best REPS COMMAND...
	_r=$1 us=
	shift
	while [ "$_r" -gt 0 ]; do
		_t0=$(now)
		"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 2; }
		_t=$(( ($(now) - _t0) / 1000 ))
		if [ -z "$us" ] || [ "$_t" -lt "$us" ]; then us=$_t; fi
		_r=$((_r - 1))
	done
}
ms() { awk -v u="$1" 'BEGIN { printf "%.1f", u / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else printf "-" }'; }
reps() { [ "$1" -le 10000 ] && echo 5 || echo 1; }

gates() { # gates N: N.gates and N.def
	awk -v n="$1" 'BEGIN { print "api big;"
		for (i = 1; i <= n; i++) printf "gate %d g%d(eax: int a) -> (eax: int r);\n", i, i }' > "$1.gates"
	awk -v n="$1" 'BEGIN { for (i = 1; i <= n; i++) printf "g%d_nr = %d\n", i, i }' > "$1.def"
}
gatec_all() { "$GATEC" --api=big --header=out.h --asm=out.inc --provider=out.c "$1"; }

echo "gatec: N gates, all three outputs (about 2.7 KB a gate), and only read"
echo "(no output); best of 5 runs (1 from 100 000 gates)"
echo
echo "| gates | .gates | growth | .def | growth | .gates, read only | growth |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
pg= pd= pr=
for n in 1000 10000 100000 1000000; do
	[ $n -le "$MAX" ] || break
	gates $n
	best "$(reps $n)" gatec_all $n.gates
	g=$us
	best "$(reps $n)" gatec_all $n.def
	d=$us
	best "$(reps $n)" "$GATEC" $n.gates
	r=$us
	printf '| %d | %s ms | %s | %s ms | %s | %s ms | %s |\n' $n "$(ms $g)" "$(ratio $g "${pg:-0}")" \
		"$(ms $d)" "$(ratio $d "${pd:-0}")" "$(ms $r)" "$(ratio $r "${pr:-0}")"
	pg=$g pd=$d pr=$r
	rm -f $n.gates $n.def out.h out.inc out.c
done

# The object: the sites of the gatelink tests (gates 1 to 4 and 0x123456).
$CC32 -I"$top_srcdir/include" -I"$top_srcdir/tests/gatelink/data" -c -o sites.o \
	"$top_srcdir/tests/gatelink/data/sites.S" || exit 2
printf '1 0x23:0x1000\n1 0x3b\n2 0x23:0x2000\n2 0x43\n3 0x08:0x3000\n4 0x23:0x4000\n4 0x4b\n0x123456 0x08:0x5000\n' > base.map
# N more lines, call gate form, for gates other than the object's.
more() { # more N SHAPE > map
	cat base.map
	awk -v n="$1" -v shape="$2" 'BEGIN {
		# The old index hashed (gate * 2654435761) & (2^18 - 1): the gates
		# r + j * 2^18 (j < 64) with r = h * 208721 mod 2^18 (208721 is the
		# inverse of the multiplier mod 2^18) hash to h, so h = 0, 1, 2 ...
		# fill one run of buckets.
		for (i = 0; k < n; i++) {
			if (shape == "colliding")
				g = (int(i / 64) * 208721) % 262144 + (i % 64) * 262144
			else if (shape == "descending")
				g = 16777215 - i
			else
				g = 5 + i
			if (g <= 4 || g == 1193046)
				continue
			printf "%d 0x%x\n", g, 4 + 8 * (k % 8000)
			k++
		}
	}'
}
bind() { "$GATELINK" bind --map "$1" sites.o -o bound.o; }

echo
echo "gatelink bind --map: a small object, maps of N lines; best of 5 runs"
echo
echo "| map | time | x the 8-line map |"
echo "|---|---:|---:|"
best 5 bind base.map
b=$us
printf '| 8 lines | %s ms | 1.0x |\n' "$(ms $b)"
for shape in ordered descending colliding; do
	for n in 10000 100000; do
		more $n $shape > m.map
		best 5 bind m.map
		printf '| %d lines, %s | %s ms | %s |\n' $n $shape "$(ms $us)" "$(ratio $us $b)"
	done
done
