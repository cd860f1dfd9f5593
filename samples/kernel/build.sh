#!/bin/sh
# build.sh - build the lazygate sample kernel and its three clients.
# Usage: build.sh [OUTDIR]   (default: .)  Writes only into OUTDIR.
# Environment:
#   top_srcdir  the source tree (default: two levels above this script)
#   GATEC       the gatec to run (default: $top_builddir/gatec if
#               top_builddir is set and holds one, else gatec from PATH,
#               i.e. an installed lazygate)
#   CC32        the i386 C compiler (default: gcc -m32); OBJCOPY, LD
# gatec makes, from kapi.gates, into OUTDIR: kapi.h (C callers), kapi.inc
# (gas callers), kapi_provider.c, and the providers of gates 8 and 9
# (kapi_{which1,which2,late}.h and _provider.c, see kapi_impl.c).
set -e
here=$(cd "$(dirname "$0")" && pwd)
top=${top_srcdir:-$here/../..}
out=${1:-.}
CC32=${CC32:-gcc -m32}
OBJCOPY=${OBJCOPY:-objcopy}
if [ -z "${GATEC:-}" ]; then
	if [ -n "${top_builddir:-}" ] && [ -x "$top_builddir/gatec" ]; then
		GATEC=$top_builddir/gatec
	else
		GATEC=gatec
	fi
fi
if ! command -v "$GATEC" >/dev/null 2>&1; then
	echo "build.sh: no gatec ('$GATEC'): set GATEC, or top_builddir to a build tree" >&2
	exit 1
fi
mkdir -p "$out"
o=$out

# The generated API files, as a customer of the OS would make them.
"$GATEC" --header="$o/kapi.h" --asm="$o/kapi.inc" --provider="$o/kapi_provider.c" "$here/kapi.gates"
for p in which1 which2 late; do
	"$GATEC" --api="kapi_$p" --header="$o/kapi_$p.h" --provider="$o/kapi_${p}_provider.c" \
		"$here/kapi.gates"
done

FREE="-ffreestanding -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
 -fno-builtin -mgeneral-regs-only -fno-jump-tables -fcf-protection=none"
WARN="-Wall -Wextra -Wno-unused-function"
CFLAGS="-O2 -g $FREE $WARN -I$o -I$top/include -I$top/runtime/kernel -I$here -I$top/tests"

cc() { # cc OUT SRC [flags]
	obj=$1 src=$2; shift 2
	$CC32 $CFLAGS "$@" -c -o "$o/$obj" "$src"
}

# The kernel runtime and the shared core; -Os: this is the resolver.
# rt_classify.o (lg_classify, lg_kind_name) is not the runtime's: this
# kernel's log and checks use it.
for f in core/stub core/table core/patch core/provider core/batch kernel/lgk core/classify; do
	cc "rt_$(basename $f).o" "$top/runtime/$f.c" -Os
done
cc boot.o "$here/boot.S"
cc isr.o "$here/isr.S"
cc ring.o "$here/ring.S"
cc kernel.o "$here/kernel.c"
cc console.o "$here/console.c"
cc cpu.o "$here/cpu.c"
cc trap.o "$here/trap.c"
cc tests.o "$here/tests.c"
cc ccall.o "$here/ccall.c"
cc kapi_impl.o "$here/kapi_impl.c"
for p in "" _which1 _which2 _late; do
	cc "kapi${p}_provider.o" "$o/kapi${p}_provider.c"
done

cc modules.o "$here/modules.c"
# The kernel's own race sites: a table of their own.
cc race.o.tmp "$here/race.c"
$OBJCOPY --rename-section lazygate_sites=lgsites_race "$o/race.o.tmp" "$o/race.o"

# The clients: separate ELF32 relocatable objects (ld -r), handed to the
# kernel as multiboot modules (-initrd drv32.mod,mixed.mod,app.mod).
LDR="${LD:-ld} -m elf_i386 -r"
cc drv32.o "$here/drv32.c"
$LDR -o "$o/drv32.mod" "$o/drv32.o"
cc app.o "$here/app.c"
cc app16.o "$here/app16.S" -Wa,-I"$o" # .include "kapi.inc"
$LDR -o "$o/app.mod" "$o/app.o" "$o/app16.o"
# The mixed driver: a 16-bit part (gcc -m16, moved to .text16) and a 32-bit part.
$CC32 $CFLAGS -m16 -fno-reorder-functions -c -o "$o/mixed16.o.tmp" "$here/mixed16.c"
$OBJCOPY --rename-section .text=.text16 "$o/mixed16.o.tmp" "$o/mixed16.o"
cc entry16.o "$here/entry16.S"
cc mixed32.o "$here/mixed32.c"
$LDR -o "$o/mixed.mod" "$o/entry16.o" "$o/mixed16.o" "$o/mixed32.o"

$CC32 -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,-T,"$here/link.ld" -o "$o/lgkernel.elf" \
	"$o/boot.o" "$o/isr.o" "$o/ring.o" "$o/kernel.o" "$o/console.o" "$o/cpu.o" "$o/trap.o" "$o/tests.o" "$o/ccall.o" "$o/kapi_impl.o" \
	"$o/kapi_provider.o" "$o/kapi_which1_provider.o" "$o/kapi_which2_provider.o" "$o/kapi_late_provider.o" \
	"$o/rt_lgk.o" "$o/rt_stub.o" "$o/rt_table.o" "$o/rt_patch.o" "$o/rt_provider.o" "$o/rt_batch.o" \
	"$o/rt_classify.o" "$o/modules.o" "$o/race.o" -lgcc
rm -f "$o"/*.o.tmp
