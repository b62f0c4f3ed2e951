"""The emulator's Rogue part: actions, signups and posts.

A mixin of tests/servers/emulator.py's Emulator (which composes it with the
Northstar and Rock the Vote parts and holds the HTTP server, routing,
faults and shared helpers): the actions, signups and posts tables, the
/api/v3 routes, their dispatch, the post validation and the listings
(GET /api/v3/posts and /api/v3/actions), and the --action option.
tests/servers/README.md states the contract.
"""
import argparse
import json
import math
import re
from urllib.parse import parse_qsl, unquote

from emulator import (OBJECTID_RE, ApiError, as_integer, as_string, human,
                      now_iso, rogue_date)

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


def rogue_422(errors):
    return ApiError(422, {"message": "The given data was invalid.",
                          "errors": errors})


def rogue_not_found():
    return ApiError(404, {"message": POST_NOT_FOUND})


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



def add_arguments(p):
    """The --action option, on the emulator's argument parser."""
    p.add_argument("--action", dest="actions", type=action_arg,
                   action="append", default=[],
                   metavar="ID:TYPE:CAMPAIGN[:NAME][:callpower=N]")


# (methods, pattern, handler name, api, scopes needed).
ROGUE_ROUTES = [
    (("GET",), r"/api/v3/posts", "rogue_list", "rogue", ("activity",)),
    (("GET",), r"/api/v3/actions", "rogue_actions", "rogue", ("activity",)),
    (("POST",), r"/api/v3/posts", "rogue_create", "rogue",
     ("activity", "write")),
    (("GET",), r"/api/v3/posts/(?P<id>[^/]+)", "rogue_get", "rogue",
     ("activity",)),
    (("PATCH",), r"/api/v3/posts/(?P<id>[^/]+)", "rogue_update", "rogue",
     ("activity", "write")),
]


class RogueMixin:
    """The actions, signups and posts of an Emulator (self.db, under
    self.lock)."""

    def rogue_init_db(self, actions):
        """The tables, the two voter-reg actions always there, and
        --action's."""
        self.db.executescript("""
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
            """)
        seeded = [(954, "voter-reg", 8017, "voter-reg action 954", None),
                  (850, "voter-reg", 8017, "voter-reg action 850", None)]
        for row in seeded + actions:
            self.db.execute(
                "INSERT OR REPLACE INTO actions VALUES (?, ?, ?, ?, ?)",
                row)

    def rogue_state(self):
        """posts, signups and actions for GET /_emulator/state, as
        stored."""
        posts = [json.loads(r["doc"]) for r in
                 self.db.execute("SELECT doc FROM posts ORDER BY id")]
        signups = [json.loads(r["doc"]) for r in
                   self.db.execute("SELECT doc FROM signups ORDER BY id")]
        actions = [self.action_public(r) for r in self.db.execute(
            "SELECT * FROM actions ORDER BY id")]
        return {"posts": posts, "signups": signups, "actions": actions}

    def rogue_reset(self):
        """Empties posts and signups (the actions stay)."""
        self.db.executescript("DELETE FROM posts; DELETE FROM signups;")

    def rogue_dispatch(self, name, params, fields, query, client):
        """(status, body) of a Rogue route; raises ApiError otherwise.

        client is (client id, scopes) of the request's token.
        """
        if name == "rogue_list":
            return 200, self.list_posts(query)
        if name == "rogue_actions":
            return 200, self.list_actions(query)
        if name == "rogue_create":
            return 201, {"data": self.create_post(fields, client[0],
                                                  "admin" in client[1])}
        if name == "rogue_get":
            return 200, {"data": self.get_post(unquote(params["id"]))}
        if name == "rogue_update":
            post = self.update_post(unquote(params["id"]), fields)
            return 200, {"data": post}
        raise AssertionError(name)

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
