#!/usr/bin/env python3
"""A stand-in for DoSomething's Northstar (users and OAuth) and Rogue (posts).

One HTTP/1.1 server on 127.0.0.1 answers both APIs, so the delivery stages
and the demo can run against loopback. It keeps its data in SQLite (in
memory by default), writes an NDJSON log of every API request, and injects
faults on demand: 500/503 answers, 429 with Retry-After, dropped
connections, slow answers, and, the nasty case for exactly-once delivery,
writes that are committed and then answered 500 or not answered at all.

The contracts are Northstar's (OAuth 2 client credentials, v2 users),
Rogue's (v3 posts) and Rock the Vote's partner API v4 registrant reports,
as the organization's services keep them; tests/servers/README.md states
them, with the options, the control endpoints under /_emulator/ and the
log format. Python 3 standard library only.

This file is the entry point and the core: the HTTP handler and server,
routing, OAuth tokens, faults, the request log, the control endpoints, the
helpers the services share, the options and main. Each service is a mixin
of Emulator in its own module beside this one: emu_northstar.py (users),
emu_rogue.py (actions, signups, posts) and emu_rtv.py (Rock the Vote's
registrant reports), each with its tables, routes, dispatch and options.

usage: emulator.py [--port 0] [--port-file F] [--db PATH] [--log PATH] ...
"""
import argparse
import base64
import email.parser
import email.policy
import email.utils
import json
import math
import os
import random
import re
import secrets
import signal
import sqlite3
import ssl
import sys
import threading
import time
import traceback
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

MAX_BODY = 16 * 1024 * 1024

# Fault settings: the rates are fractions of requests, the rest integers.
FAULT_RATES = ("fail_rate", "fail_after_write_rate", "rate_limit_rate",
               "drop_rate", "drop_after_write_rate", "slow_rate")
FAULT_INTS = ("latency_ms", "retry_after", "slow_ms", "token_ttl",
              "max_inflight")

ALL_SCOPES = ["admin", "user", "activity", "write"]

# ------------------------------------------- helpers the services share

OBJECTID_RE = re.compile(r"^[0-9a-f]{24}$")


class RawBody:
    """An answer that is not JSON: bytes, or a file streamed as it is."""

    def __init__(self, ctype, data=None, path=None):
        self.ctype = ctype
        self.data = data
        self.path = path


# The shapes of date Rogue's `date` rule (PHP's strtotime) takes beyond
# ISO 8601, which datetime.fromisoformat reads: US month/day/year, with a
# time or not, and RFC 2822 (what email.utils reads).
US_DATE_FORMATS = ("%m/%d/%Y", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S")


def rogue_date(value):
    """A created_at as Rogue stores it (ISO 8601, UTC), or None if no date.

    A string only (JSON numbers and booleans are not dates); a date without
    an offset is taken as UTC, the services' time zone.
    """
    if not isinstance(value, str):
        return None
    parsed = None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        for fmt in US_DATE_FORMATS:
            try:
                parsed = datetime.strptime(value, fmt)
                break
            except ValueError:
                pass
    if parsed is None:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def now_iso():
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


class ApiError(Exception):
    """An answer other than success, raised from inside a handler."""

    def __init__(self, status, body, headers=()):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = list(headers)


class BadBody(Exception):
    pass


def ns_error(code, message, fields=None):
    err = {"code": code, "message": message}
    if fields is not None:
        err["fields"] = fields
    return ApiError(code, {"error": err})


def ns_not_found():
    return ns_error(404, "That resource could not be found.")


def clean_input(value):
    """Laravel's TrimStrings and ConvertEmptyStringsToNull, recursively."""
    if isinstance(value, str):
        value = value.strip()
        return value if value != "" else None
    if isinstance(value, list):
        return [clean_input(v) for v in value]
    if isinstance(value, dict):
        return {k: clean_input(v) for k, v in value.items()}
    return value


def laravel_boolean(value):
    """(ok, value) as Laravel's boolean rule reads it."""
    if value is None:
        return True, None
    if value is True or value is False:
        return True, value
    if value in (0, 1, "0", "1") and not isinstance(value, float):
        return True, value in (1, "1")
    return False, None


def as_string(value):
    """(ok, value): JSON numbers are taken as their text, like PHP does."""
    if value is None or isinstance(value, str):
        return True, value
    if isinstance(value, bool) or isinstance(value, (list, dict)):
        return False, None
    return True, str(value)


def as_integer(value):
    """(ok, value) as Laravel's integer rule reads it."""
    if value is None:
        return True, None
    if isinstance(value, bool):
        return False, None
    if isinstance(value, int):
        return True, value
    if isinstance(value, float) and value.is_integer():
        return True, int(value)
    if isinstance(value, str) and re.fullmatch(r"[+-]?[0-9]+", value):
        return True, int(value)
    return False, None


def dedupe_list(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def human(field):
    return field.replace("_", " ")


def parse_form(body):
    """application/x-www-form-urlencoded; KEY[] collects a list."""
    out = {}
    text = body.decode("utf-8", "replace")
    for key, value in parse_qsl(text, keep_blank_values=True):
        if key.endswith("[]"):
            out.setdefault(key[:-2], []).append(value)
        else:
            out[key] = value
    return out


def parse_multipart(ctype, body):
    """multipart/form-data: the text fields; files are noted by name."""
    head = ("Content-Type: " + ctype + "\r\nMIME-Version: 1.0\r\n\r\n")
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        head.encode("latin-1", "replace") + body)
    if not msg.is_multipart():
        raise BadBody("The multipart body could not be parsed.")
    out = {}
    for part in msg.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename():
            out[name] = {"filename": part.get_filename(),
                         "size": len(payload)}
            continue
        value = payload.decode("utf-8", "replace")
        if name.endswith("[]"):
            out.setdefault(name[:-2], []).append(value)
        else:
            out[name] = value
    return out


def no_constant(name):
    """NaN and Infinity are not JSON (PHP refuses them too)."""
    raise ValueError("%s is not JSON" % name)


def finite_float(text):
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")
    return value


def parse_body(ctype, body):
    """The request's fields as a dict; BadBody when they cannot be read."""
    kind = (ctype or "").split(";")[0].strip().lower()
    if not body.strip():
        return {}
    if kind == "application/x-www-form-urlencoded":
        return parse_form(body)
    if kind == "multipart/form-data":
        try:
            return parse_multipart(ctype, body)
        except BadBody:
            raise
        except Exception:
            raise BadBody("The multipart body could not be parsed.")
    try:
        obj = json.loads(body.decode("utf-8"), parse_constant=no_constant,
                         parse_float=finite_float)
    except (UnicodeDecodeError, ValueError):
        raise BadBody("The request body is not valid JSON.")
    if not isinstance(obj, dict):
        raise BadBody("The request body must be a JSON object.")
    return obj


def str_to_boolean(value):
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def new_object_id(counter=[random.getrandbits(24)], lock=threading.Lock()):
    """24 lower-case hex digits, shaped like a MongoDB ObjectId."""
    with lock:
        counter[0] = (counter[0] + 1) & 0xFFFFFF
        n = counter[0]
    return "%08x%s%06x" % (int(time.time()) & 0xFFFFFFFF,
                           os.urandom(5).hex(), n)


def seed_mobile(n):
    """The n-th seeded mobile: +1 201 then seven digits, exchange 200-999."""
    return "+1201%03d%04d" % (200 + n // 10000, n % 10000)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# The services' modules take the helpers above from this module by name
# ("from emulator import ..."). Run as a script this module is __main__:
# entered under its own name too, it is not loaded a second time (which
# would make a second ApiError class, one the handler does not catch).
sys.modules.setdefault("emulator", sys.modules[__name__])
import emu_northstar  # noqa: E402 (needs the helpers above)
import emu_rogue  # noqa: E402
import emu_rtv  # noqa: E402
from emu_rtv import redact_query  # noqa: E402


class Emulator(emu_northstar.NorthstarMixin, emu_rogue.RogueMixin,
               emu_rtv.RtvMixin):
    """The state: the database, tokens, faults and the request log; the
    services' mixins add their data and answers."""

    def __init__(self, opts):
        self.client_id = opts.client_id
        self.client_secret = opts.client_secret
        self.lock = threading.RLock()
        self.db = sqlite3.connect(opts.db, check_same_thread=False,
                                  isolation_level=None)
        # A write-ahead log without an fsync per commit: what is written
        # survives the emulator being killed (the tests restart it), not a
        # power cut, and writes no longer queue behind the disk.
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.row_factory = sqlite3.Row
        self.init_db(opts.actions)
        self.tokens = {}  # token -> (expiry, client_id, scopes)
        self.requests = 0
        # --max-inflight: API requests being handled now, the most seen,
        # and those refused (429) for arriving over the cap.
        self.inflight = 0
        self.inflight_peak = 0
        self.refused_inflight = 0
        self.rng = random.Random(opts.seed)
        self.rng_lock = threading.Lock()
        self.faults = {
            "latency_ms": opts.latency_ms,
            "fail_rate": opts.fail_rate,
            "fail_after_write_rate": opts.fail_after_write_rate,
            "rate_limit_rate": opts.rate_limit_rate,
            "retry_after": opts.retry_after,
            "drop_rate": opts.drop_rate,
            "drop_after_write_rate": opts.drop_after_write_rate,
            "slow_rate": opts.slow_rate,
            "slow_ms": opts.slow_ms,
            "token_ttl": opts.token_ttl,
            "max_inflight": opts.max_inflight,
        }
        self.log_lock = threading.Lock()
        self.log = open(opts.log, "a", encoding="utf-8") if opts.log else None
        self.init_rtv(opts)

    # ------------------------------------------------------------ plumbing

    def init_db(self, actions):
        with self.lock:
            self.northstar_init_db()
            self.rogue_init_db(actions)

    def chance(self, rate):
        if rate <= 0:
            return False
        with self.rng_lock:
            return self.rng.random() < rate

    def pick(self, choices):
        with self.rng_lock:
            return self.rng.choice(choices)

    def count_request(self):
        with self.lock:
            self.requests += 1

    def enter(self, cap):
        """Whether a request may be handled now (cap 0: no cap)."""
        with self.lock:
            if cap and self.inflight >= cap:
                self.refused_inflight += 1
                return False
            self.inflight += 1
            self.inflight_peak = max(self.inflight_peak, self.inflight)
            return True

    def leave(self):
        with self.lock:
            self.inflight -= 1

    def write_log(self, rec):
        if self.log is None:
            return
        line = json.dumps(rec, separators=(",", ":")) + "\n"
        with self.log_lock:
            self.log.write(line)
            self.log.flush()

    def faults_snapshot(self):
        with self.lock:
            return dict(self.faults)

    def set_faults(self, changes):
        if not isinstance(changes, dict):
            raise BadBody("Expected a JSON object of fault settings.")
        new, new_rtv = {}, {}
        for key, value in changes.items():
            if key in FAULT_RATES:
                if (isinstance(value, bool) or
                        not isinstance(value, (int, float)) or
                        not 0 <= value <= 1):
                    raise BadBody("%s must be a number from 0 to 1" % key)
                new[key] = float(value)
            elif key in FAULT_INTS:
                if (isinstance(value, bool) or
                        not isinstance(value, (int, float)) or value < 0 or
                        (key == "token_ttl" and value < 1)):
                    raise BadBody("%s must be a non-negative number" % key)
                new[key] = int(value)
            elif key in emu_rtv.RTV_SETTINGS:
                new_rtv[key] = emu_rtv.rtv_setting(key, value)
            else:
                raise BadBody("unknown fault setting '%s'" % key)
        with self.lock:
            self.faults.update(new)
            self.rtv.update(new_rtv)
            return dict(self.faults)

    def reset(self):
        with self.lock:
            self.northstar_reset()
            self.rogue_reset()
            self.requests = 0
            self.inflight_peak = self.inflight
            self.refused_inflight = 0
            self.rtv_reset()

    def state(self):
        with self.lock:
            ns, rogue = self.northstar_state(), self.rogue_state()
            return {"users": ns["users"], "posts": rogue["posts"],
                    "signups": rogue["signups"], "resets": ns["resets"],
                    "actions": rogue["actions"],
                    "requests": self.requests,
                    "inflight_peak": self.inflight_peak,
                    "refused_inflight": self.refused_inflight,
                    "rtv_reports": [self.rtv_public(r) for r in
                                    self.rtv_reports.values()]}

    # ---------------------------------------------------------------- auth

    def credentials_ok(self, fields):
        return (fields.get("client_id") == self.client_id and
                fields.get("client_secret") == self.client_secret)

    def issue_token(self, fields):
        grant = fields.get("grant_type")
        if grant != "client_credentials":
            raise ApiError(400, {
                "error": "unsupported_grant_type",
                "message": "The authorization grant type is not supported "
                           "by the authorization server.",
                "hint": "Check that all required parameters have been "
                        "provided"})
        if not fields.get("client_id"):
            raise ApiError(400, {
                "error": "invalid_request",
                "message": "The request is missing a required parameter, "
                           "includes an invalid parameter value, includes "
                           "a parameter more than once, or is otherwise "
                           "malformed.",
                "hint": "Check the `client_id` parameter"})
        if not self.credentials_ok(fields):
            raise ApiError(401, {"error": "invalid_client",
                                 "message": "Client authentication failed.",
                                 "hint": ""})
        scope = fields.get("scope")
        if scope is None:
            scopes = list(ALL_SCOPES)
        elif isinstance(scope, list):
            scopes = [str(s) for s in scope]
        else:
            scopes = str(scope).split()
        ttl = self.faults_snapshot()["token_ttl"]
        now = time.time()
        header = b64url(b'{"typ":"JWT","alg":"RS256"}')
        payload = b64url(json.dumps({
            "aud": self.client_id, "jti": secrets.token_hex(20),
            "iat": int(now), "nbf": int(now), "exp": int(now) + ttl,
            "sub": "", "scopes": scopes}).encode())
        token = "%s.%s.%s" % (header, payload,
                              b64url(secrets.token_bytes(64)))
        with self.lock:
            # Forget expired tokens now and then so the map stays small.
            if len(self.tokens) > 1000:
                self.tokens = {k: v for k, v in self.tokens.items()
                               if v[0] > now}
            self.tokens[token] = (now + ttl, self.client_id, scopes)
        return {"token_type": "Bearer", "expires_in": ttl,
                "access_token": token}

    def check_token(self, header):
        """(client_id, scopes) of a valid bearer token, else None."""
        if not header:
            return None
        parts = header.split(None, 1)
        if len(parts) != 2 or parts[0].lower() != "bearer":
            return None
        with self.lock:
            entry = self.tokens.get(parts[1].strip())
        if entry is None or entry[0] <= time.time():
            return None
        return entry[1], entry[2]

    # ---------------------------------------------------------------- seed

    def rename_user(self, old, new):
        """Gives a seeded user the id new; returns it."""
        doc = json.loads(self.db.execute(
            "SELECT doc FROM users WHERE id = ?", (old,)).fetchone()["doc"])
        doc["id"] = new
        self.db.execute("UPDATE users SET id = ?, doc = ? WHERE id = ?",
                        (new, json.dumps(doc), old))
        return new

    def seed(self, users, posts, id_format=None):
        """Bulk loads N users and N posts, for benchmarks at scale.

        Every record goes through create_user / create_post, as a request's
        would; only the commits are batched. User n has the email
        seed-n@example.org and, for even n, the mobile seed_mobile(n / 2);
        post n is a voter-reg post of action 954 for user n, or, past the
        users, for the member whose id is n + 1 in 24 hex digits: one
        signup a post. On an empty database (else a 422 ends it). With
        id_format (--seed-ids "5a%022x"), user n's id is id_format % n, so
        that a test's file can name seeded members.
        """
        if not users and not posts:
            return
        ids = []
        with self.lock:
            self.db.execute("BEGIN")
            for n in range(users):
                data = {"email": "seed-%d@example.org" % n,
                        "first_name": "Seed", "sms_status": "active"}
                if n % 2 == 0:
                    data["mobile"] = seed_mobile(n // 2)
                uid = self.create_user(data, upsert=False)[1]["id"]
                if id_format:
                    uid = self.rename_user(uid, id_format % n)
                ids.append(uid)
                if n % 10000 == 9999:
                    self.db.execute("COMMIT")
                    self.db.execute("BEGIN")
            for n in range(posts):
                owner = ids[n] if n < len(ids) else "%024x" % (n + 1)
                self.create_post({"action_id": 954, "type": "voter-reg",
                                  "northstar_id": owner,
                                  "status": "register-form",
                                  "source": "seed",
                                  "details": '{"n":%d}' % n}, self.client_id)
                if n % 10000 == 9999:
                    self.db.execute("COMMIT")
                    self.db.execute("BEGIN")
            self.db.execute("COMMIT")


# ------------------------------------------------------------------ routing

# (methods, pattern, handler name, api, scopes needed): the token
# endpoint, then each service's routes (emu_*.py), in that order.
ROUTES = ([(("POST",), r"/v2/auth/token", "token", "northstar", ())] +
          emu_northstar.NORTHSTAR_ROUTES + emu_rogue.ROGUE_ROUTES +
          emu_rtv.RTV_ROUTES)
ROUTES = [(m, re.compile(p), h, a, s) for m, p, h, a, s in ROUTES]
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")


def match_route(method, path):
    """(route, params) or raises the 404 or 405 for the path."""
    if len(path) > 1:
        path = path.rstrip("/")
    allowed = []
    for route in ROUTES:
        m = route[1].fullmatch(path)
        if m:
            if method in route[0]:
                return route, m.groupdict()
            allowed.extend(route[0])
    api = "northstar" if path.startswith("/v2/") else "rogue"
    if allowed:
        body = ({"error": {"code": 405, "message": "Method not allowed."}}
                if api == "northstar" else
                {"message": "The %s method is not supported for this route."
                            % method})
        raise ApiError(405, body, [("Allow", ", ".join(sorted(allowed)))])
    if api == "northstar":
        raise ns_not_found()
    raise ApiError(404, {"message": "Not Found."})


def unauthorized():
    return ApiError(401, {"error": {"code": 401, "message": "Unauthorized."}})


def forbidden(api, scope):
    msg = "Requires the `%s` scope." % scope
    if api == "northstar":
        return ns_error(403, msg)
    return ApiError(403, {"message": msg})


def dispatch(emu, route, params, fields, query, client):
    """(status, body) of a matched route; raises ApiError otherwise.

    client is (client id, scopes) of the request's token, or None.
    """
    name = route[2]
    if name == "token":
        return 200, emu.issue_token(fields)
    if route[3] == "northstar":
        return emu.northstar_dispatch(name, params, fields, query, client)
    if route[3] == "rogue":
        return emu.rogue_dispatch(name, params, fields, query, client)
    raise AssertionError(name)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sluice-emulator/1"
    sys_version = ""
    # Headers and body go out in two writes; without this, Nagle's
    # algorithm and delayed ACKs add 40 ms to every kept-alive request.
    disable_nagle_algorithm = True
    timeout = 120

    def log_message(self, format, *args):  # noqa: A002 (the base's name)
        pass

    def do_GET(self):
        self.handle_request()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    # ---------------------------------------------------------------- I/O

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    raise BadBody("bad chunk size")
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n",
                                                            b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise BadBody("request body too large")
                chunks.append(self.rfile.read(size))
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length")
        if length is None:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise BadBody("bad Content-Length")
        if n < 0 or n > MAX_BODY:
            raise BadBody("bad Content-Length")
        data = self.rfile.read(n)
        if len(data) != n:
            raise BadBody("short request body")
        return data

    def send_json(self, status, obj, headers=()):
        data = b"" if obj is None else json.dumps(
            obj, separators=(",", ":")).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in headers:
                self.send_header(key, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def send_raw(self, status, raw, headers=()):
        """Sends a RawBody: its bytes, or its file in 64 KiB pieces."""
        try:
            size = (len(raw.data) if raw.path is None
                    else os.path.getsize(raw.path))
            self.send_response(status)
            self.send_header("Content-Type", raw.ctype)
            self.send_header("Content-Length", str(size))
            for key, value in headers:
                self.send_header(key, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                return
            if raw.path is None:
                self.wfile.write(raw.data)
                return
            with open(raw.path, "rb") as f:
                while True:
                    piece = f.read(65536)
                    if not piece:
                        break
                    self.wfile.write(piece)
        except OSError:
            self.close_connection = True

    # ------------------------------------------------------------ handling

    def handle_request(self):
        emu = self.server.emu
        arrival = time.time()
        parts = urlsplit(self.path)
        path, query = parts.path, parts.query
        control = path == "/_emulator" or path.startswith("/_emulator/")
        try:
            raw = self.read_body()
        except BadBody as e:
            # The rest of the stream cannot be trusted: answer and close.
            self.close_connection = True
            if not control:
                emu.count_request()
                emu.write_log({"t": arrival, "method": self.command,
                               "path": path, "query": redact_query(query),
                               "status": 400,
                               "fault": None, "auth": False})
            self.send_json(400, {"message": str(e)})
            return
        if control:
            self.handle_control(emu, path, raw)
            return
        emu.count_request()
        rec = {"t": arrival, "method": self.command, "path": path,
               "query": redact_query(query), "status": None, "fault": None,
               "auth": False}
        cap = emu.faults_snapshot()["max_inflight"]
        try:
            if emu.enter(cap):
                try:
                    status, body, headers = self.handle_api(
                        emu, rec, path, query, raw)
                finally:
                    emu.leave()
            else:
                # Over --max-inflight: refused at once, as a service that
                # sheds load does.
                rec["fault"] = "max-inflight"
                status, body, headers = 429, {
                    "message": "Too Many Attempts."}, [
                    ("Retry-After",
                     str(emu.faults_snapshot()["retry_after"]))]
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self.close_connection = True
            status, body, headers = 500, {"message": "emulator error"}, []
        # The log line is written before the answer goes out, so whoever
        # has seen the answer (or the dropped connection) finds it there.
        rec["status"] = status
        emu.write_log(rec)
        if status is None:
            # Dropped: the connection closes with no answer at all.
            self.close_connection = True
            return
        if isinstance(body, RawBody):
            self.send_raw(status, body, headers)
            return
        self.send_json(status, body, headers)

    def handle_api(self, emu, rec, path, query, raw):
        """(status, body, headers) of the answer; status None drops it."""
        faults = emu.faults_snapshot()
        if faults["latency_ms"]:
            time.sleep(faults["latency_ms"] / 1000.0)
        ctype = self.headers.get("Content-Type", "")
        try:
            route, params = match_route(self.command, path)
        except ApiError as e:
            route, params = None, {}
            error = e
        fields, body_error = {}, None
        if route is not None:
            try:
                fields = clean_input(parse_body(ctype, raw))
            except BadBody as e:
                body_error = e
        client = None
        if route is not None and route[3] == "rtv":
            rec["auth"] = emu.rtv_credentials_ok(fields, query)
        elif route is not None and route[2] == "token":
            rec["auth"] = emu.credentials_ok(fields)
        else:
            client = emu.check_token(self.headers.get("Authorization"))
            rec["auth"] = client is not None

        # Faults that strike before the request does anything.
        if emu.chance(faults["drop_rate"]):
            rec["fault"] = "drop"
            return None, None, []
        if emu.chance(faults["fail_rate"]):
            rec["fault"] = "fail"
            status = emu.pick((500, 503))
            msg = "Server Error" if status == 500 else "Service Unavailable"
            return status, {"message": msg}, []
        if emu.chance(faults["rate_limit_rate"]):
            rec["fault"] = "rate-limit"
            return 429, {"message": "Too Many Attempts."}, [
                ("Retry-After", str(faults["retry_after"]))]

        headers = []
        wrote = False
        try:
            if route is None:
                raise error
            api = route[3]
            if route[2] != "token" and api != "rtv":
                if client is None:
                    raise unauthorized()
                for scope in route[4]:
                    if scope not in client[1]:
                        raise forbidden(api, scope)
            if body_error is not None:
                msg = str(body_error)
                raise ApiError(400, {"error": {"code": 400, "message": msg}}
                               if api == "northstar" else {"message": msg})
            if api == "rtv":
                status, body = emu.rtv_dispatch(
                    route[2], params, fields, query, self.base_url(),
                    rec["auth"])
            else:
                status, body = dispatch(emu, route, params, fields, query,
                                        client)
            wrote = (route[2] != "token" and self.command in WRITE_METHODS
                     and 200 <= status < 300)
        except ApiError as e:
            status, body, headers = e.status, e.body, e.headers

        # Faults that strike after the write is committed.
        if wrote and emu.chance(faults["drop_after_write_rate"]):
            rec["fault"] = "drop-after-write"
            return None, None, []
        if wrote and emu.chance(faults["fail_after_write_rate"]):
            rec["fault"] = "fail-after-write"
            return 500, {"message": "Server Error"}, []
        if emu.chance(faults["slow_rate"]):
            rec["fault"] = "slow"
            time.sleep(faults["slow_ms"] / 1000.0)
        return status, body, headers

    def base_url(self):
        """scheme://host:port as the client reached the emulator."""
        host = self.headers.get("Host") or "127.0.0.1:%d" % (
            self.server.server_address[1])
        return "%s://%s" % (self.server.scheme, host)

    def handle_control(self, emu, path, raw):
        try:
            if path == "/_emulator/state" and self.command == "GET":
                self.send_json(200, emu.state())
            elif path == "/_emulator/faults" and self.command == "GET":
                self.send_json(200, {"faults": emu.faults_snapshot(),
                                     "rtv": emu.rtv_snapshot()})
            elif path == "/_emulator/faults" and self.command == "POST":
                try:
                    changes = json.loads(raw.decode("utf-8") or "{}")
                except (UnicodeDecodeError, ValueError):
                    raise BadBody("The request body is not valid JSON.")
                faults = emu.set_faults(changes)
                self.send_json(200, {"faults": faults,
                                     "rtv": emu.rtv_snapshot()})
            elif path == "/_emulator/reset" and self.command == "POST":
                emu.reset()
                self.send_json(200, {"reset": True})
            else:
                self.send_json(404, {"message": "Not Found."})
        except BadBody as e:
            self.send_json(400, {"message": str(e)})
        except Exception:
            traceback.print_exc(file=sys.stderr)
            self.send_json(500, {"message": "emulator error"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A client that hangs up mid-request (a stage killed by a test, a
        # timeout) is part of the job, not an emulator error to report.
        if isinstance(sys.exc_info()[1], (ConnectionError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)


def rate_arg(text):
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("a rate is from 0 to 1")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="A stand-in for Northstar (users, OAuth) and Rogue "
                    "(posts) on 127.0.0.1.")
    p.add_argument("--port", type=int, default=0,
                   help="port to listen on (0: a free one)")
    p.add_argument("--port-file", help="also write the port to this file")
    p.add_argument("--db", default=":memory:", help="SQLite database")
    p.add_argument("--log", help="append an NDJSON request log here")
    p.add_argument("--client-id",
                   default=os.environ.get("NORTHSTAR_CLIENT_ID",
                                          "sluice-test"))
    p.add_argument("--client-secret",
                   default=os.environ.get("NORTHSTAR_CLIENT_SECRET",
                                          "sluice-secret"))
    p.add_argument("--token-ttl", type=int, default=3600)
    emu_rogue.add_arguments(p)  # --action
    p.add_argument("--latency-ms", type=int, default=0)
    p.add_argument("--tls-cert", help="serve HTTPS with this certificate")
    p.add_argument("--tls-key", help="the certificate's private key")
    p.add_argument("--fail-rate", type=rate_arg, default=0.0)
    p.add_argument("--fail-after-write-rate", type=rate_arg, default=0.0)
    p.add_argument("--rate-limit-rate", type=rate_arg, default=0.0)
    p.add_argument("--retry-after", type=int, default=1)
    p.add_argument("--max-inflight", type=int, default=0,
                   help="answer 429 to a request arriving while N are "
                   "being handled (0: no cap)")
    p.add_argument("--drop-rate", type=rate_arg, default=0.0)
    p.add_argument("--drop-after-write-rate", type=rate_arg, default=0.0)
    p.add_argument("--slow-rate", type=rate_arg, default=0.0)
    p.add_argument("--slow-ms", type=int, default=5000)
    p.add_argument("--seed", type=int, default=None)
    emu_rtv.add_arguments(p)  # --rtv-*
    p.add_argument("--seed-users", type=int, default=0, metavar="N",
                   help="create N users before listening (benchmarks)")
    p.add_argument("--seed-posts", type=int, default=0, metavar="N",
                   help="create N posts before listening (benchmarks)")
    p.add_argument("--seed-ids", metavar="FORMAT",
                   help="seeded user n's id is FORMAT %% n (5a%%022x)")
    opts = p.parse_args(argv)
    emu_rtv.check_arguments(p, opts)
    if opts.max_inflight < 0:
        p.error("--max-inflight takes N >= 0")
    if opts.token_ttl < 1:
        p.error("--token-ttl must be at least 1")
    if opts.seed_users < 0 or opts.seed_posts < 0:
        p.error("--seed-users and --seed-posts take N >= 0")
    if opts.seed_ids is not None:
        try:
            ok = re.fullmatch(r"[0-9a-f]{24}", opts.seed_ids % 0) is not None
        except (TypeError, ValueError):
            ok = False
        if not ok:
            p.error("--seed-ids: FORMAT %% 0 must be 24 hex digits")
    return opts


def main(argv):
    opts = parse_args(argv)
    emu = Emulator(opts)
    try:
        emu.seed(opts.seed_users, opts.seed_posts, opts.seed_ids)
    except ApiError as e:
        sys.stderr.write("emulator.py: --seed-users/--seed-posts: %d %s\n"
                         % (e.status, json.dumps(e.body)))
        return 2
    server = Server(("127.0.0.1", opts.port), Handler)
    if opts.tls_cert:
        # HTTPS: every connection is wrapped as it is accepted.
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(opts.tls_cert, opts.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.emu = emu
    server.scheme = "https" if opts.tls_cert else "http"
    port = server.server_address[1]

    def stop(signum, frame):
        # shutdown() waits for serve_forever(), which runs in this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if opts.port_file:
        tmp = opts.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.replace(tmp, opts.port_file)
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()
    try:
        server.serve_forever(poll_interval=0.1)
    finally:
        # Every write is already committed and every log line flushed;
        # handler threads may still be running, so nothing is closed
        # under their feet.
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
