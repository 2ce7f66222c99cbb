# tests/ask/llama.sh - a real OpenAI-compatible server for the t41xx tests:
# llama.cpp's llama-server with a tiny random-weight Qwen2 model.
#
# Sourced after tests/lib.sh.  The t41xx tests run under
# `make check-server` (KC_SERVER=1); `make check` skips them and says so,
# since the first build of llama-server takes about 20 minutes.
#
# What this server tests: HTTP, the OpenAI JSON, n, seeds, errors, and
# an independent implementation of Qwen's tokenizer and chat templates
# (llama.cpp's, running the Jinja templates Qwen publishes).  What it
# does not test: answer quality.  The weights are random (scripts/tiny-model),
# so every answer is nonsense and every judge says wrong; the model never
# writes a token that is no valid UTF-8 on its own (llama.cpp's server
# answers those with an HTTP 500) nor a special one, so every answer is
# text and --max-tokens long.
#
#   llama_setup                 build or reuse llama-server and the model;
#                               sets LLAMA_BIN, LLAMA_MODEL, LLAMA_SRC
#                               (in the test's subshell: llama_start calls
#                               it again, which is quick once built)
#   llama_start NAME [ARGS]     start it on 127.0.0.1 on a free port with
#                               4 slots (extra llama-server ARGS), wait
#                               until it is ready; NAME.url, NAME.pid
#   llama_stop NAME             stop it by its pid and wait for it

if [ "${KC_SERVER:-}" != 1 ]; then
	test_skip "stage 1 against llama.cpp's llama-server" \
		"run by make check-server: it builds llama-server once (20 min)"
	test_done
fi

# Every server started is stopped when the script exits.
trap 'for f in "$TRASH"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done' EXIT

llama_setup() {
	LLAMA_BIN=$("$SRC/scripts/llama-server") &&
	LLAMA_SRC=$("$SRC/scripts/llama-server" --src) || return 1
	# The model is cached beside the build, keyed by what makes it.
	tok=$TOKDIR/qwen/tokenizer.json
	key=$(cat "$SRC/scripts/tiny-model" "$tok" | sha256sum | cut -c1-12)
	LLAMA_MODEL=$(dirname "$LLAMA_SRC")/tiny-qwen2-$key.gguf
	[ -s "$LLAMA_MODEL" ] ||
		nice "$SRC/scripts/tiny-model" "$tok" "$LLAMA_MODEL" || return 1
	export LLAMA_BIN LLAMA_SRC LLAMA_MODEL
}

# A port nobody listens on now.
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --skip-chat-parsing: the answers as generated.  A random model writes
# Qwen's tool-call and think tokens anywhere, and llama.cpp's parser of
# those formats answers such output with an HTTP 500 ("The model produced
# output that does not match the expected peg-native format").
llama_start() {
	srv=$1
	shift
	# (a test runs in a subshell: what llama_setup set there is gone)
	[ -n "${LLAMA_MODEL:-}" ] || llama_setup || return 1
	port=$(free_port) || return 1
	"$LLAMA_BIN" -m "$LLAMA_MODEL" --host 127.0.0.1 --port "$port" \
		-np 4 -t 2 --no-webui --skip-chat-parsing "$@" >"$srv.log" 2>&1 &
	echo $! >"$TRASH/$srv.pid"
	echo "http://127.0.0.1:$port/v1" >"$srv.url"
	# Ready when /health answers 200 (503 while the model loads).
	i=0
	until curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1; do
		if ! kill -0 "$(cat "$TRASH/$srv.pid")" 2>/dev/null || [ $i -ge 1200 ]; then
			echo "llama-server $srv did not start:" >&2
			tail -n 20 "$srv.log" >&2
			return 1
		fi
		sleep 0.1
		i=$((i + 1))
	done
}

llama_stop() {
	pid=$(cat "$TRASH/$1.pid") &&
	kill "$pid" &&
	while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done &&
	rm -f "$TRASH/$1.pid"
}
