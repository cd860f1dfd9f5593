#!/bin/sh
# deps.sh OBJECT... - the file-level dependency graph of a program's
# objects: one line "a: b c" per object, where a's undefined symbols are
# defined in b and c (found with nm, so it is what the linker will see, not
# what the #includes suggest).  Exits 1, naming the files, when the graph
# has a cycle: a cycle means the files cannot be read, tested or replaced
# one at a time.
#
#   tests/deps.sh linker/*.o runtime/core/*.o
LC_ALL=C; export LC_ALL
[ $# -gt 0 ] || { echo "usage: deps.sh OBJECT..." >&2; exit 2; }
T=$(mktemp -d) || exit 2
trap 'rm -rf "$T"' 0

# "symbol file" for every global definition, "file symbol" for every use.
for o; do
	f=$(basename "$o"); f=${f%.*}
	nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print $3, f }' >>"$T/defs" || exit 2
	nm -u "$o" | awk -v f="$f" '{ print f, $2 }' >>"$T/uses" || exit 2
done
sort -u -k1,1 "$T/defs" >"$T/defs.s"
sort -k2,2 "$T/uses" | join -1 2 -2 1 -o 1.1,2.2 - "$T/defs.s" |
	awk '$1 != $2' | sort -u >"$T/edges"

awk '{ to[$1] = to[$1] " " $2 } END { for (f in to) print f ":" to[f] }' \
	"$T/edges" | sort
# tsort names the files of each cycle it finds on stderr, a line each
# after "input contains a loop:".
if ! tsort "$T/edges" >/dev/null 2>"$T/loops"; then
	sed 's/^tsort: //' "$T/loops" | awk '
		/input contains a loop/ { if (c) print c; c = "cycle:"; next }
		{ c = c " " $0 }
		END { if (c) print c }' >&2
	exit 1
fi
