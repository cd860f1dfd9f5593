# Sourced by the gatelink tests, after tests/lib.sh: paths and helpers.
: "${GATELINK:=$top_builddir/gatelink}" "${CC32:=gcc -m32}"
G=$GATELINK
D=$top_srcdir/tests/gatelink/data
INC="-I$top_srcdir/include -I$D"
RT=$top_builddir/runtime
cc32() { $CC32 $INC "$@"; }
# An i386 program with the test provider, linked against the runtime.
link32() { # link32 OUT FLAGS... SOURCES...
	out=$1; shift
	$CC32 $INC -o "$out" "$@" "$D/prov.c" -L"$RT" -Wl,-rpath,"$RT" -llazygate
}
# Run gatelink, keeping status, stdout and stderr: gl ARGS...
gl() {
	"$G" "$@" >"$T/out" 2>"$T/err"
	st=$?
}
same() { cmp -s "$1" "$2"; }
# The file offset of section NAME of an ELF file (readelf -S).
sec_offset() {
	_h=$(readelf -SW "$1" | sed 's/^ *\[ *[0-9]*\] //' | awk -v n="$2" '$1 == n { print $4; exit }')
	test -n "$_h" && printf '%d\n' "0x$_h"
}
# The file offset of section header NAME's entry (for corrupting headers).
shdr_offset() {
	_i=$(readelf -SW "$1" | awk -v n="$2" '{ sub(/^ *\[ */, ""); sub(/\]/, "") } $2 == n { print $1; exit }')
	_o=$(readelf -hW "$1" | awk '/Start of section headers/ { print $5 }')
	test -n "$_i" && echo $((_o + 40 * _i))
}
# Overwrite bytes of FILE at OFFSET with the hex string HEX ("01 02 ...").
poke() { # poke FILE OFFSET HEX...
	f=$1 off=$2; shift 2
	_s=
	for _h; do _s="$_s$(printf '\\%03o' $((0x$_h)))"; done
	printf "$_s" | dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}
# No leftover temporary files in directory DIR.
no_temp() { ! ls -A "$1" | grep -q '^\.gatelink\.'; }
# The signed 32-bit word at OFFSET of FILE, and writing one.
peek32() { od -An -t d4 -j "$2" -N4 "$1" | tr -d ' '; }
poke32() { # poke32 FILE OFFSET VALUE
	_v=$(( $3 & 0xffffffff ))
	poke "$1" "$2" $(printf '%02x %02x %02x %02x' $((_v & 255)) $((_v >> 8 & 255)) \
		$((_v >> 16 & 255)) $((_v >> 24 & 255)))
}
