#!/usr/bin/env python3
"""server.py - a scripted OpenAI-compatible chat-completions server.

It stands in for vLLM (`vllm serve`), which cannot run here without a GPU,
in the kc-ask tests.  Python stdlib only (http.server), loopback only.

It answers POST /v1/chat/completions deterministically from the request:
the prompt is the content of the last message, and the answer to choice i
is answer(prompt, i) below (the checker imports it: the expected output
comes from this reference, not from kc-ask).  A script file says how to
misbehave, per prompt and per attempt:

    {"p3": ["429:1", "ok"], "p7": ["drop", "500", "ok"]}

Attempts past the end of a list, and prompts not in the script, get "ok".
Behaviours:

    ok            200 with n choices (in reverse index order, to make the
                  client sort them) and usage
    429:S         429 with "Retry-After: S" (seconds); the next attempt
                  for the prompt must not come sooner, or it gets a 400
    429date:S     the same with an HTTP-date S seconds ahead
    500, 503      that status with an OpenAI-style error body
    400           a client error (not worth retrying)
    drop          close the connection without any response
    slow:S        answer after S seconds (past the client's timeout)
    badjson       200 with a body that is not JSON
    truncate      200 promising 500 bytes, sending 40, then closing
    cap:K         answer with at most K choices (a server that caps n)
    length        as ok, but every choice ends with finish_reason "length"
                  (an answer cut at max_tokens or the end of the context)
    echo          401 whose message echoes the Authorization header

With --max-n K, a request for more than K choices gets the 400 that
llama.cpp's server sends when n is above its number of slots.

GET /stats gives {"requests", "peak", "active"}: peak is the largest
number of requests being handled at once.  Every POST is logged as one
JSON line (--log): prompt, attempt, n, seed, behaviour, time, auth.

With --oracle FILE (JSON lines {"question": Q, "gold": G}) it plays a
model answering the stage-1 filter prompt instead: for a prompt that
ends in "Question: Q", oracle_correct(Q) of the n choices end in "The
answer is G" and the others in a wrong answer.

Usage: server.py --port-file FILE [--script FILE] [--log FILE]
                 [--delay SECONDS] [--key KEY] [--oracle FILE]
                 [--max-n K]
"""
import argparse
import email.utils
import hashlib
import json
import math
import os
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def answer(prompt, i):
    """The text of choice i for a prompt: what the tests expect back."""
    return "answer %d to: %s" % (i, prompt)


ORACLE = {}


def oracle_correct(question):
    """How many of 8 choices answer question right: 0..8, from its hash."""
    return int(hashlib.sha256(question.encode()).hexdigest()[:8], 16) % 9


def oracle_answer(prompt, i):
    """A model's answer to the filter prompt, or None if not an oracle's."""
    head, sep, q = prompt.rpartition("\n\nQuestion: ")
    if not sep or q not in ORACLE:
        return None
    right = i < oracle_correct(q)
    return ("Let me think step by step. The passages say so. The answer "
            "is %s" % (ORACLE[q] if right else "zzz wrong %d" % i))


def usage_of(prompt, n):
    """Usage reported for one request: the checker sums these."""
    p = len(prompt.split()) + 7
    c = 3 * n
    return {"prompt_tokens": p, "completion_tokens": c,
            "total_tokens": p + c,
            "prompt_tokens_details": {"cached_tokens": 1}}


class State:
    def __init__(self, script, log, delay, key, max_n=None):
        self.max_n = max_n
        self.script = script
        self.log = log
        self.delay = delay
        self.key = key
        self.lock = threading.Lock()
        self.attempts = {}
        self.not_before = {}
        self.active = 0
        self.peak = 0
        self.requests = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def send_json(self, status, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def error_body(self, status, message, headers=()):
        self.send_json(status, {"error": {"message": message,
                                          "type": "test", "code": status}},
                       headers)

    def do_GET(self):
        st = self.server.state
        with st.lock:
            self.send_json(200, {"requests": st.requests, "peak": st.peak,
                                 "active": st.active})

    def do_POST(self):
        st = self.server.state
        with st.lock:
            st.active += 1
            st.requests += 1
            st.peak = max(st.peak, st.active)
        try:
            self.handle_post(st)
        finally:
            with st.lock:
                st.active -= 1

    def handle_post(self, st):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        now = time.time()
        try:
            req = json.loads(raw)
            msgs = req["messages"]
            prompt = msgs[-1]["content"]
            n = req.get("n", 1)
        except (ValueError, KeyError, IndexError, TypeError) as e:
            self.error_body(400, "bad request: %s" % e)
            return
        auth = self.headers.get("Authorization", "")
        with st.lock:
            attempt = st.attempts.get(prompt, 0)
            st.attempts[prompt] = attempt + 1
            plan = st.script.get(prompt, [])
            what = plan[attempt] if attempt < len(plan) else "ok"
            early = now < st.not_before.get(prompt, 0)
            if st.log:
                st.log.write(json.dumps({
                    "prompt": prompt, "attempt": attempt + 1, "n": n,
                    "has_n": "n" in req, "seed": req.get("seed"),
                    "model": req.get("model"), "what": what, "t": now,
                    "auth": auth != "", "early": early,
                    "keys": sorted(req)}) + "\n")
                st.log.flush()
        if st.max_n is not None and n > st.max_n:
            # llama.cpp's words (tools/server), status and body
            self.send_json(400, {"error": {
                "code": 400, "type": "invalid_request_error",
                "message": "Field 'n': Value must be between 1 <= value "
                           "<= %d, but got %d" % (st.max_n, n)}})
            return
        if early:
            self.error_body(400, "retried too early (Retry-After ignored)")
            return
        if st.key is not None and auth != "Bearer " + st.key:
            self.error_body(401, "invalid key in header '%s'" % auth)
            return
        kind, _, arg = what.partition(":")
        if kind == "429":
            secs = int(arg or "1")
            with st.lock:
                st.not_before[prompt] = time.time() + secs
            self.error_body(429, "rate limited", [("Retry-After", str(secs))])
        elif kind == "429date":
            secs = int(arg or "2")
            when = math.floor(time.time()) + secs
            with st.lock:
                st.not_before[prompt] = when - 0.05
            self.error_body(429, "rate limited", [
                ("Retry-After", email.utils.formatdate(when, usegmt=True))])
        elif kind in ("500", "503", "400"):
            self.error_body(int(kind), "injected %s" % kind)
        elif kind == "echo":
            self.error_body(401, "invalid key in header '%s'" % auth)
        elif kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        elif kind == "badjson":
            body = b'{"choices": [{"index": 0, "message": {"content": "x'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif kind == "truncate":
            self.close_connection = True
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "500")
            self.end_headers()
            self.wfile.write(b'{"id":"x","choices":[{"index":0,"message"')
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            if kind == "slow":
                time.sleep(float(arg))
            elif st.delay:
                time.sleep(st.delay)
            k = n if kind != "cap" else min(n, int(arg))
            choices = [{"index": i,
                        "finish_reason": "length" if kind == "length"
                        else "stop",
                        "message": {"role": "assistant",
                                    "content": oracle_answer(prompt, i)
                                    or answer(prompt, i)}}
                       for i in range(k)]
            choices.reverse()
            self.send_json(200, {
                "id": "chatcmpl-test", "object": "chat.completion",
                "model": req.get("model") or "test-model",
                "choices": choices, "usage": usage_of(prompt, k)})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512

    def handle_error(self, request, client_address):
        # A client that went away (a killed or finished kc-ask) is part
        # of the tests, not a server failure.
        if isinstance(sys.exc_info()[1], (BrokenPipeError,
                                          ConnectionResetError)):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--script")
    ap.add_argument("--log")
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--key")
    ap.add_argument("--oracle")
    ap.add_argument("--max-n", type=int)
    a = ap.parse_args()
    if a.oracle:
        with open(a.oracle) as f:
            for line in f:
                o = json.loads(line)
                ORACLE[o["question"]] = o["gold"]
    script = {}
    if a.script:
        with open(a.script) as f:
            script = json.load(f)
    log = open(a.log, "a") if a.log else None
    srv = Server(("127.0.0.1", 0), Handler)
    srv.state = State(script, log, a.delay, a.key, a.max_n)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, a.port_file)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
