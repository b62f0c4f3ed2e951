#!/usr/bin/env python3
"""A scripted HTTP/1.1 server on 127.0.0.1, for the unit tests of the HTTP
client and what runs on it (tests/unit/scripted.h starts and stops it).

The script, a JSON file, says what each request gets, per route:

    {"routes": {"GET /r": [STEP, STEP, ...], "POST /v2/auth/token": [...]},
     "default": STEP}

A route is the method and the path (the query left out). Its steps are
taken one a request, in the order the requests arrive; the last one is
repeated once the others are used; a route not in the script gets
"default" (a 404 when there is none). A step:

    {"status": 200, "body": "text" or any JSON value, "headers": {...},
     "delay_ms": 0, "do": "answer"}

"do" is one of: "answer" (the default), "drop" (the body read, then the
connection closed cleanly, no answer), "reset" (the body read, then the
connection reset, RST), "reset-before-body" (reset before the body is
read). delay_ms waits before doing it. Connections are kept alive unless a
step's headers say "Connection: close".

Every request is logged to --log as one JSON line, flushed before the step
is done: n (the arrival order, from 1), conn (the connection's number, from
1), method, path, auth (the Authorization header or null), body (as text),
t (arrival, CLOCK_MONOTONIC seconds, the client's clock), inflight (API
requests being handled at arrival, this one included) and same (of them,
requests for the same path and query). It prints its port on stdout, and
stops on SIGTERM. Python 3 standard library only.

usage: scripted.py --script FILE --log FILE
"""
import argparse
import json
import signal
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, script, log):
        self.routes = {k: list(v) for k, v in script.get("routes", {}).items()}
        self.default = script.get("default", {"status": 404, "body": ""})
        self.used = {}
        self.lock = threading.Lock()
        self.n = 0
        self.conns = 0
        self.inflight = {}
        self.log = open(log, "a", encoding="utf-8")

    def step(self, route):
        with self.lock:
            steps = self.routes.get(route)
            if not steps:
                return self.default
            i = self.used.get(route, 0)
            self.used[route] = i + 1
            return steps[min(i, len(steps) - 1)]

    def enter(self, target, rec):
        with self.lock:
            self.n += 1
            self.inflight[target] = self.inflight.get(target, 0) + 1
            rec["n"] = self.n
            rec["inflight"] = sum(self.inflight.values())
            rec["same"] = self.inflight[target]
            self.log.write(json.dumps(rec) + "\n")
            self.log.flush()

    def leave(self, target):
        with self.lock:
            self.inflight[target] -= 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    timeout = 30

    def log_message(self, format, *args):  # noqa: A002 (the base's name)
        pass

    def setup(self):
        super().setup()
        with self.server.state.lock:
            self.server.state.conns += 1
            self.conn_id = self.server.state.conns

    def reset(self):
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                   struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def do_GET(self):
        st = self.server.state
        target = self.path
        path = target.split("?", 1)[0]
        step = st.step(self.command + " " + path)
        rec = {"conn": self.conn_id, "method": self.command, "path": path,
               "auth": self.headers.get("Authorization"),
               "t": time.monotonic(), "body": None}
        act = step.get("do", "answer")
        if act == "reset-before-body":
            st.enter(target, rec)
            st.leave(target)
            self.reset()
            return
        n = int(self.headers.get("Content-Length") or 0)
        rec["body"] = self.rfile.read(n).decode("utf-8", "replace")
        st.enter(target, rec)
        try:
            if step.get("delay_ms"):
                time.sleep(step["delay_ms"] / 1000.0)
        finally:
            st.leave(target)
        if act == "reset":
            self.reset()
            return
        if act == "drop":
            self.close_connection = True
            return
        body = step.get("body", "")
        data = (body if isinstance(body, str) else json.dumps(body)).encode()
        try:
            self.send_response(step.get("status", 200))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in step.get("headers", {}).items():
                self.send_header(key, str(value))
                if key.lower() == "connection" and value.lower() == "close":
                    self.close_connection = True
            self.end_headers()
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    do_POST = do_PUT = do_PATCH = do_DELETE = do_GET


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], (ConnectionError, OSError)):
            return
        super().handle_error(request, client_address)


def main(argv):
    p = argparse.ArgumentParser(description="A scripted HTTP server.")
    p.add_argument("--script", required=True)
    p.add_argument("--log", required=True)
    opts = p.parse_args(argv)
    with open(opts.script, encoding="utf-8") as f:
        script = json.load(f)
    server = Server(("127.0.0.1", 0), Handler)
    server.state = State(script, opts.log)

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    sys.stdout.write("%d\n" % server.server_address[1])
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.05)
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
