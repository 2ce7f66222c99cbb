#!/bin/sh
# bench/ask.sh - kc-ask's own overhead: requests per second against a
# loopback server that answers at once (bench/ask/server.c, a tiny epoll
# HTTP/1.1 keep-alive server), next to a reference load generator in the
# same run: wrk (one thread, the same 64 connections, the same request
# body) when installed, else curl's own parallel mode.  The reference is
# the ceiling of what this machine and server give; the ratio is kc-ask's
# share of it.  Everything runs on loopback; the server is always stopped.
#
#   bench/ask.sh [REQUESTS]       (default 40000)
#
# The target: at least 5,000 requests/s from kc-ask on two cores.
set -u
cd "$(dirname "$0")/.." || exit 2
: "${KC_BUILD:=build}"
N=${1:-40000}
C=64
work=$(mktemp -d)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$work"' EXIT

${CC:-cc} -O2 -o "$work/server" bench/ask/server.c || exit 2
"$work/server" 300 >"$work/port" &
spid=$!
i=0
while [ ! -s "$work/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$work/port" ] || { echo "ask: the bench server did not start" >&2; exit 2; }
url=http://127.0.0.1:$(cat "$work/port")/v1

# Records like kc-render's chat output, with a short prompt so that the
# client's per-request work, not the bytes, is measured.
awk -v n="$N" 'BEGIN { for (i = 0; i < n; i++)
	printf "{\"id\":\"q%d\",\"source\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"What is the capital of France? (%d)\"}]}\n", i, i }' \
	>"$work/in.jsonl"
body='{"model":"bench","messages":[{"role":"user","content":"What is the capital of France? (1)"}],"max_tokens":16}'

now() { date +%s.%N; }
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { printf "%.0f", n / (b - a) }'; }

# Warm up (page cache, first connections).
head -n 2000 "$work/in.jsonl" | "$KC_BUILD/bin/kc-ask" -u "$url" -j $C \
	-m bench --max-tokens 16 >/dev/null || exit 2

# One run of each, twice, alternating, and the better of the two for
# each: the machine is shared, and a burst of someone else's work should
# not decide the ratio.
run_ask() {
	t0=$(now)
	"$KC_BUILD/bin/kc-ask" -u "$url" -j $C -m bench --max-tokens 16 \
		"$work/in.jsonl" >"$work/out.jsonl" || exit 2
	t1=$(now)
	got=$(wc -l <"$work/out.jsonl")
	[ "$got" -eq "$N" ] || { echo "ask: $got of $N records came out" >&2; exit 2; }
	rate "$N" "$t0" "$t1"
}

if command -v wrk >/dev/null 2>&1; then
	cat >"$work/post.lua" <<EOF
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
EOF
	refname="wrk -t1 -c$C, POST, same body"
	run_ref() {
		wrk -t1 -c$C -d3s -s "$work/post.lua" "$url/chat/completions" |
			awk '/^Requests\/sec:/ { printf "%.0f", $2 }'
	}
else
	# curl's parallel mode: a quarter as many requests, 64 at a time.
	M=$((N / 4))
	awk -v n="$M" -v u="$url/chat/completions" 'BEGIN { for (i = 0; i < n; i++)
		printf "url = \"%s\"\noutput = \"/dev/null\"\n", u }' >"$work/curl.cfg"
	printf '%s' "$body" >"$work/body.json"
	refname="curl --parallel --parallel-max $C"
	run_ref() {
		t0=$(now)
		curl -s --parallel --parallel-max $C \
			-H 'Content-Type: application/json' \
			--data-binary @"$work/body.json" -K "$work/curl.cfg" \
			2>/dev/null || exit 2
		t1=$(now)
		rate "$M" "$t0" "$t1"
	}
fi

max() { if [ "$1" -ge "$2" ]; then echo "$1"; else echo "$2"; fi; }
a1=$(run_ask) || exit 2
r1=$(run_ref)
a2=$(run_ask) || exit 2
r2=$(run_ref)
ask=$(max "$a1" "$a2")
ref=$(max "$r1" "$r2")

echo "kc-ask -j $C:  $ask requests/s ($N records, one request each; runs: $a1, $a2)"
echo "reference:    $ref requests/s ($refname; runs: $r1, $r2)"
awk -v a="$ask" -v r="$ref" 'BEGIN { printf "ratio:        %.2f of the reference\n", a / r }'
if [ "$ask" -ge 5000 ]; then
	echo "target:       >= 5000 requests/s: met"
else
	echo "target:       >= 5000 requests/s: NOT met"
fi
