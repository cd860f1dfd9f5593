# tests/qemu/qemu.sh - sourced by the qemu tests (after tests/lib.sh).
#   boot_kernel NAME APPEND [QEMU ARGS...]
# boots the sample kernel under qemu-system-i386 (TCG, 4 CPUs, no display,
# isa-debug-exit), with a timeout; turns each PASS/FAIL line of the guest
# into a TAP line, then one line for the exit status:
#   guest wrote 0 to port 0xf4  -> qemu exits 1 -> pass
#   guest wrote 1 (a check failed, or a panic) -> qemu exits 3 -> fail
#   timeout (QEMU_TIMEOUT seconds, default 60) or anything else -> fail
# The serial log is kept in $T/NAME.log and shown on failure.
# configure's choice when make runs the test (empty: none found), else PATH's
QEMU=${QEMU-qemu-system-i386}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-60}
QEMU_SMP=${QEMU_SMP:-4}

# The kernel: the build tree's, else built here into $T.
find_kernel() {
	KERNEL=$top_builddir/samples/kernel/lgkernel.elf
	if [ ! -f "$KERNEL" ]; then
		sh "$top_srcdir/samples/kernel/build.sh" "$T/kernel" >"$T/build.log" 2>&1 || {
			cat "$T/build.log"
			fail "build the sample kernel"
			finish
		}
		KERNEL=$T/kernel/lgkernel.elf
	fi
	MODULES=
	for m in drv32 mixed app; do
		[ -f "$(dirname "$KERNEL")/$m.mod" ] &&
			MODULES=${MODULES:+$MODULES,}$(dirname "$KERNEL")/$m.mod
	done
}

boot_kernel() {
	name=$1 append=$2
	shift 2
	if [ -z "$QEMU" ] || ! command -v "$QEMU" >/dev/null 2>&1; then
		skip "qemu-system-i386 not found: the sample kernel is not booted (apt-get install qemu-system-x86)"
	fi
	log=$T/$name.log
	set -- -accel tcg -smp "$QEMU_SMP" -m 64 -display none -monitor none \
		-serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 -no-reboot \
		-kernel "$KERNEL" -append "$append" "$@"
	[ -n "${MODULES:-}" ] && set -- "$@" -initrd "$MODULES"
	start=$(date +%s)
	timeout "$QEMU_TIMEOUT" "$QEMU" "$@" </dev/null
	status=$?
	secs=$(($(date +%s) - start))
	while IFS= read -r line; do
		line=$(printf '%s' "$line" | tr -d '\r')
		case $line in
		"PASS "*) pass "${line#PASS }" ;;
		"FAIL "*) fail "${line#FAIL }" ;;
		"PANIC"*) echo "# $line" ;;
		esac
	done <"$log"
	case $status in
	1) pass "$name: qemu exit status 1 (guest: all passed) in ${secs}s" ;;
	3) fail "$name: qemu exit status 3 (guest: failure)" ;;
	124) fail "$name: timeout after ${QEMU_TIMEOUT}s" ;;
	*) fail "$name: qemu exit status $status" ;;
	esac
	if [ "$status" != 1 ] || [ "$fails" != 0 ]; then
		echo "# serial log of $name:"
		sed 's/^/# /' "$log"
	fi
}
