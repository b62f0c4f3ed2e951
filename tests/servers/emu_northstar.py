"""The emulator's Northstar part: users, their lookups, resets, promotions.

A mixin of tests/servers/emulator.py's Emulator (which composes it with the
Rogue and Rock the Vote parts and holds the HTTP server, routing, the OAuth
token endpoint, faults and shared helpers): the users and resets tables,
the /v2 routes but the token's, their dispatch, and the create and update
validation with Northstar's mutator effects. tests/servers/README.md states
the contract. Northstar has no options of its own (the OAuth client's are
the core's).
"""
import json
import re
from urllib.parse import parse_qsl, unquote

from emulator import (OBJECTID_RE, as_string, dedupe_list, human,
                      laravel_boolean, new_object_id, now_iso, ns_error,
                      ns_not_found, rogue_date, str_to_boolean)

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


def ns_422(fields):
    return ns_error(422, "The given data failed to validate.", fields)


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


# (methods, pattern, handler name, api, scopes needed); the token endpoint
# is the core's.
NORTHSTAR_ROUTES = [
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
]


class NorthstarMixin:
    """The users and resets of an Emulator (self.db, under self.lock)."""

    def northstar_init_db(self):
        self.db.executescript("""
            CREATE TABLE IF NOT EXISTS users (
                seq INTEGER PRIMARY KEY AUTOINCREMENT,
                id TEXT UNIQUE NOT NULL, email TEXT, mobile TEXT,
                doc TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS users_email ON users(email);
            CREATE INDEX IF NOT EXISTS users_mobile ON users(mobile);
            CREATE TABLE IF NOT EXISTS resets (
                seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT, type TEXT,
                created_at TEXT);
            """)

    def northstar_state(self):
        """users and resets for GET /_emulator/state, as stored."""
        users = [json.loads(r["doc"]) for r in
                 self.db.execute("SELECT doc FROM users ORDER BY seq")]
        resets = [{"id": r["id"], "type": r["type"],
                   "created_at": r["created_at"]} for r in
                  self.db.execute("SELECT * FROM resets ORDER BY seq")]
        return {"users": users, "resets": resets}

    def northstar_reset(self):
        self.db.executescript("DELETE FROM users; DELETE FROM resets;")

    def northstar_dispatch(self, name, params, fields, query, client):
        """(status, body) of a Northstar route; raises ApiError otherwise."""
        if name == "ns_create":
            upsert = any(k == "upsert" and str_to_boolean(v)
                         for k, v in parse_qsl(query))
            status, user = self.create_user(fields, upsert)
            return status, {"data": user}
        if name == "ns_get":
            user = self.user_by("id", unquote(params["id"]))
            if user is None:
                raise ns_not_found()
            return 200, {"data": user}
        if name == "ns_update":
            user = self.update_user(unquote(params["id"]), fields)
            return 200, {"data": user}
        if name == "ns_mute":
            return 200, {"data": self.mute_promotions(unquote(params["id"]))}
        if name == "ns_by_email":
            email = unquote(params["email"]).strip().lower()
            user = self.user_by("email", email)
            if user is None:
                raise ns_not_found()
            return 200, {"data": user}
        if name == "ns_by_mobile":
            norm = normalize_mobile(unquote(params["mobile"]))
            user = self.user_by("mobile", norm) if norm else None
            if user is None:
                raise ns_not_found()
            return 200, {"data": user}
        if name == "ns_reset":
            return 200, self.send_reset(fields)
        raise AssertionError(name)

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
