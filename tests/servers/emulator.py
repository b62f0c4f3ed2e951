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

usage: emulator.py [--port 0] [--port-file F] [--db PATH] [--log PATH] ...
"""
import argparse
import base64
import csv
import io
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
from urllib.parse import parse_qsl, unquote, urlsplit

MAX_BODY = 16 * 1024 * 1024

# Fault settings: the rates are fractions of requests, the rest integers.
FAULT_RATES = ("fail_rate", "fail_after_write_rate", "rate_limit_rate",
               "drop_rate", "drop_after_write_rate", "slow_rate")
FAULT_INTS = ("latency_ms", "retry_after", "slow_ms", "token_ttl",
              "max_inflight")

ALL_SCOPES = ["admin", "user", "activity", "write"]

# ------------------------------------------------------------ Rock the Vote

# Settings of the report API, switchable at run time like the faults.
RTV_SETTINGS = ("rtv_fail_reports", "rtv_report_polls")
RTV_KEY_PARAM = "partner_API_key"
RTV_BAD_CREDENTIALS = "Invalid partner ID or API key."
# The header of a registrant report (as Rock the Vote sends it; see
# vendors/rock-the-vote/README.md) and a few synthetic rows, served when no
# --rtv-report-csv is given.
RTV_COLUMNS = [
    "Status", "Tracking Source", "Tracking ID", "Open Tracking ID",
    "Language", "Date of birth", "Email address", "US citizen?",
    "Salutation", "First name", "Middle name", "Last name", "Name suffix",
    "Home address", "Home unit", "Home city", "Home County", "Home state",
    "Home zip code", "Has mailing address?", "Mailing address",
    "Mailing unit", "Mailing city", "Mailing County", "Mailing state",
    "Mailing zip code", "Party", "Race", "Phone", "Phone type",
    "Opt-in to RTV email?", "Opt-in to RTV sms?", "Opt-in to Partner email?",
    "Opt-in to Partner SMS/robocall", "Survey question 1",
    "Survey answer 1", "Survey question 2", "Survey answer 2",
    "Volunteer for RTV", "Volunteer for partner", "Ineligible reason",
    "Pre-Registered", "Started registration", "Finish with State",
    "Built via API", "Has State License", "Has SSN",
    "Submitted Via State API", "Submitted Via State API Status"]
RTV_ROWS = [
    # Status, Tracking Source, Email, First, Last, Home address, unit, city,
    # state, zip, Phone, Partner email?, Partner SMS, Pre-Registered,
    # Started registration, Finish with State
    ("Complete", "user:5552aa34469c64ec7d8b715b,source:email",
     "ada@example.org", "Ada", "Lovelace", "1 Main St", "", "Austin", "TX",
     "73301", "212-254-2390", "Yes", "Yes", "No",
     "2020-03-08 00:56:02 -0400", "Yes"),
    ("Complete", "source:web,source_details:hero",
     "grace@example.org", "Grace", "Hopper", "2 Elm St, Apt 3", "3B",
     "Arlington", "VA", "22201", "", "No", "No", "No",
     "2020-03-08 01:10:45 -0400", "No"),
    ("Step 1", "", "step1@example.org", "", "", "", "", "", "", "10001",
     "000-000-0000", "No", "No", "No", "2020-03-08 01:20:00 -0400", "No"),
    ("Step 2", "user=5552aa34469c64ec7d8b715c,referral=true",
     "rene@example.org", "Ren\u00e9", "D\u00fcrer", "5 Quai \"Ouest\"", "",
     "New Orleans", "LA", "70112", "787 249 13", "y", "n", "No",
     "2020-03-08 01:31:17 -0400", "No"),
    ("Rejected", "group_id:42", "rejected@example.org", "Rex", "Jones",
     "9 Oak Ave", "", "Denver", "CO", "80202", "303-555-0199", "Yes", "No",
     "No", "2020-03-08 01:45:00 -0400", "No"),
    ("Under 18", "source:sms", "teen@example.org", "Tia", "Young",
     "7 Pine Rd", "", "Portland", "OR", "97201", "503-555-0142", "No", "Yes",
     "Yes", "2020-03-08 01:50:09 -0400", "No"),
]


def rtv_builtin_csv():
    """The built-in report: the header and RTV_ROWS, LF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RTV_COLUMNS)
    index = {name: i for i, name in enumerate(RTV_COLUMNS)}
    used = ("Status", "Tracking Source", "Email address", "First name",
            "Last name", "Home address", "Home unit", "Home city",
            "Home state", "Home zip code", "Phone",
            "Opt-in to Partner email?", "Opt-in to Partner SMS/robocall",
            "Pre-Registered", "Started registration", "Finish with State")
    for n, values in enumerate(RTV_ROWS):
        row = [""] * len(RTV_COLUMNS)
        for name, value in zip(used, values):
            row[index[name]] = value
        row[index["Tracking ID"]] = "rtv-%06d" % (n + 1)
        row[index["Language"]] = "English"
        row[index["Date of birth"]] = "01/02/2000"
        row[index["US citizen?"]] = "Yes"
        row[index["Has mailing address?"]] = "No"
        row[index["Phone type"]] = "Mobile" if values[10] else ""
        row[index["Built via API"]] = "No"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def csv_records(stream):
    """The data records (the header row not counted) of a CSV file."""
    text = io.TextIOWrapper(stream, encoding="latin-1", newline="")
    return max(0, sum(1 for _ in csv.reader(text)) - 1)


def redact_query(query):
    """The query string with the RTV API key's value hidden, for the log."""
    if RTV_KEY_PARAM not in query:
        return query
    return "&".join(RTV_KEY_PARAM + "=REDACTED"
                    if part.split("=", 1)[0] == RTV_KEY_PARAM else part
                    for part in query.split("&"))


class RawBody:
    """An answer that is not JSON: bytes, or a file streamed as it is."""

    def __init__(self, ctype, data=None, path=None):
        self.ctype = ctype
        self.data = data
        self.path = path

# ---------------------------------------------------------------- Northstar

USER_FIELDS = ("id", "email", "mobile", "first_name", "last_name",
               "birthdate", "addr_street1", "addr_street2", "addr_city", "addr_state",
               "addr_zip", "voter_registration_status", "sms_status",
               "sms_subscription_topics", "email_subscription_status",
               "email_subscription_topics", "source", "source_detail",
               "referrer_user_id", "promotions_muted_at", "created_at",
               "updated_at")
PLAIN_STRING_FIELDS = ("last_name", "addr_street1", "addr_street2",
                       "addr_city", "addr_state", "addr_zip")
VOTER_REG_STATUSES = ("uncertain", "ineligible", "unregistered", "confirmed",
                      "registration_complete", "rejected", "under-18",
                      "step-1", "step-2", "step-3", "step-4")
SMS_STATUSES = ("active", "less", "stop", "undeliverable", "unknown",
                "pending")
SMS_SUBSCRIBED = ("active", "less", "pending")
SMS_TOPICS = ("general", "voting")
EMAIL_TOPICS = ("news", "scholarships", "lifestyle", "community", "clubs")
INDEX_EXISTS = "A record matching one of the given indexes already exists."
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")
OBJECTID_RE = re.compile(r"^[0-9a-f]{24}$")

# -------------------------------------------------------------------- Rogue

POST_TYPES = ("photo", "voter-reg", "text", "share-social", "phone-call",
              "email")
VOTER_REG_POST_STATUSES = ("pending", "register-form", "register-OVR",
                           "confirmed", "ineligible", "uncertain",
                           "rejected", "under-18", "step-1", "step-2",
                           "step-3", "step-4")
POST_NOT_FOUND = "No query results for model [Rogue\\Models\\Post]."
# filter[NAME] -> column of the posts table.
POST_FILTERS = ("action_id", "northstar_id", "type", "campaign_id", "status",
                "source", "action", "group_id", "referrer_user_id",
                "signup_id")
INT_COLUMNS = ("action_id", "campaign_id", "group_id", "signup_id")
# filter[NAME] of GET /api/v3/actions -> column of the actions table.
ACTION_FILTERS = ("id", "campaign_id", "callpower_campaign_id", "post_type")


def post_statuses(post_type):
    """The statuses Rogue allows for a post of this type."""
    if post_type == "voter-reg":
        return VOTER_REG_POST_STATUSES
    if post_type == "phone-call":
        return ("accepted", "incomplete")
    return ("pending", "accepted", "rejected")


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


def ns_422(fields):
    return ns_error(422, "The given data failed to validate.", fields)


def rogue_422(errors):
    return ApiError(422, {"message": "The given data was invalid.",
                          "errors": errors})


def ns_not_found():
    return ns_error(404, "That resource could not be found.")


def rogue_not_found():
    return ApiError(404, {"message": POST_NOT_FOUND})


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


def normalize_mobile(value):
    """A US number as E.164 (+1XXXXXXXXXX), or None when it is not one.

    Accepts an optional +1 or 1 country code and parentheses, spaces,
    dashes and dots; the ten digits must have the NANP shape NXX-NXX-XXXX
    (N is 2-9) and not be one digit repeated.
    """
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    s = str(value).strip()
    if not s or not re.fullmatch(r"\+?[0-9().\- ]+", s):
        return None
    digits = re.sub(r"[^0-9]", "", s)
    if len(digits) == 11 and digits[0] == "1":
        digits = digits[1:]
    elif s.startswith("+"):
        return None
    if len(digits) != 10 or digits[0] in "01" or digits[3] in "01":
        return None
    if len(set(digits)) == 1:
        return None
    return "+1" + digits


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


class Emulator:
    """The state: the database, tokens, faults and the request log."""

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
            self.db.executescript("""
            CREATE TABLE IF NOT EXISTS users (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT UNIQUE NOT NULL, email TEXT, mobile TEXT,
                doc TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS users_email ON users(email);
            CREATE INDEX IF NOT EXISTS users_mobile ON users(mobile);
            CREATE TABLE IF NOT EXISTS actions (
                id INTEGER PRIMARY KEY, post_type TEXT NOT NULL,
                campaign_id INTEGER NOT NULL, name TEXT NOT NULL,
                callpower_campaign_id INTEGER);
            CREATE TABLE IF NOT EXISTS signups (
                id INTEGER PRIMARY KEY AUTOINCREMENT, northstar_id TEXT,
                campaign_id INTEGER, doc TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS signups_ns_campaign
                ON signups(northstar_id, campaign_id);
            CREATE TABLE IF NOT EXISTS posts (
                id INTEGER PRIMARY KEY AUTOINCREMENT, signup_id INTEGER,
                type TEXT, action TEXT, action_id INTEGER,
                campaign_id INTEGER, northstar_id TEXT, status TEXT,
                source TEXT, referrer_user_id TEXT, group_id INTEGER,
                doc TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS posts_ns ON posts(northstar_id);
            CREATE TABLE IF NOT EXISTS resets (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, type TEXT,
                created_at TEXT);
            """)
            seeded = [(954, "voter-reg", 8017, "voter-reg action 954", None),
                      (850, "voter-reg", 8017, "voter-reg action 850", None)]
            for row in seeded + actions:
                self.db.execute(
                    "INSERT OR REPLACE INTO actions VALUES (?, ?, ?, ?, ?)",
                    row)

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
            elif key in RTV_SETTINGS:
                if (isinstance(value, bool) or not isinstance(value, int)
                        or value < 0):
                    raise BadBody("%s must be a non-negative integer" % key)
                new_rtv[key] = value
            else:
                raise BadBody("unknown fault setting '%s'" % key)
        with self.lock:
            self.faults.update(new)
            self.rtv.update(new_rtv)
            return dict(self.faults)

    def reset(self):
        with self.lock:
            self.db.executescript("""
            DELETE FROM users; DELETE FROM posts; DELETE FROM signups;
            DELETE FROM resets;""")
            self.requests = 0
            self.inflight_peak = self.inflight
            self.refused_inflight = 0
            self.rtv_reports = {}

    def state(self):
        with self.lock:
            users = [json.loads(r["doc"]) for r in
                     self.db.execute("SELECT doc FROM users ORDER BY seq")]
            posts = [json.loads(r["doc"]) for r in
                     self.db.execute("SELECT doc FROM posts ORDER BY id")]
            signups = [json.loads(r["doc"]) for r in
                       self.db.execute("SELECT doc FROM signups ORDER BY id")]
            resets = [{"id": r["id"], "type": r["type"],
                       "created_at": r["created_at"]} for r in
                      self.db.execute("SELECT * FROM resets ORDER BY seq")]
            actions = [self.action_public(r) for r in self.db.execute(
                "SELECT * FROM actions ORDER BY id")]
            return {"users": users, "posts": posts, "signups": signups,
                    "resets": resets, "actions": actions,
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

    # ------------------------------------------------------- Rock the Vote

    def init_rtv(self, opts):
        self.rtv_partner_id = opts.rtv_partner_id
        self.rtv_api_key = opts.rtv_api_key
        self.rtv = {"rtv_fail_reports": opts.rtv_fail_reports,
                    "rtv_report_polls": opts.rtv_report_polls}
        self.rtv_reports = {}  # id -> report, in creation order
        self.rtv_next_id = 1
        self.rtv_csv_path = opts.rtv_report_csv
        if self.rtv_csv_path:
            with open(self.rtv_csv_path, "rb") as f:
                self.rtv_records = csv_records(f)
        else:
            self.rtv_csv = rtv_builtin_csv()
            self.rtv_records = csv_records(io.BytesIO(self.rtv_csv))

    def rtv_snapshot(self):
        with self.lock:
            return dict(self.rtv)

    def rtv_credentials_ok(self, fields, query):
        """The partner id and key: in the body (create) or the query."""
        if fields.get(RTV_KEY_PARAM) is None:
            fields = dict(parse_qsl(query, keep_blank_values=True))
        return (fields.get("partner_id") == self.rtv_partner_id and
                fields.get(RTV_KEY_PARAM) == self.rtv_api_key)

    @staticmethod
    def rtv_public(report):
        return {k: report[k] for k in ("id", "since", "before", "status",
                                       "polls", "record_count")}

    def rtv_report(self, report_id):
        with self.lock:
            report = self.rtv_reports.get(report_id)
        if report is None:
            raise ApiError(404, {"message": "Report not found."})
        return report

    def rtv_create(self, fields, base):
        for key in ("since", "before"):
            if fields.get(key) is not None and \
                    not isinstance(fields[key], str):
                raise ApiError(400, {"message": "%s must be a string" % key})
        with self.lock:
            report_id = str(self.rtv_next_id)
            self.rtv_next_id += 1
            fail = self.rtv["rtv_fail_reports"] > 0
            if fail:
                self.rtv["rtv_fail_reports"] -= 1
            self.rtv_reports[report_id] = {
                "id": report_id, "since": fields.get("since"),
                "before": fields.get("before"), "status": "queued",
                "polls": 0, "record_count": self.rtv_records,
                "polls_needed": max(1, self.rtv["rtv_report_polls"]),
                "fail": fail}
        return 200, {"status": "queued", "status_url":
                     "%s/api/v4/registrant_reports/%s" % (base, report_id)}

    def rtv_status(self, report_id, base):
        report = self.rtv_report(report_id)
        with self.lock:
            if report["status"] in ("queued", "building"):
                report["polls"] += 1
                if report["polls"] >= report["polls_needed"]:
                    report["status"] = ("failed" if report["fail"]
                                        else "complete")
                else:
                    report["status"] = "building"
            status, polls = report["status"], report["polls"]
            count, needed = report["record_count"], report["polls_needed"]
        body = {"status": status, "record_count": count,
                "current_index": count if status == "complete" else
                count * min(polls, needed) // needed}
        if status == "complete":
            body["download_url"] = ("%s/api/v4/registrant_reports/%s/"
                                    "download" % (base, report_id))
        return 200, body

    def rtv_download(self, report_id):
        report = self.rtv_report(report_id)
        if report["status"] != "complete":
            raise ApiError(409, {"message": "The report is not complete."})
        if self.rtv_csv_path:
            return 200, RawBody("text/csv", path=self.rtv_csv_path)
        return 200, RawBody("text/csv", data=self.rtv_csv)

    def rtv_dispatch(self, name, params, fields, query, base, auth):
        """(status, body) of a Rock the Vote route."""
        if not auth:
            raise ApiError(401, {"message": RTV_BAD_CREDENTIALS})
        if name == "rtv_create":
            return self.rtv_create(fields, base)
        if name == "rtv_status":
            return self.rtv_status(unquote(params["id"]), base)
        if name == "rtv_download":
            return self.rtv_download(unquote(params["id"]))
        raise AssertionError(name)

    # ----------------------------------------------------------- Northstar

    def user_by(self, column, value):
        with self.lock:
            row = self.db.execute(
                "SELECT doc FROM users WHERE %s = ? ORDER BY seq LIMIT 1"
                % column, (value,)).fetchone()
        return json.loads(row["doc"]) if row else None

    def validate_user(self, data, creating):
        """The accepted fields in the body's order, or a 422."""
        errors = {}
        clean = {}

        def bad(field, message):
            errors.setdefault(field, []).append(message)

        for key, value in data.items():
            if key == "email":
                ok, value = as_string(value)
                if not ok or (value is not None and
                              not EMAIL_RE.match(value)):
                    bad(key, "The email must be a valid email address.")
                    continue
                clean[key] = value.lower() if value is not None else None
            elif key == "mobile":
                if value is None:
                    clean[key] = None
                    continue
                norm = normalize_mobile(value)
                if norm is None:
                    bad(key, "The mobile must be a valid US phone number.")
                    continue
                clean[key] = norm
            elif key in ("first_name",) + PLAIN_STRING_FIELDS:
                ok, value = as_string(value)
                if not ok:
                    bad(key, "The %s must be a string." % human(key))
                elif key == "first_name" and value and len(value) > 50:
                    bad(key, "The first name may not be greater than 50 "
                             "characters.")
                else:
                    clean[key] = value
            elif key in ("voter_registration_status", "sms_status"):
                allowed = (VOTER_REG_STATUSES if key.startswith("voter")
                           else SMS_STATUSES)
                if value is not None and value not in allowed:
                    bad(key, "The selected %s is invalid." % human(key))
                else:
                    clean[key] = value
            elif key in ("sms_subscription_topics",
                         "email_subscription_topics"):
                allowed = SMS_TOPICS if key.startswith("sms") else EMAIL_TOPICS
                if value is None:
                    clean[key] = None
                    continue
                if not isinstance(value, list):
                    bad(key, "The %s must be an array." % human(key))
                    continue
                ok = True
                for i, item in enumerate(value):
                    if item not in allowed:
                        bad("%s.%d" % (key, i),
                            "The selected %s.%d is invalid." % (key, i))
                        ok = False
                if ok:
                    clean[key] = dedupe_list(value)
            elif key == "birthdate":
                if value is None or value == "":
                    clean[key] = None
                    continue
                day = rogue_date(value) if isinstance(value, str) else None
                if day is None:
                    bad(key, "The birthdate is not a valid date.")
                else:
                    clean[key] = day[:10]
            elif key == "email_subscription_status":
                ok, value = laravel_boolean(value)
                if not ok:
                    bad(key, "The email subscription status field must be "
                             "true or false.")
                else:
                    clean[key] = value
            elif key in ("source", "source_detail"):
                if creating:
                    clean[key] = value
            elif key == "referrer_user_id":
                if not creating:
                    continue
                if value is not None and (not isinstance(value, str) or
                                          not OBJECTID_RE.match(value)):
                    bad(key, "The referrer user id must be a valid "
                             "ObjectId.")
                else:
                    clean[key] = value
            # Anything else (id, created_at, unknown fields) is ignored.
        if errors:
            raise ns_422(errors)
        return clean

    def apply_user(self, user, clean, creating):
        """Sets the fields in order, with Northstar's mutator effects."""
        for key, value in clean.items():
            if key == "source_detail":
                continue
            user[key] = value
            if key == "email_subscription_topics" and value:
                user["email_subscription_status"] = True
            elif key == "email_subscription_status" and value is False:
                user["email_subscription_topics"] = []
        if creating:
            if clean.get("source") is not None:
                user["source_detail"] = clean.get("source_detail")
            else:
                user["source"] = self.client_id
            if (user.get("sms_status") in SMS_SUBSCRIBED and
                    not user.get("sms_subscription_topics")):
                user["sms_subscription_topics"] = ["general", "voting"]

    def check_unique(self, clean, user_id):
        errors = {}
        for key in ("email", "mobile"):
            value = clean.get(key)
            if value is None:
                continue
            with self.lock:
                row = self.db.execute(
                    "SELECT id FROM users WHERE %s = ? AND id != ? LIMIT 1"
                    % key, (value, user_id or "")).fetchone()
            if row:
                errors[key] = ["The %s has already been taken." % key]
        if errors:
            raise ns_422(errors)

    def require_email_or_mobile(self, user):
        if user.get("email") is None and user.get("mobile") is None:
            raise ns_422({
                "email": ["The email field is required when mobile is not "
                          "present."],
                "mobile": ["The mobile field is required when email is not "
                           "present."]})

    def save_user(self, user, insert):
        doc = json.dumps(user)
        if insert:
            self.db.execute(
                "INSERT INTO users (id, email, mobile, doc) VALUES "
                "(?, ?, ?, ?)", (user["id"], user["email"], user["mobile"],
                                 doc))
        else:
            self.db.execute(
                "UPDATE users SET email = ?, mobile = ?, doc = ? "
                "WHERE id = ?", (user["email"], user["mobile"], doc,
                                 user["id"]))

    def create_user(self, data, upsert):
        clean = self.validate_user(data, creating=True)
        with self.lock:
            existing = None
            for key in ("email", "mobile"):
                if existing is None and clean.get(key) is not None:
                    existing = self.user_by(key, clean[key])
            if existing is not None:
                if not upsert:
                    raise ns_422({"id": [INDEX_EXISTS]})
                return 200, self.update_user(existing["id"], data)
            user = {f: None for f in USER_FIELDS}
            user["id"] = new_object_id()
            self.apply_user(user, clean, creating=True)
            self.require_email_or_mobile(user)
            user["created_at"] = user["updated_at"] = now_iso()
            self.save_user(user, insert=True)
            return 201, user

    def update_user(self, user_id, data):
        clean = self.validate_user(data, creating=False)
        with self.lock:
            user = self.user_by("id", user_id)
            if user is None:
                raise ns_not_found()
            self.check_unique(clean, user_id)
            self.apply_user(user, clean, creating=False)
            self.require_email_or_mobile(user)
            user["updated_at"] = now_iso()
            self.save_user(user, insert=False)
            return user

    def mute_promotions(self, user_id):
        with self.lock:
            user = self.user_by("id", user_id)
            if user is None:
                raise ns_not_found()
            user["promotions_muted_at"] = user["updated_at"] = now_iso()
            self.save_user(user, insert=False)
            return user

    def send_reset(self, data):
        errors = {}
        for key in ("id", "type"):
            ok, value = as_string(data.get(key))
            if not ok or value is None:
                errors[key] = ["The %s field is required." % key]
        if errors:
            raise ns_422(errors)
        with self.lock:
            if self.user_by("id", str(data["id"])) is None:
                raise ns_not_found()
            self.db.execute(
                "INSERT INTO resets (id, type, created_at) VALUES (?, ?, ?)",
                (str(data["id"]), str(data["type"]), now_iso()))
        return {"success": {"code": 200, "message": "Message sent."}}

    # --------------------------------------------------------------- Rogue

    def find_action(self, action_id=None, campaign_id=None, name=None):
        with self.lock:
            if action_id is not None:
                row = self.db.execute("SELECT * FROM actions WHERE id = ?",
                                      (action_id,)).fetchone()
            else:
                row = self.db.execute(
                    "SELECT * FROM actions WHERE campaign_id = ? AND "
                    "name = ?", (campaign_id, name)).fetchone()
        return dict(row) if row else None

    @staticmethod
    def action_public(row):
        return {"id": row["id"], "post_type": row["post_type"],
                "campaign_id": row["campaign_id"], "name": row["name"],
                "callpower_campaign_id": row["callpower_campaign_id"]}

    def list_actions(self, query):
        """GET /api/v3/actions: filter[F]=V,W (OR), Laravel-paginated."""
        where, args, limit, page = [], [], 20, 1
        for key, value in parse_qsl(query, keep_blank_values=True):
            m = re.fullmatch(r"filter\[([a-z_]+)\]", key)
            if m and m.group(1) in ACTION_FILTERS:
                column = m.group(1)
                values = [v.strip() for v in value.split(",")]
                if column != "post_type":
                    values = [int(v) if re.fullmatch(r"-?[0-9]+", v) else v
                              for v in values]
                where.append("%s IN (%s)" % (column,
                                             ",".join("?" * len(values))))
                args.extend(values)
            elif key in ("limit", "page"):
                ok, n = as_integer(value)
                if ok and n is not None and n > 0:
                    if key == "limit":
                        limit = min(n, 100)
                    else:
                        page = n
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self.lock:
            total = self.db.execute("SELECT COUNT(*) FROM actions" + clause,
                                    args).fetchone()[0]
            rows = self.db.execute(
                "SELECT * FROM actions" + clause +
                " ORDER BY id LIMIT ? OFFSET ?",
                args + [limit, (page - 1) * limit]).fetchall()
        data = [self.action_public(r) for r in rows]
        return {"data": data, "meta": {"pagination": {
            "total": total, "count": len(data), "per_page": limit,
            "current_page": page,
            "total_pages": max(1, math.ceil(total / limit))}}}

    def validate_post(self, data, client_id, admin=True):
        """The post to store, or a 422.

        Only a token with the admin scope sets northstar_id, status,
        source and created_at. With any other the post is the token's
        user's (a client's token has none: null), pending, from the
        client and made now; the four are checked all the same.
        """
        errors = {}

        def bad(field, message):
            errors.setdefault(field, []).append(message)

        action = None
        ok, action_id = as_integer(data.get("action_id"))
        if not ok:
            bad("action_id", "The action id must be an integer.")
        elif action_id is None:
            # The legacy form names the action within a campaign.
            ok, campaign_id = as_integer(data.get("campaign_id"))
            if ok and campaign_id is not None and data.get("action"):
                action = self.find_action(campaign_id=campaign_id,
                                          name=data.get("action"))
                if action is None:
                    bad("action_id", "The selected action id is invalid.")
            else:
                bad("action_id", "The action id field is required.")
        else:
            action = self.find_action(action_id=action_id)
            if action is None:
                bad("action_id", "The selected action id is invalid.")
        ptype = data.get("type")
        if ptype is None:
            bad("type", "The type field is required.")
        elif ptype not in POST_TYPES:
            bad("type", "The selected type is invalid.")
        for key in ("northstar_id", "referrer_user_id"):
            value = data.get(key)
            if value is not None and (not isinstance(value, str) or
                                      not OBJECTID_RE.match(value)):
                bad(key, "The %s must be a valid ObjectId." % human(key))
        details = data.get("details")
        if details is not None:
            if (isinstance(details, (dict, list)) or
                    not self.is_json_string(details)):
                bad("details", "The details must be a valid JSON string.")
            elif not isinstance(details, str):
                details = json.dumps(details)
        fields = self.validate_post_update(data, action, errors)
        created_at = data.get("created_at")
        if created_at is not None:
            created_at = rogue_date(created_at)
            if created_at is None:
                bad("created_at", "The created at is not a valid date.")
        ok, hours = True, data.get("hours_spent")
        if hours is not None:
            try:
                hours = float(hours)
                ok = 0.1 <= hours <= 999999.99 and not isinstance(
                    data.get("hours_spent"), bool)
            except (TypeError, ValueError):
                ok = False
            if not ok:
                bad("hours_spent", "The hours spent must be between 0.1 "
                                   "and 999999.99.")
        for key in ("source", "source_details"):
            if not as_string(data.get(key))[0]:
                bad(key, "The %s must be a string." % human(key))
        if errors:
            raise rogue_422(errors)
        status = fields.get("status") or "pending"
        source = as_string(data.get("source"))[1]
        northstar_id = data.get("northstar_id")
        if not admin:
            status, source, northstar_id, created_at = (
                "pending", None, None, None)
        return {
            "action": action, "status": status, "details": details,
            "northstar_id": northstar_id,
            "referrer_user_id": data.get("referrer_user_id"),
            "source": source if source is not None else client_id,
            "source_details": as_string(data.get("source_details"))[1],
            "group_id": self.maybe_int(data.get("group_id")),
            "quantity": fields.get("quantity"),
            "hours_spent": hours,
            "text": fields.get("text"),
            "location": fields.get("location"),
            "school_id": fields.get("school_id"),
            "created_at": created_at,
        }

    def validate_post_update(self, data, action, errors):
        """status, text, quantity, location, school_id; adds to errors."""
        fields = {}
        if "status" in data and action is not None:
            if data["status"] not in post_statuses(action["post_type"]):
                errors.setdefault("status", []).append(
                    "The selected status is invalid.")
            else:
                fields["status"] = data["status"]
        if "quantity" in data:
            ok, value = as_integer(data["quantity"])
            if not ok:
                errors.setdefault("quantity", []).append(
                    "The quantity must be an integer.")
            else:
                fields["quantity"] = value
        for key in ("text", "location", "school_id"):
            if key not in data:
                continue
            ok, value = as_string(data[key])
            if not ok:
                errors.setdefault(key, []).append(
                    "The %s must be a string." % human(key))
            elif key == "text" and value is not None and len(value) > 500:
                errors.setdefault(key, []).append(
                    "The text may not be greater than 500 characters.")
            else:
                fields[key] = value
        return fields

    @staticmethod
    def is_json_string(value):
        if isinstance(value, bool):
            return True
        try:
            json.loads(str(value))
            return True
        except ValueError:
            return False

    @staticmethod
    def maybe_int(value):
        ok, n = as_integer(value)
        return n if ok and n is not None else value

    def signup_for(self, post, now):
        """The signup of (northstar_id, campaign), created when missing."""
        ns_id, campaign = post["northstar_id"], post["action"]["campaign_id"]
        if ns_id is not None:
            row = self.db.execute(
                "SELECT id FROM signups WHERE northstar_id = ? AND "
                "campaign_id = ?", (ns_id, campaign)).fetchone()
            if row:
                return row["id"]
        cur = self.db.execute(
            "INSERT INTO signups (northstar_id, campaign_id, doc) "
            "VALUES (?, ?, '{}')", (ns_id, campaign))
        doc = {"id": cur.lastrowid, "northstar_id": ns_id,
               "campaign_id": campaign, "source": post["source"],
               "source_details": post["source_details"],
               "details": post["details"],
               "referrer_user_id": post["referrer_user_id"],
               "group_id": post["group_id"], "created_at": now,
               "updated_at": now}
        self.db.execute("UPDATE signups SET doc = ? WHERE id = ?",
                        (json.dumps(doc), cur.lastrowid))
        return cur.lastrowid

    def create_post(self, data, client_id, admin=True):
        p = self.validate_post(data, client_id, admin)
        action = p["action"]
        now = now_iso()
        with self.lock:
            signup_id = self.signup_for(p, now)
            cur = self.db.execute("INSERT INTO posts (doc) VALUES ('{}')")
            post = {
                "id": cur.lastrowid, "signup_id": signup_id,
                "type": action["post_type"], "action": action["name"],
                "action_id": action["id"],
                "campaign_id": action["campaign_id"],
                "northstar_id": p["northstar_id"],
                "media": {"url": None, "original_image_url": None,
                          "text": p["text"]},
                "quantity": p["quantity"], "hours_spent": p["hours_spent"],
                "reactions": {"reacted": False, "total": 0},
                "status": p["status"], "location": p["location"],
                "location_name": None,
                "created_at": p["created_at"] or now, "updated_at": now,
                "tags": [], "source": p["source"],
                "source_details": p["source_details"],
                "remote_addr": "0.0.0.0", "details": p["details"],
                "referrer_user_id": p["referrer_user_id"],
                "group_id": p["group_id"], "school_id": p["school_id"],
                "club_id": None,
            }
            self.save_post(post)
        return post

    def save_post(self, post):
        self.db.execute(
            "UPDATE posts SET signup_id = ?, type = ?, action = ?, "
            "action_id = ?, campaign_id = ?, northstar_id = ?, status = ?, "
            "source = ?, referrer_user_id = ?, group_id = ?, doc = ? "
            "WHERE id = ?",
            (post["signup_id"], post["type"], post["action"],
             post["action_id"], post["campaign_id"], post["northstar_id"],
             post["status"], post["source"], post["referrer_user_id"],
             post["group_id"] if isinstance(post["group_id"], int) else None,
             json.dumps(post), post["id"]))

    def get_post(self, post_id):
        ok, n = as_integer(post_id)
        if not ok or n is None:
            raise rogue_not_found()
        with self.lock:
            row = self.db.execute("SELECT doc FROM posts WHERE id = ?",
                                  (n,)).fetchone()
        if row is None:
            raise rogue_not_found()
        return json.loads(row["doc"])

    def update_post(self, post_id, data):
        with self.lock:
            post = self.get_post(post_id)
            errors = {}
            fields = self.validate_post_update(
                data, {"post_type": post["type"]}, errors)
            if errors:
                raise rogue_422(errors)
            for key, value in fields.items():
                if key == "text":
                    post["media"]["text"] = value
                else:
                    post[key] = value
            post["updated_at"] = now_iso()
            self.save_post(post)
            return post

    def list_posts(self, query):
        params = parse_qsl(query, keep_blank_values=True)
        where, args = [], []
        limit, page = 20, 1
        for key, value in params:
            m = re.fullmatch(r"filter\[([a-z_]+)\]", key)
            if m and m.group(1) in POST_FILTERS:
                column = m.group(1)
                values = [v.strip() for v in value.split(",")]
                if column in INT_COLUMNS:
                    values = [int(v) if re.fullmatch(r"-?[0-9]+", v) else v
                              for v in values]
                where.append("%s IN (%s)" % (column,
                                             ",".join("?" * len(values))))
                args.extend(values)
            elif key == "limit":
                ok, n = as_integer(value)
                if ok and n is not None and n > 0:
                    limit = min(n, 100)
            elif key == "page":
                ok, n = as_integer(value)
                if ok and n is not None and n > 0:
                    page = n
        clause = (" WHERE " + " AND ".join(where)) if where else ""
        with self.lock:
            total = self.db.execute("SELECT COUNT(*) FROM posts" + clause,
                                    args).fetchone()[0]
            rows = self.db.execute(
                "SELECT doc FROM posts" + clause +
                " ORDER BY id DESC LIMIT ? OFFSET ?",
                args + [limit, (page - 1) * limit]).fetchall()
        data = [json.loads(r["doc"]) for r in rows]
        return {"data": data, "meta": {"pagination": {
            "total": total, "count": len(data), "per_page": limit,
            "current_page": page,
            "total_pages": max(1, math.ceil(total / limit))}}}

    # ---------------------------------------------------------------- seed

    def seed(self, users, posts):
        """Bulk loads N users and N posts, for benchmarks at scale.

        Every record goes through create_user / create_post, as a request's
        would; only the commits are batched. User n has the email
        seed-n@example.org and, for even n, the mobile seed_mobile(n / 2);
        post n is a voter-reg post of action 954 for user n, or, past the
        users, for the member whose id is n + 1 in 24 hex digits: one
        signup a post. On an empty database (else a 422 ends it).
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
                ids.append(self.create_user(data, upsert=False)[1]["id"])
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

# (methods, pattern, handler name, api, scopes needed)
ROUTES = [
    (("POST",), r"/v2/auth/token", "token", "northstar", ()),
    (("POST",), r"/v2/users", "ns_create", "northstar", ("user", "write")),
    (("GET",), r"/v2/users/(?P<id>[^/]+)", "ns_get", "northstar",
     ("user",)),
    (("PUT",), r"/v2/users/(?P<id>[^/]+)", "ns_update", "northstar",
     ("user", "write")),
    (("POST", "DELETE"), r"/v2/users/(?P<id>[^/]+)/promotions", "ns_mute",
     "northstar", ("user", "write")),
    (("GET",), r"/v2/email/(?P<email>.+)", "ns_by_email", "northstar",
     ("user",)),
    (("GET",), r"/v2/mobile/(?P<mobile>.+)", "ns_by_mobile", "northstar",
     ("user",)),
    (("POST",), r"/v2/resets", "ns_reset", "northstar", ("user", "write")),
    (("GET",), r"/api/v3/posts", "rogue_list", "rogue", ("activity",)),
    (("GET",), r"/api/v3/actions", "rogue_actions", "rogue", ("activity",)),
    (("POST",), r"/api/v3/posts", "rogue_create", "rogue",
     ("activity", "write")),
    (("GET",), r"/api/v3/posts/(?P<id>[^/]+)", "rogue_get", "rogue",
     ("activity",)),
    (("PATCH",), r"/api/v3/posts/(?P<id>[^/]+)", "rogue_update", "rogue",
     ("activity", "write")),
    # Rock the Vote: partner credentials in the body or query, no token.
    (("POST",), r"/api/v4/registrant_reports", "rtv_create", "rtv", ()),
    (("GET",), r"/api/v4/registrant_reports/(?P<id>[^/]+)", "rtv_status",
     "rtv", ()),
    (("GET",), r"/api/v4/registrant_reports/(?P<id>[^/]+)/download",
     "rtv_download", "rtv", ()),
]
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
    if name == "ns_create":
        upsert = any(k == "upsert" and str_to_boolean(v)
                     for k, v in parse_qsl(query))
        status, user = emu.create_user(fields, upsert)
        return status, {"data": user}
    if name == "ns_get":
        user = emu.user_by("id", unquote(params["id"]))
        if user is None:
            raise ns_not_found()
        return 200, {"data": user}
    if name == "ns_update":
        return 200, {"data": emu.update_user(unquote(params["id"]), fields)}
    if name == "ns_mute":
        return 200, {"data": emu.mute_promotions(unquote(params["id"]))}
    if name == "ns_by_email":
        user = emu.user_by("email", unquote(params["email"]).strip().lower())
        if user is None:
            raise ns_not_found()
        return 200, {"data": user}
    if name == "ns_by_mobile":
        norm = normalize_mobile(unquote(params["mobile"]))
        user = emu.user_by("mobile", norm) if norm else None
        if user is None:
            raise ns_not_found()
        return 200, {"data": user}
    if name == "ns_reset":
        return 200, emu.send_reset(fields)
    if name == "rogue_list":
        return 200, emu.list_posts(query)
    if name == "rogue_actions":
        return 200, emu.list_actions(query)
    if name == "rogue_create":
        return 201, {"data": emu.create_post(fields, client[0],
                                             "admin" in client[1])}
    if name == "rogue_get":
        return 200, {"data": emu.get_post(unquote(params["id"]))}
    if name == "rogue_update":
        return 200, {"data": emu.update_post(unquote(params["id"]), fields)}
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


def action_arg(text):
    # ID:TYPE:CAMPAIGN[:NAME][:callpower=N]
    callpower = None
    m = re.fullmatch(r"(.*?):?callpower=([0-9]+)", text)
    if m and m.group(1).count(":") >= 2:
        text, callpower = m.group(1), int(m.group(2))
    parts = text.split(":", 3)
    try:
        if len(parts) < 3:
            raise ValueError
        action_id, post_type, campaign = int(parts[0]), parts[1], int(parts[2])
    except ValueError:
        raise argparse.ArgumentTypeError(
            "expected ID:TYPE:CAMPAIGN[:NAME][:callpower=N], got '%s'"
            % text)
    if post_type not in POST_TYPES:
        raise argparse.ArgumentTypeError("unknown post type '%s'" % post_type)
    name = parts[3] if len(parts) == 4 else "%s action %d" % (post_type,
                                                              action_id)
    return (action_id, post_type, campaign, name, callpower)


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
    p.add_argument("--action", dest="actions", type=action_arg,
                   action="append", default=[],
                   metavar="ID:TYPE:CAMPAIGN[:NAME][:callpower=N]")
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
    p.add_argument("--rtv-partner-id",
                   default=os.environ.get("RTV_PARTNER_ID",
                                          "sluice-partner"))
    p.add_argument("--rtv-api-key",
                   default=os.environ.get("RTV_PARTNER_API_KEY",
                                          "sluice-rtv-key"))
    p.add_argument("--rtv-report-polls", type=int, default=2,
                   help="status polls until a report is complete")
    p.add_argument("--rtv-fail-reports", type=int, default=0,
                   help="the next N reports end in status failed")
    p.add_argument("--rtv-report-csv",
                   help="the CSV every report serves (default: built in)")
    p.add_argument("--seed-users", type=int, default=0, metavar="N",
                   help="create N users before listening (benchmarks)")
    p.add_argument("--seed-posts", type=int, default=0, metavar="N",
                   help="create N posts before listening (benchmarks)")
    opts = p.parse_args(argv)
    if opts.rtv_report_polls < 0 or opts.rtv_fail_reports < 0:
        p.error("--rtv-report-polls and --rtv-fail-reports take N >= 0")
    if opts.max_inflight < 0:
        p.error("--max-inflight takes N >= 0")
    if opts.token_ttl < 1:
        p.error("--token-ttl must be at least 1")
    if opts.seed_users < 0 or opts.seed_posts < 0:
        p.error("--seed-users and --seed-posts take N >= 0")
    return opts


def main(argv):
    opts = parse_args(argv)
    emu = Emulator(opts)
    try:
        emu.seed(opts.seed_users, opts.seed_posts)
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
