# The benchmark report (tests/bench/bench.sh, make bench): reads the
# figures, one per line as "key median [low high]", prints the markdown
# table (and writes it to the file md), and writes the first-call figures
# for gnuplot to the file dat.  tests/bench/report.test pins its output.
#
#   awk -v md=bench.md -v dat=first.dat -f report.awk figures
# emulated=1: the figures come from an emulator (QEMU's TCG, tests/vm),
# whose cycles say nothing of hardware: cycle cells and their ratios are
# withheld; instruction counts, trap counts and sizes stay.
function timed(k) { return emulated && k !~ /^(size_|ir_|traps_|race_[0-9]+_traps_|writes_|syncs_)/ }
function f(k) { return timed(k) ? "-" : (k in med) ? med[k] : "n/a" }
function cell(k) { return k == "" ? "" : timed(k) ? "emulated" : !(k in med) ? "n/a" : (k in lo) ? sprintf("%s [%s-%s]", med[k], lo[k], hi[k]) : med[k] }
function r(a, b) { return timed(a) ? "-" : (a in med) && (b in med) && med[b] > 0 ? sprintf("%.2fx", med[a] / med[b]) : "n/a" }
function line(s) { print s > md; print s }
function row(what, k, ratio, ir) { printf "| %s | %s | %s | %s |\n", what, cell(k), ratio, ir > md; printf "| %s | %s | %s | %s |\n", what, cell(k), ratio, ir }
# The bind-all rows for N sites (LABEL: N as printed).
function bindall(n, label,   k) {
	k = "bindall_%s_" n
	row("lazygate_bind_all, " label " sites", sprintf(k, "lg"), r(sprintf(k, "ld"), sprintf(k, "lg")) " = ld.so/lazygate (goal >= 2)", "")
	row("the same again, text pages already copied", sprintf(k, "again"), "", "")
	row("the same again with a second thread (two rounds)", sprintf(k, "threads"), r(sprintf(k, "threads"), sprintf(k, "again")) " the same alone", "")
	row("LD_BIND_NOW, " label " PLT relocations", sprintf(k, "ld"), "", "")
	row("part: the text rewritten unchanged through /proc/self/mem", sprintf(k, "cow"), r(sprintf(k, "cow"), sprintf(k, "lg")) " of bind-all", "")
	row("road not taken: mprotect RW + MADV_POPULATE_WRITE + stores", sprintf(k, "cowmp"), r(sprintf(k, "cowmp"), sprintf(k, "ld")) " LD_BIND_NOW", "")
}
NF == 4 { med[$1] = $2; lo[$1] = $3; hi[$1] = $4; next }
NF == 2 { med[$1] = $2 }
END {
	printf "" > md
	if (emulated) {
		line("Run under QEMU's TCG emulator (tests/vm): its cycle figures are not comparable")
		line("to hardware and are not given; instruction counts and sizes are.  Hardware")
		line("figures: doc/PERFORMANCE.md.")
		line("")
	}
	line("| measurement | cycles: median [spread] | ratio | per call or site |")
	line("| --- | --- | --- | --- |")
	row("**Bound call** (cycles per call)", "", "", "*instructions*")
	row("direct near call", "direct", r("direct", "direct") " direct", f("ir_direct"))
	row("indirect call", "indirect", r("indirect", "direct") " direct", f("ir_indirect"))
	row("call through glibc PLT", "plt", r("plt", "direct") " direct", f("ir_plt"))
	row("lazygate near form", "lazygate_near", r("lazygate_near", "plt") " PLT (goal <= 1)", (("ir_near_entry" in med) ? med["ir_near_entry"] + 3 : "n/a"))
	row("plain call into the near entry (no prefixes)", "near_entry", r("near_entry", "plt") " PLT", (("ir_near_entry" in med) ? med["ir_near_entry"] : "n/a"))
	row("lazygate near form, regparm gate (no thunk)", "lazygate_near_regparm", r("lazygate_near_regparm", "plt") " PLT (goal <= 1)", (("ir_regparm_entry" in med) ? med["ir_regparm_entry"] + 3 : "n/a"))
	row("plain call into the regparm implementation", "regparm_entry", r("regparm_entry", "plt") " PLT", f("ir_regparm_entry"))
	row("lazygate near form, regparm gate in add registers (moves)", "lazygate_near_moved", r("lazygate_near_moved", "plt") " PLT (goal <= 1)", (("ir_moved_entry" in med) ? med["ir_moved_entry"] + 3 : "n/a"))
	row("plain call into its near entry (moves, then the implementation)", "moved_entry", r("moved_entry", "plt") " PLT", f("ir_moved_entry"))
	row("lazygate C-call site (near, straight into the C implementation)", "lazygate_ccall", r("lazygate_ccall", "plt") " PLT (goal <= 1)", "n/a")
	row("lazygate C-call site, regparm gate in add registers", "lazygate_ccall_regparm", r("lazygate_ccall_regparm", "plt") " PLT (goal <= 1)", "n/a")
	row("lazygate far form", "lazygate_far", r("lazygate_far", "far_by_hand") " by hand (goal <= 1.02)", "n/a")
	row("far call by hand, same entry", "far_by_hand", "", "n/a")
	row("**First call** (cycles per site)", "", "", "*traps*")
	row("bare SIGSEGV round trip", "segv_round_trip", r("segv_round_trip", "segv_round_trip"), "")
	row("lazygate, 1 thread", "first_lazygate", r("first_lazygate", "segv_round_trip") " SIGSEGV (goal <= 1.5)", f("traps_per_site"))
	row("lazygate, 1 thread, in rounds of 32", "race_1", r("race_1", "segv_round_trip") " SIGSEGV", f("race_1_traps_per_site"))
	row("lazygate, 2 threads racing, per round", "race_2", r("race_2", "segv_round_trip") " SIGSEGV", f("race_2_traps_per_site"))
	row("lazygate, 8 threads racing, per round", "race_8", r("race_8", "segv_round_trip") " SIGSEGV", f("race_8_traps_per_site"))
	row("glibc lazy PLT (4096 functions)", "first_plt", r("first_lazygate", "first_plt") " (lazygate/PLT)", "")
	row("part: 1-byte /proc/self/mem write", "part_write", f("writes_per_site") " per bind", "")
	row("part: membarrier SYNC_CORE round", "part_sync", f("syncs_per_site") " per bind", "")
	row("**Bind-all at load** (cycles per site)", "", "", "")
	bindall("10000", "10 000")
	bindall("100000", "100 000")
	row("**Size**", "", "", "")
	row("site-table bytes per site", "size_site_bytes", "goal 8", "")
	row("liblazygate.so .text bytes", "size_user_text", "", "")
	row("kernel runtime lgk.o .text bytes (-Os)", "size_kernel_text", "", "")
	row("runtime core it calls, .text bytes (-Os)", "size_kernel_core_text", "", "")
	row("kernel resolving path (lgk.o and core), .text bytes (-Os)", "size_kernel_path_text", "", "")
	n = split("segv_round_trip first_lazygate race_2 race_8 first_plt", k, " ")
	split("SIGSEGV|lazygate 1T|lazygate 2T|lazygate 8T|glibc PLT", lab, "|")
	for (i = 1; i <= n; i++)
		if ((k[i] in med) && !emulated)
			printf "%d \"%s\" %s %s %s\n", i, lab[i], med[k[i]], lo[k[i]], hi[k[i]] > dat
}
