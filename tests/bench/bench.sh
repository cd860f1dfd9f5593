#!/bin/sh
# lazygate's call benchmarks (make bench): runs the programs built in $B,
# prints one markdown table (also in $B/bench.md) and plots the first-call
# figures to $B/bench-first.png with gnuplot.  Figures are rdtsc cycles:
# the median, and in brackets the spread: 10th-90th percentile over the
# repeats or sites of one process, min-max over the processes of bind-all;
# ratios against the peer measured in the same run.  Instruction counts are from callgrind.
#
#   B=build/tests/bench RUNTIME_SO=build/runtime/liblazygate.so.0 \
#   KOBJ=build/samples/kernel sh bench.sh
set -u
: "${B:=tests/bench}" "${RUNTIME_SO:=runtime/liblazygate.so.0}" "${REPS:=5}"
T=$(mktemp -d "${TMPDIR:-/tmp}/lazygate-bench.XXXXXX") || exit 2
trap 'rm -rf "$T"' EXIT
out=$T/figures

run() { "$@" >>"$out" || { echo "bench: failed: $*" >&2; exit 2; }; }
run "$B/calls" steady
run "$B/calls" first
for t in 1 2 8; do run "$B/calls" race $t; done
# bind-all, one process per repeat (the first batch of a process is the
# one that copies its text pages); ld.so's relocation time for as many PLT
# relocations, from its own statistics
for n in 10000 100000; do
	i=0
	while [ $i -lt "$REPS" ]; do
		"$B/bindall-$n" >"$T/one" || exit 2
		awk '/^bindall/ { print $2 }' "$T/one" >>"$T/lg$n"
		awk '/^again/ { print $2 }' "$T/one" >>"$T/again$n"
		awk '/^threads/ { print $2 }' "$T/one" >>"$T/threads$n"
		awk '/^cow_/ { print $2 }' "$T/one" >>"$T/cow$n"
		awk '/^cowmp_/ { print $2 }' "$T/one" >>"$T/cowmp$n"
		LD_BIND_NOW=1 LD_DEBUG=statistics "$B/ldnow-$n" 2>&1 | awk -v n="$n" '
			/time needed for relocation:/ { c = $(NF-2) }
			END { printf "%.1f\n", c / n }' >>"$T/ld$n"
		i=$((i + 1))
	done
	for w in lg again threads ld cow cowmp; do
		sort -n "$T/$w$n" | awk -v name="bindall_${w}_$n" '{ v[NR] = $1 }
			END { printf "%s %.1f %.1f %.1f\n", name, v[int((NR + 1) / 2)], v[1], v[NR] }' >>"$out"
	done
done
# instructions per call (callgrind; the loop's own 3 are in every figure)
if command -v valgrind >/dev/null 2>&1; then
	valgrind --tool=callgrind --vgdb=no --callgrind-out-file="$T/cg" "$B/calls" icount >/dev/null 2>&1
	callgrind_annotate --inclusive=yes "$T/cg" 2>/dev/null |
		awk '/:loop_[a-z_]+ \[/ { gsub(",", "", $1); f = $0
			sub(/.*:loop_/, "", f); sub(/ .*/, "", f)
			if (!seen[f]++) printf "ir_%s %.1f\n", f, $1 / 1000000 }' >>"$out"
fi
# sizes
hex=$(readelf -SW "$B/bindall-100000" | sed -n 's/.* lazygate_sites *[A-Z]* *[0-9a-f]* [0-9a-f]* \([0-9a-f]*\) .*/\1/p')
[ -n "$hex" ] && echo "size_site_bytes $(( 0x$hex / 100000 ))" >>"$out"
size -A "$RUNTIME_SO" | awk '$1 == ".text" { print "size_user_text", $2 }' >>"$out"
# the kernel runtime as the sample kernel builds it (-Os): lgk.o, and the
# core it calls (stub encodings, table lookup, the patch protocol, providers,
# batches)
if [ -f "${KOBJ:-}/rt_lgk.o" ]; then
	core="$KOBJ/rt_stub.o $KOBJ/rt_table.o $KOBJ/rt_patch.o $KOBJ/rt_provider.o $KOBJ/rt_batch.o"
	size -A "$KOBJ/rt_lgk.o" | awk '$1 == ".text" { print "size_kernel_text", $2 }' >>"$out"
	size -A $core | awk '$1 == ".text" { n += $2 } END { print "size_kernel_core_text", n }' >>"$out"
	sh "$(dirname "$0")/path.sh" "$KOBJ/rt_lgk.o" $core >>"$out"
fi

# In the VM (tests/vm/run32), cycles are the emulator's: report.awk withholds them.
emulated=0
[ -z "${LAZYGATE_IN_VM:-}" ] || emulated=1
awk -v md="$B/bench.md" -v dat="$T/first.dat" -v emulated=$emulated -f "$(dirname "$0")/report.awk" "$out"
if [ $emulated = 1 ]; then
	echo "bench: emulated: no plot" >&2
elif command -v gnuplot >/dev/null 2>&1; then
	gnuplot <<G || echo "bench: gnuplot failed" >&2
set terminal png size 800,480
set output "$B/bench-first.png"
set title "lazygate: first call, cycles per site (median, 10th-90th percentile)"
set logscale y
set ylabel "cycles"
set style fill solid 0.5
set boxwidth 0.6
set xtics rotate by -20
unset key
plot "$T/first.dat" using 1:3:xtic(2) with boxes, "" using 1:3:4:5 with yerrorbars
G
	echo "plot: $B/bench-first.png"
else
	echo "bench: gnuplot not installed: no plot" >&2
fi
