#!/bin/sh
# The kernel runtime's resolving path, for make bench: the .text bytes of
# every function reachable from the trap entry points (lgk_gp, lgk_int,
# lgk_fail, lgk_ipi, lgk_poll) in the objects given (lgk.o and the core's),
# following direct calls and jumps and, from lg_patch, the kernel's patch
# ops (claim, put, sync_all), which it calls through a pointer.  What is
# reached only from registration, lgk_replace or lgk_bind_table is not
# counted.  Prints "size_kernel_path_text N"; exit 1 if an entry point or
# op is missing (renamed: fix the lists below).
#
#   sh path.sh rt_lgk.o rt_stub.o rt_table.o rt_patch.o rt_provider.o rt_batch.o
{
	nm -t d -S --defined-only "$@" | awk 'NF == 4 && $3 ~ /[tT]/ { print "size", $4, $2 + 0 }'
	objdump -dr --no-show-raw-insn "$@" | awk '
		/^[0-9a-f]+ <[^>]+>:$/ { fn = $2; gsub(/[<>:]/, "", fn); next }
		/R_386_(PC32|PLT32)/ { print "edge", fn, $NF; next }
		/(call|jmp)[ \t]+[0-9a-f]+ </ {
			t = $0; sub(/.*</, "", t); sub(/[+>].*/, "", t)
			if (t != fn) print "edge", fn, t
		}'
} | awk -v roots="lgk_gp lgk_int lgk_fail lgk_ipi lgk_poll" -v ops="claim put sync_all" '
$1 == "size" { size[$2] = $3; next }
$1 == "edge" { e[$2] = e[$2] " " $3 }
END {
	e["lg_patch"] = e["lg_patch"] " " ops
	n = split(roots, q, " ")
	for (i = 1; i <= n; i++)
		seen[q[i]] = 1
	for (i = 1; i <= n; i++) {
		m = split(e[q[i]], t, " ")
		for (j = 1; j <= m; j++)
			if (!(t[j] in seen) && (t[j] in size)) {
				seen[t[j]] = 1
				q[++n] = t[j]
			}
	}
	m = split(ops " " roots, t, " ")
	for (j = 1; j <= m; j++)
		if (!(t[j] in size) || !(t[j] in seen)) {
			print "path.sh: " t[j] " is not on the resolving path" > "/dev/stderr"
			exit 1
		}
	for (f in seen)
		s += size[f]
	print "size_kernel_path_text", s
}'
