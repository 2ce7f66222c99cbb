# tests/lib.sh - a small git-style shell test library.
#
# A test script sources this file, then calls
#
#     test_expect_success 'what it shows' '
#             kc-import x.json >out &&
#             test_cmp expect out
#     '
#
# and ends with test_done.  Each test runs in a fresh subshell inside the
# script's own scratch directory ($TRASH), with the tools on PATH and
# $SRC, $DATA (../shared/data/real), $TOKDIR set.  test_must_fail is
# used instead of `!` so that a crash (a signal) never counts as the
# expected failure.

set -u
: "${KC_BUILD:=build}"
SRC=$(cd "$(dirname "$0")/.." && pwd)
case $KC_BUILD in /*) BUILD=$KC_BUILD ;; *) BUILD=$SRC/$KC_BUILD ;; esac
BIN=$BUILD/bin
TOKDIR=$BUILD/share/kc/tokenizers
DATA=${KC_DATA:-$SRC/../shared/data/real}
[ -d "$DATA" ] || DATA=$SRC/examples/data
PATH=$BIN:$PATH
export SRC BUILD BIN TOKDIR DATA PATH
unset KC_TOKENIZER
name=$(basename "$0" .sh)
TRASH=$BUILD/trash/$name
rm -rf "$TRASH"
mkdir -p "$TRASH"
cd "$TRASH" || exit 1
# kc-fill's passage counts: the test's own, not the machine's
KC_COUNTS_DIR=$TRASH/.counts
export KC_COUNTS_DIR
test_count=0
test_failed=0
test_skipped=0

test_expect_success() {
	test_count=$((test_count + 1))
	if (eval "$2") >"$TRASH/.out" 2>&1; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$TRASH/.out" | tail -n 40
	fi
}

# test_skip 'what' 'why': a test that cannot run here, said out loud.
test_skip() {
	test_count=$((test_count + 1))
	test_skipped=$((test_skipped + 1))
	echo "ok $test_count - $1 # SKIP $2"
}

test_done() {
	echo "# $name: $((test_count - test_failed)) passed, $test_failed failed"
	[ "$test_failed" -eq 0 ]
	exit $?
}

# test_cmp expect actual: they must be equal; show the diff if not.
test_cmp() {
	diff -u "$1" "$2"
}

# test_must_fail [--status=N] cmd...: cmd must exit non-zero (or N), not
# crash on a signal.
test_must_fail() {
	want=
	case $1 in --status=*) want=${1#--status=}; shift ;; esac
	"$@"
	rc=$?
	if [ $rc -eq 0 ]; then
		echo "test_must_fail: command succeeded: $*" >&2
		return 1
	elif [ $rc -gt 128 ]; then
		echo "test_must_fail: command died by signal $((rc - 128)): $*" >&2
		return 1
	elif [ -n "$want" ] && [ $rc -ne "$want" ]; then
		echo "test_must_fail: exit $rc, expected $want: $*" >&2
		return 1
	fi
	return 0
}

# test_cmp_lines A B: the two files have as many lines.
test_cmp_lines() {
	a=$(wc -l <"$1")
	b=$(wc -l <"$2")
	if [ "$a" -ne "$b" ]; then
		echo "test_cmp_lines: $1 has $a lines, $2 has $b" >&2
		return 1
	fi
}

# test_line_count OP N FILE
test_line_count() {
	n=$(wc -l <"$3")
	if ! [ "$n" "$1" "$2" ]; then
		echo "test_line_count: $3 has $n lines, expected $1 $2" >&2
		return 1
	fi
}

# test_must_be_empty FILE (with the file shown when it is not)
test_must_be_empty() {
	if [ -s "$1" ]; then
		echo "test_must_be_empty: $1 is not empty:" >&2
		head -c 2000 "$1" >&2
		return 1
	fi
}

# test_grep PATTERN FILE (with the file shown when it fails)
test_grep() {
	if ! grep -q -e "$1" "$2"; then
		echo "test_grep: no '$1' in $2:" >&2
		head -c 2000 "$2" >&2
		return 1
	fi
}
