# tests/ask/lib.sh - the scripted server for the kc-ask tests.
#
# Sourced after tests/lib.sh.  start_server NAME [server.py options]
# starts tests/ask/server.py on a free loopback port (it stands in for
# vLLM, which cannot run here without a GPU) and writes its base URL to
# NAME.url; every server started is killed when the script exits.
# check runs tests/ask/check.py, which compares kc-ask's output with
# what the server's own answer() says (see that file).

# The pids go to files, not only to a variable, so that a server started
# inside a test (a subshell) is stopped too.
trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done' EXIT

start_server() {
	srv=$1
	shift
	rm -f "$srv.port"
	python3 "$SRC/tests/ask/server.py" --port-file "$srv.port" \
		--log "$srv.log" "$@" 2>"$srv.err" &
	echo $! >"$TRASH/$srv.pid"
	i=0
	while [ ! -s "$srv.port" ] && [ $i -lt 200 ]; do
		sleep 0.05
		i=$((i + 1))
	done
	[ -s "$srv.port" ] || { echo "server $srv did not start" >&2; cat "$srv.err" >&2; return 1; }
	echo "http://127.0.0.1:$(cat "$srv.port")/v1" >"$srv.url"
}

# server_stat NAME KEY: a number from the server's GET /stats.
server_stat() {
	curl -s "$(cat "$1.url")/stats" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2"
}

check() {
	python3 "$SRC/tests/ask/check.py" "$@"
}

# make_input N [PREFIX]: N records {"id": "rI", "prompt": "pI", "extra": ...}
make_input() {
	python3 -c '
import json, sys
n, pre = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    print(json.dumps({"id": "r%d" % i, "prompt": "%s%d" % (pre, i),
                      "keep": {"i": i, "s": "\u00e9\u4e2d"}}, ensure_ascii=False))
' "$1" "${2:-p}"
}
