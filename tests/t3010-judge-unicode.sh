#!/bin/sh
# t3010 - kc's text functions agree with the running Python on every
# code point: str.lower() (full mapping, final sigma), re's \w and \s,
# str.isspace(), Cased and Case_Ignorable as str.lower() uses them, and
# LoongRL's punctuation class.  Differences are allowed only where
# Python's Unicode database (14.0 in 3.11) has the code point unassigned.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	test_skip 'per-code-point comparison with Python' 'no python3'
	test_done
fi

test_expect_success 'every code point: lower, \w, \s, cased, ignorable' '
	"$BUILD/tests/test-judge" --dump-unicode >dump &&
	python3 "$SRC/tests/judge/unicode.py" <dump >out &&
	cat out &&
	grep -q " 0 other differences" out
'

test_expect_success 'the comparison can fail' '
	"$BUILD/tests/test-judge" --dump-unicode |
	sed "s/^41 [0-9]* 61\$/41 1 41/" >dump2 &&
	test_must_fail python3 "$SRC/tests/judge/unicode.py" <dump2 >out2 &&
	grep -q "U+0041" out2
'

test_done
