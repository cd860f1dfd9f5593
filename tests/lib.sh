# Shared helpers for the .test scripts (sourced).  Each test prints TAP-ish
# lines and exits 0 (pass) or 1 (fail).
set -u
: "${top_srcdir:?}" "${top_builddir:?}"
fails=0
n=0
pass() { n=$((n + 1)); echo "ok $n - $*"; }
fail() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}
finish() { echo "1..$n"; test "$fails" -eq 0; exit $?; }
# skip REASON: this test cannot run here (a tool configure did not find);
# tests/summary shows the reason.
skip() { echo "1..0 # SKIP $*"; exit 77; }
tmpdir() { T=$(mktemp -d "${TMPDIR:-/tmp}/lazygate.XXXXXX"); trap 'rm -rf "$T"' EXIT; }
# i386_test "$0" "$@": this test runs i386 programs.  Where the host cannot
# (configure chose the VM, $RUN32 is its runner), run the whole script again
# inside the VM, once, and return its status; where there is no VM either
# ($NO_I386 says why), skip.
i386_test() {
	[ -z "${NO_I386:-}" ] || skip "$NO_I386"
	if [ -n "${RUN32:-}" ] && [ -z "${LAZYGATE_IN_VM:-}" ]; then
		exec "$RUN32" "${SHELL:-/bin/sh}" "$@"
	fi
}
