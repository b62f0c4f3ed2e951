#!/usr/bin/env python3
"""An e-mail API of the shape of Amazon SES v2, for post-mail's tests.

Three routes of the API and two of its own, on 127.0.0.1 only (Python 3
standard library; HTTP/1.1 with keep-alive):

  GET  /v2/email/templates/NAME       GetEmailTemplate: TemplateContent's
                                      Subject, Text and Html ({{var}})
  GET  /v2/email/account              GetAccount: SendQuota (MaxSendRate,
                                      Max24HourSend, SentLast24Hours)
  POST /v2/email/outbound-bulk-emails SendBulkEmail: FromEmailAddress,
                                      DefaultContent.Template, up to 50
                                      BulkEmailEntries; BulkEmailEntryResults
                                      in order
  GET  /_emu/sent                     every message sent (a JSON array)
  GET  /_emu/stats                    counts: requests per route, 429s, ...

Every API request must carry an AWS Signature Version 4 signature for the
service "ses" and --region, made with --key-id and --secret (and
--session-token when given, sent as X-Amz-Security-Token and signed): the
emulator computes it itself (hashlib, hmac) from the headers the request
names as signed, and answers 403 when it differs, names another key or
scope, or is more than 15 minutes off.

The send rate is a bucket of --rate destinations refilled at --rate a
second: a call with more destinations than the bucket holds is answered
429 TooManyRequestsException, nothing sent. --max24 destinations a day at
most: past it, ACCOUNT_DAILY_QUOTA_EXCEEDED per destination. A
destination whose merged template data (DefaultContent's TemplateData,
then its ReplacementTemplateData) lacks a variable the template uses is
answered MESSAGE_REJECTED, not sent.

Faults, drawn with --seed: --error-rate (the call answered 500 or 503,
nothing sent), --throttle-rate (429 anyway), --transient-rate (a
destination answered TRANSIENT_FAILURE, not sent), --reject-rate
(MESSAGE_REJECTED), --drop-rate (the call's messages sent, then the
connection closed with no answer: the lost answer), --slow-ms (every API
answer waits first).

Each message sent is a line of --sent (NDJSON, flushed per line): to,
data (the merged template data), message_id, template, from, call (the
call's number). Each request is a line of --log. The port goes to
--port-file (written whole) once it listens.
"""

import argparse
import datetime
import hashlib
import hmac
import json
import os
import random
import re
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

TAG = re.compile(r"{{{?\s*([^{}]*?)\s*}?}}")
NAME = re.compile(r"[A-Za-z0-9_.\-]+$")


def template_vars(text):
    """The {{names}} a template needs, but those inside {{#if name}}."""
    need, blocks = [], []
    for m in TAG.finditer(text or ""):
        tag = m.group(1)
        if tag.startswith("#if "):
            blocks.append(tag[4:].strip())
        elif tag.startswith("/if"):
            blocks = blocks[:-1]
        elif NAME.match(tag) and tag != "else" and tag not in blocks:
            need.append(tag)
    return need


def sign_key(secret, date, region, service):
    k = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    return k


class State:
    def __init__(self, a):
        self.a = a
        self.lock = threading.Lock()
        self.rand = random.Random(a.seed)
        self.templates = {}
        for spec in a.template:
            name, path = spec.split("=", 1)
            with open(path) as f:
                self.templates[name] = json.load(f)
        self.tokens = float(a.rate)
        self.filled = time.monotonic()
        self.sent = []
        self.sent_count = 0
        self.stats = {}
        self.calls = 0
        self.sent_f = open(a.sent, "a") if a.sent else None
        self.log_f = open(a.log, "a") if a.log else None

    def count(self, k, n=1):
        self.stats[k] = self.stats.get(k, 0) + n


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, obj, etype=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if etype:
            self.send_header("x-amzn-ErrorType", etype)
        if status == 429:
            self.send_header("Retry-After", "1")
        self.end_headers()
        self.wfile.write(body)

    def error(self, status, etype, message):
        self.answer(status, {"message": message}, etype)

    def log(self, status, extra=None):
        st = self.server.st
        line = {"t": time.time(), "method": self.command, "path": self.path,
                "status": status}
        if extra:
            line.update(extra)
        with st.lock:
            if st.log_f:
                st.log_f.write(json.dumps(line) + "\n")
                st.log_f.flush()

    def signature_problem(self, body):
        a = self.server.st.a
        auth = self.headers.get("Authorization", "")
        m = re.match(r"AWS4-HMAC-SHA256 Credential=([^/]+)/(\d{8})/([^/]+)/"
                     r"([^/]+)/aws4_request, ?SignedHeaders=([^,]+), ?"
                     r"Signature=([0-9a-f]{64})$", auth)
        if not m:
            return "no AWS4-HMAC-SHA256 Authorization header"
        key, date, region, service, signed, sig = m.groups()
        if key != a.key_id:
            return "unknown access key"
        if region != a.region or service != "ses":
            return "wrong credential scope %s/%s" % (region, service)
        amz = self.headers.get("X-Amz-Date", "")
        try:
            when = datetime.datetime.strptime(amz, "%Y%m%dT%H%M%SZ")
        except ValueError:
            return "no X-Amz-Date"
        now = datetime.datetime.utcnow()
        if abs((now - when).total_seconds()) > 900 or amz[:8] != date:
            return "X-Amz-Date too far from now"
        names = signed.split(";")
        if "host" not in names or "x-amz-date" not in names:
            return "host and x-amz-date must be signed"
        if a.session_token:
            if self.headers.get("X-Amz-Security-Token") != a.session_token:
                return "the security token is invalid"
            if "x-amz-security-token" not in names:
                return "the security token is not signed"
        canon_headers = ""
        for n in names:
            vals = self.headers.get_all(n) or []
            v = ",".join(" ".join(x.split()) for x in vals)
            canon_headers += "%s:%s\n" % (n, v)
        u = urlsplit(self.path)
        query = "&".join(sorted(p for p in u.query.split("&") if p))
        creq = "\n".join([self.command, u.path or "/", query, canon_headers,
                          signed, hashlib.sha256(body).hexdigest()])
        scope = "%s/%s/%s/aws4_request" % (date, region, service)
        sts = "\n".join(["AWS4-HMAC-SHA256", amz, scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
        want = hmac.new(sign_key(a.secret, date, region, service),
                        sts.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, sig):
            return "the request signature we calculated does not match"
        return None

    def handle_one(self):
        st = self.server.st
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        path = urlsplit(self.path).path
        if path.startswith("/_emu/"):
            with st.lock:
                obj = st.sent if path == "/_emu/sent" else dict(st.stats)
                obj = json.loads(json.dumps(obj))
            return self.answer(200, obj)
        route = ("bulk" if path == "/v2/email/outbound-bulk-emails" else
                 "template" if path.startswith("/v2/email/templates/") else
                 "account" if path == "/v2/email/account" else "other")
        with st.lock:
            st.count("requests")
            st.count(route)
        if st.a.slow_ms:
            time.sleep(st.a.slow_ms / 1000.0)
        why = self.signature_problem(body)
        if why:
            with st.lock:
                st.count("403")
            self.log(403, {"why": why})
            return self.error(403, "SignatureDoesNotMatch", why)
        if route == "template" and self.command == "GET":
            name = unquote(path.rsplit("/", 1)[1])
            t = st.templates.get(name)
            self.log(200 if t else 404)
            if t is None:
                return self.error(404, "NotFoundException",
                                  "Template %s does not exist" % name)
            return self.answer(200, {"TemplateName": name,
                                     "TemplateContent": t})
        if route == "account" and self.command == "GET":
            self.log(200)
            with st.lock:
                sent = st.sent_count
            return self.answer(200, {
                "SendQuota": {"Max24HourSend": st.a.max24,
                              "MaxSendRate": st.a.rate,
                              "SentLast24Hours": sent},
                "SendingEnabled": True, "ProductionAccessEnabled": True})
        if route == "bulk" and self.command == "POST":
            return self.bulk(body)
        self.log(404)
        return self.error(404, "NotFoundException", "no such route")

    def bulk(self, body):
        st = self.server.st
        a = st.a
        try:
            req = json.loads(body)
            tmpl = req["DefaultContent"]["Template"]
            entries = req["BulkEmailEntries"]
            defaults = json.loads(tmpl.get("TemplateData") or "{}")
            assert isinstance(req["FromEmailAddress"], str)
            assert isinstance(entries, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            self.log(400)
            return self.error(400, "BadRequestException", "malformed body")
        if not 1 <= len(entries) <= 50:
            self.log(400)
            return self.error(400, "BadRequestException",
                              "1 to 50 BulkEmailEntries")
        t = st.templates.get(tmpl.get("TemplateName"))
        if t is None:
            self.log(404)
            return self.error(404, "NotFoundException", "no such template")
        need = set()
        for part in ("Subject", "Text", "Html"):
            need.update(template_vars(t.get(part)))
        with st.lock:
            st.calls += 1
            call = st.calls
            now = time.monotonic()
            st.tokens = min(float(a.rate),
                            st.tokens + (now - st.filled) * a.rate)
            st.filled = now
            roll = st.rand.random()
            if roll < a.error_rate:
                st.count("5xx")
                status = st.rand.choice([500, 503])
            elif (len(entries) > st.tokens + 1e-9 or
                  st.rand.random() < a.throttle_rate):
                st.count("429")
                status = 429
            else:
                st.tokens -= len(entries)
                status = 200
                drop = st.rand.random() < a.drop_rate
                results = [self.entry(e, defaults, need, req, tmpl, call)
                           for e in entries]
        if status != 200:
            self.log(status, {"n": len(entries), "call": call})
            if status == 429:
                return self.error(429, "TooManyRequestsException",
                                  "Maximum sending rate exceeded.")
            return self.error(status, "InternalFailure", "try again")
        self.log(200, {"n": len(entries), "call": call, "dropped": drop,
                       "to": [r.get("_to") for r in results],
                       "results": [r["Status"] for r in results]})
        for r in results:
            r.pop("_to", None)
        if drop:
            with st.lock:
                st.count("dropped")
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return None
        return self.answer(200, {"BulkEmailEntryResults": results})

    def entry(self, e, defaults, need, req, tmpl, call):
        """One destination, under the lock: its result."""
        st = self.server.st
        a = st.a
        try:
            to = e["Destination"]["ToAddresses"]
            rep = e.get("ReplacementEmailContent", {}).get(
                "ReplacementTemplate", {}).get("ReplacementTemplateData")
            data = dict(defaults)
            data.update(json.loads(rep) if rep else {})
            assert isinstance(to, list) and to
        except (ValueError, KeyError, TypeError, AttributeError,
                AssertionError):
            return {"Status": "INVALID_PARAMETER", "Error": "bad entry"}
        missing = [v for v in sorted(need) if not self.has(data, v)]
        first = to[0]
        if missing:
            st.count("rendering")
            return {"Status": "MESSAGE_REJECTED", "_to": first,
                    "Error": "no value for {{%s}}" % missing[0]}
        if a.max24 >= 0 and st.sent_count >= a.max24:
            return {"Status": "ACCOUNT_DAILY_QUOTA_EXCEEDED", "_to": first}
        roll = st.rand.random()
        if roll < a.transient_rate:
            st.count("transient")
            return {"Status": "TRANSIENT_FAILURE", "_to": first,
                    "Error": "try again"}
        if roll < a.transient_rate + a.reject_rate:
            st.count("rejected")
            return {"Status": "MESSAGE_REJECTED", "_to": first,
                    "Error": "rejected by the emulator"}
        st.sent_count += 1
        mid = "emu-%d-%d" % (call, st.sent_count)
        msg = {"to": first, "data": data, "message_id": mid, "call": call,
               "template": tmpl.get("TemplateName"),
               "from": req["FromEmailAddress"]}
        st.sent.append(msg)
        if st.sent_f:
            st.sent_f.write(json.dumps(msg) + "\n")
            st.sent_f.flush()
        return {"Status": "SUCCESS", "MessageId": mid, "_to": first}

    @staticmethod
    def has(data, var):
        v = data
        for step in var.split("."):
            if not isinstance(v, dict) or step not in v:
                return False
            v = v[step]
        return v is not None and v != ""

    def do_GET(self):
        self.handle_one()

    def do_POST(self):
        self.handle_one()


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        """A client gone mid-answer (killed by a test) is no news."""


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--log")
    p.add_argument("--sent")
    p.add_argument("--key-id", default="AKIDEMULATOR")
    p.add_argument("--secret", default="emulator-secret")
    p.add_argument("--session-token")
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--template", action="append", default=[],
                   help="NAME=FILE: a template (Subject, Text, Html)")
    p.add_argument("--rate", type=float, default=50)
    p.add_argument("--max24", type=int, default=-1)
    p.add_argument("--error-rate", type=float, default=0)
    p.add_argument("--throttle-rate", type=float, default=0)
    p.add_argument("--transient-rate", type=float, default=0)
    p.add_argument("--reject-rate", type=float, default=0)
    p.add_argument("--drop-rate", type=float, default=0)
    p.add_argument("--slow-ms", type=int, default=0)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    srv = Server(("127.0.0.1", a.port), Handler)
    srv.st = State(a)
    port = srv.server_address[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
    print(port, flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
