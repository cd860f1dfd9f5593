#!/bin/sh
# demo.sh - build the sample kernel and boot it on 4 CPUs under qemu,
# showing the binding log and the per-CPU counters.
#   sh samples/kernel/demo.sh [GROUPS...]    (default: basic k16 user late replace notsite ccall)
set -e
here=$(cd "$(dirname "$0")" && pwd)
out=${OUTDIR:-${TMPDIR:-/tmp}/lazygate-kernel}
sh "$here/build.sh" "$out"
groups=${*:-basic k16 user late replace notsite ccall}
set +e
timeout "${QEMU_TIMEOUT:-60}" qemu-system-i386 -accel tcg -smp 4 -m 64 -display none -monitor none \
	-serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot \
	-kernel "$out/lgkernel.elf" -append "$groups" \
	-initrd "$out/drv32.mod,$out/mixed.mod,$out/app.mod" </dev/null
st=$?
[ "$st" = 1 ] && exit 0
echo "demo: qemu exit status $st" >&2
exit 1
