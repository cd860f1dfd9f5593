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
	valgrind --tool=callgrind --callgrind-out-file="$T/cg" "$B/calls" icount >/dev/null 2>&1
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
# core it calls (stub encodings, table lookup, the patch protocol)
if [ -f "${KOBJ:-}/rt_lgk.o" ]; then
	size -A "$KOBJ/rt_lgk.o" | awk '$1 == ".text" { print "size_kernel_text", $2 }' >>"$out"
	size -A "$KOBJ/rt_stub.o" "$KOBJ/rt_table.o" "$KOBJ/rt_patch.o" |
		awk '$1 == ".text" { n += $2 } END { print "size_kernel_core_text", n }' >>"$out"
fi

awk -v md="$B/bench.md" -v dat="$T/first.dat" '
function f(k) { return (k in med) ? med[k] : "n/a" }
function cell(k) { return k == "" ? "" : !(k in med) ? "n/a" : (k in lo) ? sprintf("%s [%s-%s]", med[k], lo[k], hi[k]) : med[k] }
function r(a, b) { return (a in med) && (b in med) && med[b] > 0 ? sprintf("%.2fx", med[a] / med[b]) : "n/a" }
function line(s) { print s > md; print s }
function row(what, k, ratio, ir) { printf "| %s | %s | %s | %s |\n", what, cell(k), ratio, ir > md; printf "| %s | %s | %s | %s |\n", what, cell(k), ratio, ir }
NF == 4 { med[$1] = $2; lo[$1] = $3; hi[$1] = $4; next }
NF == 2 { med[$1] = $2 }
END {
	printf "" > md
	line("| measurement | cycles: median [spread] | ratio | per call or site |")
	line("| --- | --- | --- | --- |")
	row("**Bound call** (cycles per call)", "", "", "*instructions*")
	row("direct near call", "direct", "1.00x direct", f("ir_direct"))
	row("indirect call", "indirect", r("indirect", "direct") " direct", f("ir_indirect"))
	row("call through glibc PLT", "plt", r("plt", "direct") " direct", f("ir_plt"))
	row("lazygate near form", "lazygate_near", r("lazygate_near", "plt") " PLT (goal <= 1)", (("ir_near_entry" in med) ? med["ir_near_entry"] + 3 : "n/a"))
	row("plain call into the near entry (no prefixes)", "near_entry", r("near_entry", "plt") " PLT", (("ir_near_entry" in med) ? med["ir_near_entry"] : "n/a"))
	row("lazygate near form, regparm gate (no thunk)", "lazygate_near_regparm", r("lazygate_near_regparm", "plt") " PLT (goal <= 1)", (("ir_regparm_entry" in med) ? med["ir_regparm_entry"] + 3 : "n/a"))
	row("plain call into the regparm implementation", "regparm_entry", r("regparm_entry", "plt") " PLT", f("ir_regparm_entry"))
	row("lazygate near form, regparm gate in add registers (moves)", "lazygate_near_moved", r("lazygate_near_moved", "plt") " PLT (goal <= 1)", (("ir_moved_entry" in med) ? med["ir_moved_entry"] + 3 : "n/a"))
	row("plain call into its near entry (moves, then the implementation)", "moved_entry", r("moved_entry", "plt") " PLT", f("ir_moved_entry"))
	row("lazygate far form", "lazygate_far", r("lazygate_far", "far_by_hand") " by hand (goal <= 1.02)", "n/a")
	row("far call by hand, same entry", "far_by_hand", "", "n/a")
	row("**First call** (cycles per site)", "", "", "*traps*")
	row("bare SIGSEGV round trip", "segv_round_trip", "1.00x", "")
	row("lazygate, 1 thread", "first_lazygate", r("first_lazygate", "segv_round_trip") " SIGSEGV (goal <= 1.5)", f("traps_per_site"))
	row("lazygate, 1 thread, in rounds of 32", "race_1", r("race_1", "segv_round_trip") " SIGSEGV", f("race_1_traps_per_site"))
	row("lazygate, 2 threads racing, per round", "race_2", r("race_2", "segv_round_trip") " SIGSEGV", f("race_2_traps_per_site"))
	row("lazygate, 8 threads racing, per round", "race_8", r("race_8", "segv_round_trip") " SIGSEGV", f("race_8_traps_per_site"))
	row("glibc lazy PLT (4096 functions)", "first_plt", r("first_lazygate", "first_plt") " (lazygate/PLT)", "")
	row("part: 1-byte /proc/self/mem write", "part_write", f("writes_per_site") " per bind", "")
	row("part: membarrier SYNC_CORE round", "part_sync", f("syncs_per_site") " per bind", "")
	row("**Bind-all at load** (cycles per site)", "", "", "")
	row("lazygate_bind_all, 10 000 sites", "bindall_lg_10000", r("bindall_ld_10000", "bindall_lg_10000") " = ld.so/lazygate (goal >= 2)", "")
	row("the same again, text pages already copied", "bindall_again_10000", "", "")
	row("the same again with a second thread (three rounds)", "bindall_threads_10000", r("bindall_threads_10000", "bindall_again_10000") " the same alone", "")
	row("LD_BIND_NOW, 10 000 PLT relocations", "bindall_ld_10000", "", "")
	row("part: the text rewritten unchanged through /proc/self/mem", "bindall_cow_10000", r("bindall_cow_10000", "bindall_lg_10000") " of bind-all", "")
	row("road not taken: mprotect RW + MADV_POPULATE_WRITE + stores", "bindall_cowmp_10000", r("bindall_cowmp_10000", "bindall_ld_10000") " LD_BIND_NOW", "")
	row("lazygate_bind_all, 100 000 sites", "bindall_lg_100000", r("bindall_ld_100000", "bindall_lg_100000") " = ld.so/lazygate (goal >= 2)", "")
	row("the same again, text pages already copied", "bindall_again_100000", "", "")
	row("the same again with a second thread (three rounds)", "bindall_threads_100000", r("bindall_threads_100000", "bindall_again_100000") " the same alone", "")
	row("LD_BIND_NOW, 100 000 PLT relocations", "bindall_ld_100000", "", "")
	row("part: the text rewritten unchanged through /proc/self/mem", "bindall_cow_100000", r("bindall_cow_100000", "bindall_lg_100000") " of bind-all", "")
	row("road not taken: mprotect RW + MADV_POPULATE_WRITE + stores", "bindall_cowmp_100000", r("bindall_cowmp_100000", "bindall_ld_100000") " LD_BIND_NOW", "")
	row("**Size**", "", "", "")
	row("site-table bytes per site", "size_site_bytes", "goal 8", "")
	row("liblazygate.so .text bytes", "size_user_text", "", "")
	row("kernel runtime lgk.o .text bytes (-Os)", "size_kernel_text", "", "")
	row("runtime core it calls, .text bytes (-Os)", "size_kernel_core_text", "", "")
	n = split("segv_round_trip first_lazygate race_2 race_8 first_plt", k, " ")
	split("SIGSEGV|lazygate 1T|lazygate 2T|lazygate 8T|glibc PLT", lab, "|")
	for (i = 1; i <= n; i++)
		if (k[i] in med)
			printf "%d \"%s\" %s %s %s\n", i, lab[i], med[k[i]], lo[k[i]], hi[k[i]] > dat
}' "$out"
if command -v gnuplot >/dev/null 2>&1; then
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
