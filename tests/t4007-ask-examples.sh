#!/bin/sh
# The EXAMPLES of kc-ask(1) run as written, against the scripted server
# (tests/ask/server.py stands in for the vLLM server they name, which
# cannot run here without a GPU): only the URL is changed.
. "$(dirname "$0")/lib.sh"
. "$SRC/tests/ask/lib.sh"

start_server s || exit 1
URL=$(cat s.url)

# examples: each literal block of EXAMPLES as a script ex1.sh, ex2.sh ...
sed -n '/^\.Sh EXAMPLES/,/^\.Sh /p' "$SRC/man/kc-ask.1" | awk -v url="$URL" '
	/^\.Bd -literal/ { n++; f = "ex" n ".sh"; next }
	/^\.Ed/ { close(f); f = ""; next }
	f != "" { gsub(/\\e/, "\\"); gsub(/http:\/\/127\.0\.0\.1:8000\/v1/, url); print > f }
'
unset OPENAI_BASE_URL OPENAI_API_KEY

test_expect_success 'the man page has three examples' '
	test -f ex1.sh && test -f ex2.sh && test -f ex3.sh && test ! -f ex4.sh
'

for ex in ex1.sh ex2.sh ex3.sh; do
	test_expect_success "example $ex runs and answers every prompt" '
		make_input 20 >prompts.jsonl &&
		rm -f out.jsonl answers.jsonl &&
		sh -e ./'$ex' &&
		out=answers.jsonl && { test -f $out || out=out.jsonl; } &&
		test_line_count = 20 $out &&
		python3 -c "
import json, sys
for r in map(json.loads, open(sys.argv[1])):
    assert len(r[\"responses\"]) in (1, 8), r
" $out
	'
done

test_done
