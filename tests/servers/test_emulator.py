"""Tests the Northstar/Rogue emulator over HTTP on loopback.

Starts tests/servers/emulator.py on a free port (database and request log
in a temporary directory under $TMPDIR), exercises every endpoint, every
validation rule the delivery stages rely on and every fault, and prints
one TAP-like line per check: "ok - ..." or "not ok - ...". The emulator is
always stopped, also when a check throws. usage: test_emulator.py
"""
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
EMULATOR = os.path.join(HERE, "emulator.py")
SECRET = "sluice-secret"
INDEX_EXISTS = "A record matching one of the given indexes already exists."
OBJECTID = re.compile(r"^[0-9a-f]{24}$")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")

failures = 0


def check(cond, desc, detail=None):
    global failures
    if cond:
        print("ok - emulator: " + desc, flush=True)
    else:
        failures += 1
        print("not ok - emulator: " + desc, flush=True)
        if detail is not None:
            print("# " + str(detail)[:2000], file=sys.stderr, flush=True)
    return cond


def start(workdir, *args, env=None, wait=10):
    """Starts the emulator; returns (process, port) within wait seconds."""
    err = open(os.path.join(workdir, "emulator.err"), "ab")
    proc = subprocess.Popen(
        [sys.executable, EMULATOR, "--port", "0"] + list(args),
        stdout=subprocess.PIPE, stderr=err, env=env)
    err.close()
    line = []
    reader = threading.Thread(
        target=lambda: line.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(wait)
    if not line or not re.fullmatch(rb"[0-9]+\n", line[0]):
        stop(proc)
        raise RuntimeError("the emulator printed no port: %r" % (line,))
    return proc, int(line[0])


def stop(proc):
    """SIGTERM, then SIGKILL if it lingers; returns the exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stdout:
        proc.stdout.close()
    return proc.returncode


class Client:
    def __init__(self, port):
        self.base = "http://127.0.0.1:%d" % port
        self.port = port
        self.token = None

    def call(self, method, path, body=None, token=True, headers=None,
             raw=None, timeout=5):
        """(status, headers, parsed JSON or text) of one request."""
        hdrs = {"Accept": "application/json"}
        data = raw
        if body is not None:
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        if token is True and self.token:
            hdrs["Authorization"] = "Bearer " + self.token
        elif isinstance(token, str):
            hdrs["Authorization"] = "Bearer " + token
        hdrs.update(headers or {})
        req = urllib.request.Request(self.base + path, data=data,
                                     headers=hdrs, method=method)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                status, rh, text = resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as e:
            status, rh, text = e.code, e.headers, e.read()
        try:
            return status, rh, json.loads(text.decode() or "null")
        except ValueError:
            return status, rh, text.decode("utf-8", "replace")

    def get_token(self, secret=SECRET, **extra):
        body = {"grant_type": "client_credentials", "client_id":
                "sluice-test", "client_secret": secret,
                "scope": "admin user activity write"}
        body.update(extra)
        return self.call("POST", "/v2/auth/token", body, token=False)

    def faults(self, **settings):
        status, _, body = self.call("POST", "/_emulator/faults", settings,
                                    token=False)
        if status != 200:
            raise RuntimeError("setting faults failed: %r" % (body,))
        return body

    def state(self):
        return self.call("GET", "/_emulator/state", token=False)[2]

    def raw_request(self, method, path, body=None, timeout=5):
        """One request on a fresh http.client connection; may raise."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        try:
            hdrs = {"Authorization": "Bearer " + self.token}
            data = None
            if body is not None:
                data = json.dumps(body)
                hdrs["Content-Type"] = "application/json"
            conn.request(method, path, data, hdrs)
            resp = conn.getresponse()
            return resp.status, resp.read()
        finally:
            conn.close()


def ns_error(code, message, fields=None):
    err = {"code": code, "message": message}
    if fields is not None:
        err["fields"] = fields
    return {"error": err}


def test_auth(c):
    status, _, body = c.get_token()
    check(status == 200 and body.get("token_type") == "Bearer" and
          body.get("expires_in") == 3600 and
          len(body.get("access_token") or "") > 20,
          "token: client credentials give a Bearer token for 3600 s", body)
    c.token = body.get("access_token")
    status, _, body = c.get_token(secret="wrong")
    check(status == 401 and body == {
        "error": "invalid_client", "message": "Client authentication failed.",
        "hint": ""}, "token: a wrong secret is a 401 invalid_client", body)
    status, _, body = c.get_token(grant_type="password")
    check(status == 400 and body.get("error") == "unsupported_grant_type",
          "token: another grant type is a 400 unsupported_grant_type", body)
    status, _, body = c.call("POST", "/v2/auth/token", token=False,
                             raw=urllib.parse.urlencode({
                                 "grant_type": "client_credentials",
                                 "client_id": "sluice-test",
                                 "client_secret": SECRET}).encode(),
                             headers={"Content-Type":
                                      "application/x-www-form-urlencoded"})
    check(status == 200 and body.get("access_token"),
          "token: a form-encoded token request works too", body)
    unauthorized = ns_error(401, "Unauthorized.")
    status, _, body = c.call("GET", "/v2/users/" + "a" * 24, token=False)
    check(status == 401 and body == unauthorized,
          "auth: no token is a 401 Unauthorized", body)
    status, _, body = c.call("GET", "/api/v3/posts", token="not-a-token")
    check(status == 401 and body == unauthorized,
          "auth: an unknown token is a 401 on Rogue too", body)
    status, _, body = c.get_token(scope="user")
    status, _, body = c.call("GET", "/api/v3/posts",
                             token=body.get("access_token"))
    check(status == 403, "auth: a token without the activity scope is a 403",
          body)

    c.faults(token_ttl=1)
    status, _, body = c.get_token()
    short = body.get("access_token")
    check(status == 200 and body.get("expires_in") == 1,
          "token: expires_in follows token_ttl", body)
    status1 = c.call("GET", "/api/v3/posts", token=short)[0]
    time.sleep(1.1)
    status2, _, body = c.call("GET", "/api/v3/posts", token=short)
    check(status1 == 200 and status2 == 401 and body == unauthorized,
          "token: an expired token is refused with 401", (status1, status2))
    status3 = c.call("GET", "/api/v3/posts")[0]
    check(status3 == 200, "token: an older long-lived token still works")
    c.faults(token_ttl=3600)


def test_users(c):
    status, _, body = c.call("POST", "/v2/users", {
        "id": "ffffffffffffffffffffffff",
        "email": "  Jane.Doe@Example.COM ", "mobile": "(212) 555-0123",
        "first_name": " Jane ", "last_name": "", "sms_status": "active",
        "voter_registration_status": "registration_complete",
        "addr_zip": 10001})
    user = body.get("data") if isinstance(body, dict) else None
    check(status == 201 and user is not None,
          "users: create answers 201 {data: user}", body)
    user = user or {}
    uid = user.get("id", "")
    check(OBJECTID.match(uid or "") and uid != "f" * 24,
          "users: the id is 24 hex digits and the body's id is ignored", uid)
    check(user.get("email") == "jane.doe@example.com" and
          user.get("mobile") == "+12125550123" and
          user.get("first_name") == "Jane" and user.get("last_name") is None
          and user.get("addr_zip") == "10001",
          "users: strings trimmed, empty to null, email lower-cased, "
          "mobile E.164", user)
    check(user.get("source") == "sluice-test" and
          user.get("sms_subscription_topics") == ["general", "voting"],
          "users: source defaults to the client id, active SMS gets "
          "[general, voting]", user)
    check(all(k in user for k in (
        "id", "email", "mobile", "first_name", "last_name", "addr_street1",
        "addr_street2", "addr_city", "addr_state", "addr_zip",
        "voter_registration_status", "sms_status", "sms_subscription_topics",
        "email_subscription_status", "email_subscription_topics", "source",
        "source_detail", "referrer_user_id", "created_at", "updated_at"))
        and ISO.match(user.get("created_at") or ""),
        "users: every user field is there, timestamps in ISO 8601", user)

    status, _, body = c.call("GET", "/v2/users/" + uid)
    check(status == 200 and body == {"data": user},
          "users: get by id", body)
    status, _, body = c.call("GET", "/v2/users/" + "0" * 24)
    check(status == 404 and body == ns_error(
        404, "That resource could not be found."),
        "users: an unknown id is a 404 with Northstar's body", body)
    for email in ("JANE.DOE@example.com", "  jane.doe@EXAMPLE.com "):
        status, _, body = c.call(
            "GET", "/v2/email/" + urllib.parse.quote(email))
        check(status == 200 and body.get("data", {}).get("id") == uid,
              "users: get by email %r (case, spaces, URL-encoded)" % email,
              body)
    status, _, _ = c.call("GET", "/v2/email/nobody%40example.com")
    check(status == 404, "users: an unknown email is a 404")
    for mobile in ("2125550123", "+12125550123", "1-212-555-0123",
                   "212.555.0123", "(212) 555-0123", "1 (212) 555 0123"):
        status, _, body = c.call(
            "GET", "/v2/mobile/" + urllib.parse.quote(mobile))
        check(status == 200 and body.get("data", {}).get("id") == uid,
              "users: get by mobile %r" % mobile, body)
    status, _, _ = c.call("GET", "/v2/mobile/787%20249%2013")
    check(status == 404, "users: an invalid mobile finds nobody (404)")

    # Validation.
    def expect_422(data, fields, desc):
        status, _, body = c.call("POST", "/v2/users", data)
        check(status == 422 and body == ns_422(fields), desc, body)

    def ns_422(fields):
        return ns_error(422, "The given data failed to validate.", fields)

    expect_422({"email": "JANE.DOE@example.com", "first_name": "Other"},
               {"id": [INDEX_EXISTS]},
               "users: a duplicate email is a 422 'already exists'")
    expect_422({"mobile": "212-555-0123"}, {"id": [INDEX_EXISTS]},
               "users: a duplicate mobile is a 422 'already exists'")
    bad_mobile = {"mobile": ["The mobile must be a valid US phone number."]}
    expect_422({"mobile": "000-000-0000"}, bad_mobile,
               "users: mobile 000-000-0000 is a 422")
    expect_422({"mobile": "787 249 13"}, bad_mobile,
               "users: mobile '787 249 13' is a 422")
    expect_422({"mobile": "5555555555"}, bad_mobile,
               "users: one digit repeated is a 422")
    expect_422({"email": "not-an-email"},
               {"email": ["The email must be a valid email address."]},
               "users: an invalid email is a 422")
    expect_422({"first_name": "x", "email": ""}, {
        "email": ["The email field is required when mobile is not "
                  "present."],
        "mobile": ["The mobile field is required when email is not "
                   "present."]},
        "users: neither email nor mobile is a 422")
    expect_422({"email": "long@example.com", "first_name": "x" * 51},
               {"first_name": ["The first name may not be greater than 50 "
                               "characters."]},
               "users: a first name over 50 characters is a 422")
    expect_422({"email": "s@example.com", "sms_status": "subscribed",
                "voter_registration_status": "registered"},
               {"sms_status": ["The selected sms status is invalid."],
                "voter_registration_status": [
                    "The selected voter registration status is invalid."]},
               "users: an unknown sms_status and voter status are 422s")
    expect_422({"email": "t@example.com",
                "sms_subscription_topics": ["general", "sports"]},
               {"sms_subscription_topics.1": [
                   "The selected sms_subscription_topics.1 is invalid."]},
               "users: an unknown topic is a 422")
    expect_422({"email": "b@example.com", "email_subscription_status": "yes"},
               {"email_subscription_status": [
                   "The email subscription status field must be true or "
                   "false."]},
               "users: a non-boolean email_subscription_status is a 422")

    # Side effects and immutable fields.
    status, _, body = c.call("POST", "/v2/users", {
        "email": "topics@example.com", "source_detail": "ignored",
        "email_subscription_topics": ["news", "news", "clubs"],
        "referrer_user_id": uid, "sms_status": "stop"})
    u2 = body.get("data", {})
    check(status == 201 and u2.get("email_subscription_status") is True and
          u2.get("email_subscription_topics") == ["news", "clubs"] and
          u2.get("source_detail") is None and
          u2.get("referrer_user_id") == uid and
          not u2.get("sms_subscription_topics"),
          "users: topics force subscription, are de-duplicated; "
          "source_detail needs source; referrer stored", body)
    status, _, body = c.call("POST", "/v2/users", {
        "mobile": "+1 646 555 0199", "source": "rock-the-vote",
        "source_detail": "campaign-x", "sms_status": "pending"})
    u3 = body.get("data", {})
    check(status == 201 and u3.get("source") == "rock-the-vote" and
          u3.get("source_detail") == "campaign-x" and
          u3.get("sms_subscription_topics") == ["general", "voting"] and
          u3.get("email") is None,
          "users: source and source_detail stored on create", body)

    # Update.
    status, _, body = c.call("PUT", "/v2/users/" + u2.get("id", ""), {
        "email_subscription_status": False, "first_name": "Top",
        "source": "other"})
    u2b = body.get("data", {})
    check(status == 200 and u2b.get("email_subscription_topics") == [] and
          u2b.get("email_subscription_status") is False and
          u2b.get("first_name") == "Top" and
          u2b.get("email") == "topics@example.com" and
          u2b.get("source") == "sluice-test",
          "users: PUT is partial, unsubscribing clears topics, source is "
          "immutable", body)
    status, _, body = c.call("PUT", "/v2/users/" + uid, {
        "voter_registration_status": "confirmed", "mobile": "2125550123"})
    check(status == 200 and
          body.get("data", {}).get("voter_registration_status") ==
          "confirmed" and body["data"].get("mobile") == "+12125550123",
          "users: PUT may repeat the user's own mobile", body)
    status, _, body = c.call("PUT", "/v2/users/" + uid,
                             {"mobile": "646.555.0199"})
    check(status == 422 and body == ns_error(
        422, "The given data failed to validate.",
        {"mobile": ["The mobile has already been taken."]}),
        "users: PUT with another user's mobile is a 422", body)
    status, _, body = c.call("PUT", "/v2/users/" + uid,
                             {"sms_status": "bogus"})
    check(status == 422 and "sms_status" in body.get("error", {}).get(
        "fields", {}), "users: PUT validates like create", body)
    status, _, body = c.call("PUT", "/v2/users/" + "1" * 24,
                             {"first_name": "x"})
    check(status == 404, "users: PUT to an unknown id is a 404", body)
    status, _, body = c.call("POST", "/v2/users?upsert=true", {
        "email": "jane.doe@example.com", "last_name": "Doe"})
    check(status == 200 and body.get("data", {}).get("id") == uid and
          body["data"].get("last_name") == "Doe",
          "users: ?upsert=true updates the match and answers 200", body)

    # Resets and promotions.
    status, _, body = c.call("POST", "/v2/resets", {
        "id": uid, "type": "rock-the-vote-activate-account"})
    check(status == 200 and body == {
        "success": {"code": 200, "message": "Message sent."}},
        "resets: answers 200 Message sent.", body)
    status, _, _ = c.call("POST", "/v2/resets", {
        "id": "2" * 24, "type": "forgot-password"})
    check(status == 404, "resets: an unknown user is a 404")
    resets = c.state().get("resets", [])
    check(resets == [{"id": uid, "type": "rock-the-vote-activate-account",
                      "created_at": resets[0]["created_at"]}] if resets
          else False, "resets: recorded in the state dump", resets)
    status, _, body = c.call("DELETE", "/v2/users/%s/promotions" % uid)
    check(status == 200 and body.get("data", {}).get("promotions_muted_at"),
          "users: promotions can be muted", body)

    # Bad bodies and routes.
    status, _, body = c.call("POST", "/v2/users", raw=b"{not json",
                             headers={"Content-Type": "application/json"})
    check(status == 400 and body.get("error", {}).get("code") == 400,
          "users: an invalid JSON body is a 400", body)
    status, _, body = c.call("POST", "/v2/users", raw=b"[1,2]",
                             headers={"Content-Type": "application/json"})
    check(status == 400, "users: a JSON body that is not an object is a 400")
    status, _, body = c.call("GET", "/v2/nothing/here")
    check(status == 404, "routes: an unknown route is a 404", body)
    status, rh, body = c.call("DELETE", "/v2/users")
    check(status == 405 and "POST" in (rh.get("Allow") or ""),
          "routes: a wrong method is a 405 with Allow", body)
    return uid, u3.get("id")


def test_posts(c, uid, uid3):
    def post(data, **kw):
        return c.call("POST", "/api/v3/posts", data, **kw)

    status, _, body = post({"action_id": 954, "type": "voter-reg",
                            "northstar_id": uid, "status": "register-form",
                            "source": "turbovote", "source_details":
                            "tv-import", "details": '{"hostname":"x"}',
                            "referrer_user_id": ""})
    p1 = body.get("data", {}) if isinstance(body, dict) else {}
    check(status == 201 and isinstance(p1.get("id"), int) and
          p1.get("type") == "voter-reg" and p1.get("action_id") == 954 and
          p1.get("campaign_id") == 8017 and p1.get("northstar_id") == uid
          and p1.get("status") == "register-form" and
          p1.get("details") == '{"hostname":"x"}' and
          p1.get("source") == "turbovote" and
          p1.get("source_details") == "tv-import" and
          p1.get("referrer_user_id") is None and
          isinstance(p1.get("signup_id"), int) and
          ISO.match(p1.get("created_at") or ""),
          "posts: create answers 201 with the post, details as a string",
          body)
    status, _, body = post({"action_id": "850", "type": "text",
                            "northstar_id": uid})
    p2 = body.get("data", {})
    check(status == 201 and p2.get("type") == "voter-reg" and
          p2.get("status") == "pending" and p2.get("id", 0) > p1.get("id")
          and p2.get("source") == "sluice-test" and
          p2.get("signup_id") == p1.get("signup_id"),
          "posts: type from the action, status pending, source the client, "
          "ids increase, signup reused", body)
    status, _, body = post({"action_id": 1001, "type": "photo",
                            "northstar_id": uid3, "status": "accepted",
                            "quantity": "3"})
    p3 = body.get("data", {})
    check(status == 201 and p3.get("type") == "photo" and
          p3.get("campaign_id") == 9001 and p3.get("quantity") == 3,
          "posts: an action added with --action works", body)
    status, _, body = c.call(
        "POST", "/api/v3/posts", token=True,
        raw=urllib.parse.urlencode({
            "action_id": "954", "type": "voter-reg", "northstar_id": uid3,
            "status": "step-1", "details": '{"a":1}'}).encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"})
    p4 = body.get("data", {})
    check(status == 201 and p4.get("status") == "step-1" and
          p4.get("details") == '{"a":1}',
          "posts: a form-encoded create works", body)
    boundary = "sluiceboundary"
    parts = []
    for name, value in (("action_id", "1002"), ("type", "phone-call"),
                        ("status", "incomplete")):
        parts.append('--%s\r\nContent-Disposition: form-data; name="%s"'
                     '\r\n\r\n%s\r\n' % (boundary, name, value))
    raw = ("".join(parts) + "--%s--\r\n" % boundary).encode()
    status, _, body = c.call(
        "POST", "/api/v3/posts", raw=raw,
        headers={"Content-Type": "multipart/form-data; boundary=" +
                 boundary})
    p5 = body.get("data", {})
    check(status == 201 and p5.get("type") == "phone-call" and
          p5.get("status") == "incomplete" and p5.get("northstar_id") is None,
          "posts: a multipart create works", body)

    def expect_422(data, errors, desc):
        status, _, body = post(data)
        check(status == 422 and body == {
            "message": "The given data was invalid.", "errors": errors},
            desc, body)

    expect_422({"action_id": 99999, "type": "voter-reg"},
               {"action_id": ["The selected action id is invalid."]},
               "posts: an unknown action is a 422")
    expect_422({"type": "voter-reg"},
               {"action_id": ["The action id field is required."]},
               "posts: a missing action_id is a 422")
    expect_422({"action_id": 954},
               {"type": ["The type field is required."]},
               "posts: a missing type is a 422")
    expect_422({"action_id": 954, "type": "selfie"},
               {"type": ["The selected type is invalid."]},
               "posts: an unknown type is a 422")
    expect_422({"action_id": 954, "type": "voter-reg", "status": "accepted"},
               {"status": ["The selected status is invalid."]},
               "posts: a status not allowed for voter-reg is a 422")
    expect_422({"action_id": 1002, "type": "phone-call",
                "status": "register-form"},
               {"status": ["The selected status is invalid."]},
               "posts: a status not allowed for phone-call is a 422")
    expect_422({"action_id": 954, "type": "voter-reg",
                "details": {"a": 1}},
               {"details": ["The details must be a valid JSON string."]},
               "posts: details as a JSON object (not a string) is a 422")
    expect_422({"action_id": 954, "type": "voter-reg", "details": "{bad"},
               {"details": ["The details must be a valid JSON string."]},
               "posts: details that are not JSON are a 422")
    expect_422({"action_id": 954, "type": "voter-reg",
                "northstar_id": "123"},
               {"northstar_id": ["The northstar id must be a valid "
                                 "ObjectId."]},
               "posts: a northstar_id that is not an ObjectId is a 422")
    status, _, body = post(None, raw=b"{", headers={
        "Content-Type": "application/json"})
    check(status == 400 and "message" in body,
          "posts: an invalid JSON body is a 400", body)

    # Listing.
    status, _, body = c.call("GET", "/api/v3/posts")
    ids = [p["id"] for p in body.get("data", [])]
    check(status == 200 and ids == sorted(ids, reverse=True) and
          len(ids) == 5 and body.get("meta") == {"pagination": {
              "total": 5, "count": 5, "per_page": 20, "current_page": 1,
              "total_pages": 1}},
          "posts: list is newest first with pagination meta", body)
    status, _, body = c.call("GET", "/api/v3/posts?filter[northstar_id]=" +
                             uid)
    check([p["id"] for p in body.get("data", [])] == [p2["id"], p1["id"]],
          "posts: filter[northstar_id]", body)
    status, _, body = c.call(
        "GET", "/api/v3/posts?filter%5Baction_id%5D=954,1001&filter[status]"
               "=register-form,accepted,step-1")
    check(sorted(p["id"] for p in body.get("data", [])) ==
          sorted([p1["id"], p3["id"], p4["id"]]),
          "posts: comma-separated filters are OR, filters are AND", body)
    status, _, body = c.call(
        "GET", "/api/v3/posts?filter[type]=phone-call&filter[campaign_id]="
               "9002")
    check([p["id"] for p in body.get("data", [])] == [p5["id"]],
          "posts: filter[type] and filter[campaign_id]", body)
    status, _, body = c.call("GET", "/api/v3/posts?filter[source]=turbovote")
    check([p["id"] for p in body.get("data", [])] == [p1["id"]],
          "posts: filter[source]", body)
    status, _, body = c.call("GET", "/api/v3/posts?limit=2&page=2")
    check([p["id"] for p in body.get("data", [])] == ids[2:4] and
          body.get("meta", {}).get("pagination") == {
              "total": 5, "count": 2, "per_page": 2, "current_page": 2,
              "total_pages": 3}, "posts: limit and page", body)
    status, _, body = c.call("GET", "/api/v3/posts?limit=1000&page=9")
    check(body.get("data") == [] and
          body["meta"]["pagination"]["per_page"] == 100,
          "posts: limit is capped at 100; a page past the end is empty",
          body)

    # Get and update.
    status, _, body = c.call("GET", "/api/v3/posts/%d" % p1["id"])
    check(status == 200 and body.get("data") == p1, "posts: get by id", body)
    status, _, body = c.call("PATCH", "/api/v3/posts/%d" % p2["id"], {
        "status": "register-OVR", "quantity": 2, "text": "hi",
        "location": "US-NY", "school_id": "s1"})
    d = body.get("data", {})
    check(status == 200 and d.get("status") == "register-OVR" and
          d.get("quantity") == 2 and d.get("location") == "US-NY" and
          d.get("school_id") == "s1" and d.get("media", {}).get("text") ==
          "hi" and d.get("details") is None,
          "posts: PATCH updates status, quantity, text, location, school",
          body)
    status, _, body = c.call("PATCH", "/api/v3/posts/%d" % p5["id"],
                             {"status": "pending"})
    check(status == 422 and body == {
        "message": "The given data was invalid.",
        "errors": {"status": ["The selected status is invalid."]}},
        "posts: PATCH validates the status for the post's type", body)
    status, _, body = c.call("PATCH", "/api/v3/posts/424242",
                             {"status": "accepted"})
    check(status == 404 and body == {
        "message": "No query results for model [Rogue\\Models\\Post]."},
        "posts: PATCH to an unknown post is a 404 with Rogue's body", body)
    posts = c.state().get("posts", [])
    check(len(posts) == 5 and posts[0].get("details") == '{"hostname":"x"}',
          "state: posts are dumped as stored", posts[:1])


def test_user_rules(c, uid, uid3):
    """Northstar's validation rules and side effects, one by one."""
    def create(data):
        return c.call("POST", "/v2/users", data)

    def put(user_id, data):
        return c.call("PUT", "/v2/users/" + user_id, data)

    def expect(got, fields, desc):
        status, _, body = got
        check(status == 422 and body == ns_error(
            422, "The given data failed to validate.", fields), desc, body)

    bad_email = {"email": ["The email must be a valid email address."]}
    for email in ("a b@example.com", "ab@example", "@example.com",
                  "a@@example.com", "a@example..com"):
        expect(create({"email": email}), bad_email,
               "user rules: email %r is not valid (422)" % email)
    expect(put(uid3, {"email": " JANE.DOE@example.COM"}),
           {"email": ["The email has already been taken."]},
           "user rules: PUT with another user's email (any case) is a 422")
    bad_mobile = {"mobile": ["The mobile must be a valid US phone number."]}
    for mobile in ("+44 20 7946 0958", "123-456-7890", "212-055-0123",
                   "2222222222", "1 222 222 2222", "212-555-012",
                   "212-555-01234", "212/555/0123", True, ["2125550123"]):
        expect(create({"mobile": mobile}), bad_mobile,
               "user rules: mobile %r is not a US number (422)" % (mobile,))
    status, _, body = create({"mobile": "+1 (313) 555-0100",
                              "first_name": "é" * 50})
    u = body.get("data", {}) if isinstance(body, dict) else {}
    check(status == 201 and u.get("mobile") == "+13135550100" and
          u.get("first_name") == "é" * 50,
          "user rules: a +1 (NXX) NXX-XXXX mobile is stored in E.164; a "
          "first name of 50 characters is accepted", body)
    mid = u.get("id", "")
    status, _, body = create({"email": "bd@example.com",
                              "birthdate": "2008-01-02"})
    check(status == 201 and body["data"].get("birthdate") == "2008-01-02",
          "user rules: a birthdate is kept as a date", body)
    expect(create({"email": "bd2@example.com", "birthdate": "2008-02-30"}),
           {"birthdate": ["The birthdate is not a valid date."]},
           "user rules: a birthdate that is not a date is a 422")
    expect(create({"email": "n@example.com", "first_name": ["Ann"]}),
           {"first_name": ["The first name must be a string."]},
           "user rules: a first name that is not a string is a 422")
    expect(create({"email": "et@example.com",
                   "email_subscription_topics": ["news", "sports"]}),
           {"email_subscription_topics.1": [
               "The selected email_subscription_topics.1 is invalid."]},
           "user rules: an unknown e-mail topic is a 422")
    expect(create({"email": "et@example.com",
                   "email_subscription_topics": "news"}),
           {"email_subscription_topics": [
               "The email subscription topics must be an array."]},
           "user rules: e-mail topics that are not an array are a 422")
    expect(create({"email": "st@example.com",
                   "sms_subscription_topics": "general"}),
           {"sms_subscription_topics": [
               "The sms subscription topics must be an array."]},
           "user rules: SMS topics that are not an array are a 422")
    expect(put(mid, {"sms_status": "Active"}),
           {"sms_status": ["The selected sms status is invalid."]},
           "user rules: sms_status is case-sensitive")

    # Every value of each enum is accepted.
    for status_value in ("active", "less", "stop", "undeliverable",
                         "unknown", "pending"):
        status, _, body = put(mid, {"sms_status": status_value})
        check(status == 200 and body["data"]["sms_status"] == status_value,
              "user rules: sms_status %r is accepted" % status_value, body)
    statuses = ("uncertain", "ineligible", "unregistered", "confirmed",
                "registration_complete", "rejected", "under-18", "step-1",
                "step-2", "step-3", "step-4")
    got = []
    for status_value in statuses:
        status, _, body = put(mid, {"voter_registration_status":
                                    status_value})
        got.append(status == 200 and body["data"][
            "voter_registration_status"] == status_value)
    check(all(got), "user rules: every voter_registration_status is "
          "accepted", list(zip(statuses, got)))
    status, _, body = put(mid, {"email_subscription_topics": [
        "news", "scholarships", "lifestyle", "community", "clubs"],
        "sms_subscription_topics": ["voting", "general", "voting"]})
    d = body.get("data", {})
    check(status == 200 and d.get("email_subscription_topics") == [
        "news", "scholarships", "lifestyle", "community", "clubs"] and
        d.get("sms_subscription_topics") == ["voting", "general"] and
        d.get("email_subscription_status") is True,
        "user rules: every e-mail topic is accepted; topics are "
        "de-duplicated; topics on PUT subscribe to e-mail too", body)

    # Trims, empty strings and the mutators' order.
    status, _, body = put(mid, {"first_name": "   ", "addr_city": " Ames ",
                                "email_subscription_status": False})
    d = body.get("data", {})
    check(status == 200 and d.get("first_name") is None and
          d.get("addr_city") == "Ames" and
          d.get("email_subscription_topics") == [],
          "user rules: PUT trims, turns blank strings into null, and "
          "unsubscribing clears the e-mail topics", body)
    status, _, body = create({"email": "order@example.com",
                              "email_subscription_topics": ["news"],
                              "email_subscription_status": False})
    d = body.get("data", {})
    check(status == 201 and d.get("email_subscription_status") is False
          and d.get("email_subscription_topics") == [],
          "user rules: topics then status false: unsubscribed, no topics",
          body)
    status, _, body = create({"email": "order2@example.com",
                              "email_subscription_status": "0",
                              "email_subscription_topics": ["clubs"]})
    d = body.get("data", {})
    check(status == 201 and d.get("email_subscription_status") is True
          and d.get("email_subscription_topics") == ["clubs"],
          "user rules: status false then topics: subscribed to them", body)

    # SMS topics on create.
    status, _, body = create({"email": "less@example.com",
                              "sms_status": "less"})
    less = body.get("data", {})
    status2, _, body2 = create({"email": "own@example.com",
                                "sms_status": "active",
                                "sms_subscription_topics": ["voting"]})
    status3, _, body3 = create({"email": "stop@example.com",
                                "sms_status": "undeliverable"})
    check(status == 201 and less.get("sms_subscription_topics") == [
        "general", "voting"] and status2 == 201 and
        body2["data"].get("sms_subscription_topics") == ["voting"] and
        status3 == 201 and body3["data"].get("sms_subscription_topics")
        is None,
        "user rules: on create a subscribed SMS status without topics "
        "gets [general, voting]; topics given are kept; unsubscribed get "
        "none", (body, body2, body3))

    # source and source_detail.
    status, _, body = create({"email": "src@example.com", "source": "",
                              "source_detail": "x"})
    check(status == 201 and body["data"].get("source") == "sluice-test" and
          body["data"].get("source_detail") is None,
          "user rules: an empty source is the client id, and its "
          "source_detail is dropped", body)
    status, _, body = put(uid3, {"source": "other", "source_detail": "new",
                                 "referrer_user_id": uid})
    d = body.get("data", {})
    check(status == 200 and d.get("source") == "rock-the-vote" and
          d.get("source_detail") == "campaign-x" and
          d.get("referrer_user_id") is None,
          "user rules: PUT leaves source, source_detail and the referrer "
          "as created", body)
    expect(create({"email": "ref@example.com", "referrer_user_id": "x1"}),
           {"referrer_user_id": ["The referrer user id must be a valid "
                                 "ObjectId."]},
           "user rules: a referrer that is not an ObjectId is a 422")

    # Promotions muted: POST and DELETE.
    for method in ("POST", "DELETE"):
        status, _, body = c.call(method, "/v2/users/%s/promotions" % mid)
        d = body.get("data", {}) if isinstance(body, dict) else {}
        check(status == 200 and d.get("id") == mid and
              ISO.match(d.get("promotions_muted_at") or ""),
              "user rules: %s /v2/users/{id}/promotions answers 200 "
              "{data: {id, promotions_muted_at}}" % method, body)
        status, _, body = c.call(method, "/v2/users/%s/promotions" % (
            "3" * 24))
        check(status == 404 and body == ns_error(
            404, "That resource could not be found."),
            "user rules: %s promotions of an unknown id is a 404" % method,
            body)
    status, _, body = c.call("GET", "/v2/users/" + mid)
    check(status == 200 and ISO.match(
        body["data"].get("promotions_muted_at") or ""),
        "user rules: the user keeps promotions_muted_at", body)


def test_post_rules(c, uid):
    """Rogue's validation rules, one by one (posts made after the list)."""
    def post(data):
        return c.call("POST", "/api/v3/posts", data)

    def expect(got, errors, desc):
        status, _, body = got
        check(status == 422 and body == {
            "message": "The given data was invalid.", "errors": errors},
            desc, body)

    base = {"action_id": 954, "type": "voter-reg", "northstar_id": uid}
    not_int = {"quantity": ["The quantity must be an integer."]}
    for value in ("2.5", 2.5, True, "x", [1]):
        expect(post(dict(base, quantity=value)), not_int,
               "post rules: quantity %r is not an integer (422)" % (value,))
    status, _, body = post(dict(base, quantity=4.0))
    p = body.get("data", {}) if isinstance(body, dict) else {}
    check(status == 201 and p.get("quantity") == 4,
          "post rules: quantity 4.0 is the integer 4", body)
    expect(c.call("PATCH", "/api/v3/posts/%s" % p.get("id"),
                  {"quantity": "many"}), not_int,
           "post rules: PATCH checks quantity too")

    for given, stored in (
            ("2020-03-08 00:56:02 -0400", "2020-03-08T04:56:02+00:00"),
            ("2018-08-17T15:17:37Z", "2018-08-17T15:17:37+00:00"),
            ("2020-03-09", "2020-03-09T00:00:00+00:00"),
            ("03/09/2020 10:00", "2020-03-09T10:00:00+00:00"),
            ("Mon, 09 Mar 2020 10:00:00 +0100",
             "2020-03-09T09:00:00+00:00")):
        status, _, body = post(dict(base, created_at=given))
        check(status == 201 and body["data"].get("created_at") == stored,
              "post rules: created_at %r is stored as %s" % (given, stored),
              body)
    not_date = {"created_at": ["The created at is not a valid date."]}
    for value in ("not a date", "2020-02-30", "13/09/2020", 1583748000,
                  True):
        expect(post(dict(base, created_at=value)), not_date,
               "post rules: created_at %r is not a date (422)" % (value,))

    for action, ptype, good, bad in (
            (954, "voter-reg", ("pending", "register-form", "register-OVR",
                                "confirmed", "ineligible", "uncertain",
                                "rejected", "under-18", "step-1", "step-2",
                                "step-3", "step-4"),
             ("accepted", "incomplete", "Confirmed")),
            (1001, "photo", ("pending", "accepted", "rejected"),
             ("register-form", "incomplete")),
            (1002, "phone-call", ("accepted", "incomplete"),
             ("pending", "rejected"))):
        got = [post({"action_id": action, "type": ptype, "status": s})[0]
               for s in good]
        check(got == [201] * len(good),
              "post rules: every status of a %s post is accepted" % ptype,
              list(zip(good, got)))
        for s in bad:
            expect(post({"action_id": action, "type": ptype, "status": s}),
                   {"status": ["The selected status is invalid."]},
                   "post rules: status %r is refused for %s" % (s, ptype))
    status, _, body = post({"action_id": 1001, "type": "voter-reg",
                            "status": "accepted"})
    check(status == 201 and body["data"].get("type") == "photo",
          "post rules: the status is checked against the action's type",
          body)

    # Without the admin scope: the fields only an admin sets are ignored.
    token = c.get_token(scope="user activity write")[2].get("access_token")
    status, _, body = c.call("POST", "/api/v3/posts", dict(
        base, status="register-form", source="turbovote",
        created_at="2018-08-17T15:17:37Z", details='{"a":1}'), token=token)
    p = body.get("data", {}) if isinstance(body, dict) else {}
    check(status == 201 and p.get("northstar_id") is None and
          p.get("status") == "pending" and p.get("source") == "sluice-test"
          and p.get("created_at") != "2018-08-17T15:17:37+00:00" and
          p.get("details") == '{"a":1}',
          "post rules: without the admin scope, northstar_id, status, "
          "source and created_at are not the token's to set", body)
    expect(c.call("POST", "/api/v3/posts", dict(base, status="accepted"),
                  token=token),
           {"status": ["The selected status is invalid."]},
           "post rules: without the admin scope they are still checked")

    expect(post({"action_id": "x", "type": "selfie", "quantity": "x",
                 "created_at": "nope", "hours_spent": 0,
                 "text": "t" * 501, "referrer_user_id": "r"}),
           {"action_id": ["The action id must be an integer."],
            "type": ["The selected type is invalid."],
            "referrer_user_id": ["The referrer user id must be a valid "
                                 "ObjectId."],
            "quantity": ["The quantity must be an integer."],
            "text": ["The text may not be greater than 500 characters."],
            "created_at": ["The created at is not a valid date."],
            "hours_spent": ["The hours spent must be between 0.1 and "
                            "999999.99."]},
           "post rules: every error at once, Laravel's 422 body")


def test_actions(c, uid):
    """GET /api/v3/actions, and the create rules of a phone-call post."""
    def ids(query):
        status, _, body = c.call("GET", "/api/v3/actions?" + query)
        data = body.get("data") if isinstance(body, dict) else None
        return status, [a.get("id") for a in data or []], body

    status, got, body = ids("filter%5Bcallpower_campaign_id%5D=42")
    check(status == 200 and got == [1003] and
          body["data"][0].get("callpower_campaign_id") == 42 and
          body["data"][0].get("name") == "Call your senator" and
          body["data"][0].get("post_type") == "phone-call",
          "actions: filter[callpower_campaign_id] finds the action", body)
    status, got, body = ids("filter[callpower_campaign_id]=999")
    check(status == 200 and got == [] and
          body["meta"]["pagination"]["total"] == 0,
          "actions: an unknown callpower_campaign_id finds none", body)
    status, got, _ = ids("filter[post_type]=phone-call,share-social")
    check(got == [1002, 1003, 1004],
          "actions: filter[post_type] with a comma is an OR", got)
    status, got, _ = ids("filter[id]=1003,954&filter[post_type]=voter-reg")
    check(got == [954], "actions: filter[id] and two filters (AND)", got)
    status, got, body = ids("filter[campaign_id]=9003&limit=1&page=2")
    pg = body.get("meta", {}).get("pagination", {})
    check(got == [1004] and pg.get("total_pages") == 2 and
          pg.get("current_page") == 2,
          "actions: filter[campaign_id], paginated like posts", body)
    status, _, _ = c.call("GET", "/api/v3/actions", token=False)
    check(status == 401, "actions: a token is needed", status)

    def post(data):
        base = {"action_id": 1003, "type": "phone-call", "northstar_id": uid}
        base.update(data)
        return c.call("POST", "/api/v3/posts", base)

    status, _, body = post({"status": "accepted", "quantity": 1,
                            "created_at": "2019-03-01 12:30:00"})
    p = body.get("data", {}) if isinstance(body, dict) else {}
    check(status == 201 and p.get("quantity") == 1 and
          p.get("created_at") == "2019-03-01T12:30:00+00:00" and
          c.call("GET", "/api/v3/posts/%s" % p.get("id"))[2]["data"].get(
              "created_at") == "2019-03-01T12:30:00+00:00",
          "actions: a phone-call post keeps its created_at and quantity",
          body)
    for data, field in (({"status": "pending"}, "status"),
                        ({"status": "accepted", "quantity": "one"},
                         "quantity"),
                        ({"status": "accepted", "created_at": "soon"},
                         "created_at")):
        status, _, body = post(data)
        check(status == 422 and field in body.get("errors", {}),
              "actions: a phone-call post refuses a bad %s" % field, body)


def test_faults(c):
    def count(kind):
        return len(c.state()[kind])

    users_before = count("users")
    c.faults(fail_rate=1)
    statuses = set()
    for i in range(8):
        statuses.add(c.call("POST", "/v2/users",
                            {"email": "fail%d@example.com" % i})[0])
    status, _, body = c.get_token()
    check(statuses <= {500, 503} and statuses and status in (500, 503),
          "faults: fail answers 500 or 503, the token endpoint too",
          (statuses, status))
    check(count("users") == users_before,
          "faults: fail does nothing before answering")
    st = c.call("GET", "/_emulator/state", token=False)[0]
    check(st == 200, "faults: control endpoints are never faulted")
    c.faults(fail_rate=0, fail_after_write_rate=1)
    status, _, _ = c.call("POST", "/v2/users", {"email": "faw@example.com"})
    status2 = c.call("GET", "/v2/email/faw%40example.com")[0]
    check(status == 500 and status2 == 200,
          "faults: fail-after-write commits and then answers 500",
          (status, status2))
    c.faults(fail_after_write_rate=0, rate_limit_rate=1, retry_after=7)
    status, headers, body = c.call("GET", "/api/v3/posts")
    check(status == 429 and headers.get("Retry-After") == "7",
          "faults: rate-limit answers 429 with Retry-After", status)
    c.faults(rate_limit_rate=0, drop_rate=1)
    try:
        c.raw_request("POST", "/v2/users", {"email": "drop@example.com"})
        dropped = False
    except (http.client.HTTPException, ConnectionError):
        dropped = True
    check(dropped, "faults: drop closes the connection without an answer")
    c.faults(drop_rate=0, drop_after_write_rate=1)
    try:
        c.raw_request("POST", "/v2/users", {"email": "daw@example.com"})
        dropped = False
    except (http.client.HTTPException, ConnectionError):
        dropped = True
    status2 = c.call("GET", "/v2/email/daw%40example.com")[0]
    check(dropped and status2 == 200,
          "faults: drop-after-write commits and then closes the connection",
          (dropped, status2))
    c.faults(drop_after_write_rate=0, slow_rate=1, slow_ms=600)
    try:
        c.raw_request("GET", "/api/v3/posts", timeout=0.2)
        timed_out = False
    except (socket.timeout, TimeoutError):
        timed_out = True
    check(timed_out, "faults: slow exceeds a client timeout")
    t0 = time.time()
    status = c.call("GET", "/api/v3/posts")[0]
    elapsed = time.time() - t0
    check(status == 200 and elapsed >= 0.55,
          "faults: slow answers after slow_ms", elapsed)
    c.faults(slow_rate=0, latency_ms=150)
    t0 = time.time()
    status = c.call("GET", "/api/v3/posts")[0]
    elapsed = time.time() - t0
    check(status == 200 and elapsed >= 0.14,
          "faults: latency_ms delays every answer", elapsed)
    status, _, body = c.call("POST", "/_emulator/faults", {"nope": 1},
                             token=False)
    status2, _, _ = c.call("POST", "/_emulator/faults", {"fail_rate": 2},
                           token=False)
    check(status == 400 and status2 == 400,
          "faults: unknown settings and rates over 1 are refused", body)
    body = c.faults(latency_ms=0)
    check(body.get("faults") == {
        "latency_ms": 0, "fail_rate": 0.0, "fail_after_write_rate": 0.0,
        "rate_limit_rate": 0.0, "retry_after": 7, "drop_rate": 0.0,
        "drop_after_write_rate": 0.0, "slow_rate": 0.0, "slow_ms": 600,
        "token_ttl": 3600, "max_inflight": 0},
        "faults: the answer shows every setting", body)


def test_max_inflight(c):
    """--max-inflight: requests over the cap answered 429 at once."""
    before = c.state()["refused_inflight"]
    c.faults(max_inflight=3, latency_ms=400, retry_after=2)
    results = []
    lock = threading.Lock()

    def one():
        t0 = time.time()
        status, headers, _ = c.call("GET", "/api/v3/posts?limit=1")
        with lock:
            results.append((status, headers.get("Retry-After"),
                            time.time() - t0))

    threads = [threading.Thread(target=one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    ok = sorted(r for r in results if r[0] == 200)
    refused = [r for r in results if r[0] == 429]
    check(len(ok) == 3 and len(refused) == 3,
          "max-inflight: 3 of 6 at once handled, 3 answered 429", results)
    check(all(r[1] == "2" for r in refused) and
          all(r[2] < 0.3 for r in refused),
          "max-inflight: the 429s come at once, with Retry-After", refused)
    st = c.state()
    check(st["refused_inflight"] - before == 3 and st["inflight_peak"] >= 3,
          "max-inflight: the refused are counted in the state", st.get(
              "refused_inflight"))
    status = c.call("GET", "/api/v3/posts?limit=1")[0]
    check(status == 200, "max-inflight: a request once the others ended is "
          "handled", status)
    c.faults(max_inflight=0, latency_ms=0, retry_after=7)


def test_keepalive(c):
    conn = http.client.HTTPConnection("127.0.0.1", c.port, timeout=5)
    try:
        hdrs = {"Authorization": "Bearer " + c.token}
        conn.request("GET", "/api/v3/posts?limit=1", headers=hdrs)
        r1 = conn.getresponse()
        r1.read()
        sock = conn.sock
        conn.request("POST", "/v2/users", json.dumps(
            {"email": "keepalive@example.com"}),
            dict(hdrs, **{"Content-Type": "application/json"}))
        r2 = conn.getresponse()
        r2.read()
        check(r1.status == 200 and r2.status == 201 and sock is not None and
              conn.sock is sock and not r2.will_close and
              r1.getheader("Content-Length") is not None and
              r1.getheader("Content-Type") == "application/json",
              "keep-alive: two requests over one connection",
              (r1.status, r2.status))
        # A chunked request body on the same connection.
        conn.request("POST", "/api/v3/posts",
                     iter([b'{"action_id": 954,', b' "type": "voter-reg"}']),
                     dict(hdrs, **{"Content-Type": "application/json"}),
                     encode_chunked=True)
        r3 = conn.getresponse()
        r3.read()
        check(r3.status == 201 and conn.sock is sock,
              "keep-alive: a chunked request body", r3.status)
    finally:
        conn.close()
    # Expect: 100-continue, as libcurl sends for large bodies.
    body = json.dumps({"email": "expect@example.com",
                       "first_name": "x" * 40}).encode()
    s = socket.create_connection(("127.0.0.1", c.port), timeout=5)
    try:
        s.sendall(("POST /v2/users HTTP/1.1\r\nHost: x\r\n"
                   "Authorization: Bearer %s\r\n"
                   "Content-Type: application/json\r\n"
                   "Content-Length: %d\r\nExpect: 100-continue\r\n\r\n"
                   % (c.token, len(body))).encode())
        first = s.recv(1024)
        s.sendall(body)
        rest = b""
        while b"\r\n\r\n" not in rest:
            chunk = s.recv(4096)
            if not chunk:
                break
            rest += chunk
        check(first.startswith(b"HTTP/1.1 100") and
              rest.startswith(b"HTTP/1.1 201"),
              "http: Expect: 100-continue is honoured", (first, rest[:40]))
    finally:
        s.close()


def test_log_and_reset(c, log_path):
    try:
        with open(log_path) as f:
            text = f.read()
        lines = [json.loads(line) for line in text.splitlines()]
    except (OSError, ValueError) as e:
        check(False, "log: every line is a JSON object", e)
        return
    keys = {"t", "method", "path", "query", "status", "fault", "auth"}
    check(lines and all(set(r) == keys for r in lines),
          "log: every line is a JSON object with the documented keys",
          [r for r in lines if set(r) != keys][:2])
    check(not any(r["path"].startswith("/_emulator") for r in lines),
          "log: control requests are not logged")
    check(SECRET not in text and "Bearer" not in text and c.token and
          c.token not in text and c.token.split(".")[2] not in text,
          "log: no secret, token or Authorization header")
    faults = {r["fault"] for r in lines}
    check({"fail", "fail-after-write", "rate-limit", "drop",
           "drop-after-write", "slow"} <= faults,
          "log: every fault kind is recorded", faults)
    check(all(r["status"] is None for r in lines
              if r["fault"] in ("drop", "drop-after-write")) and
          all(isinstance(r["status"], int) for r in lines
              if r["fault"] not in ("drop", "drop-after-write")),
          "log: status is null exactly for dropped requests")
    check(any(r["path"] == "/api/v3/posts" and r["query"] ==
              "limit=2&page=2" and r["auth"] is True for r in lines) and
          any(r["status"] == 401 and r["auth"] is False for r in lines) and
          any(r["path"] == "/v2/auth/token" and r["status"] == 200 and
              r["auth"] is True for r in lines),
          "log: path, query, status and auth are recorded")
    state = c.state()
    check(state.get("requests") == len(lines),
          "state: the request counter counts API requests",
          (state.get("requests"), len(lines)))
    status, _, _ = c.call("POST", "/_emulator/reset", token=False)
    c.call("GET", "/v2/users/" + "a" * 24)
    state = c.state()
    check(status == 200 and state["users"] == [] and state["posts"] == [] and
          state["requests"] == 1,
          "reset: users, posts and the request counter are emptied", state)
    status, _, body = c.call("POST", "/v2/users", {"email": "x@example.com"})
    check(status == 201, "reset: tokens survive a reset", body)


def test_cli(workdir):
    """--port-file, the environment's client id, SIGTERM."""
    port_file = os.path.join(workdir, "port")
    env = dict(os.environ, NORTHSTAR_CLIENT_ID="env-id",
               NORTHSTAR_CLIENT_SECRET="env-secret")
    proc, port = start(workdir, "--port-file", port_file, env=env)
    try:
        with open(port_file) as f:
            check(f.read() == "%d\n" % port,
                  "cli: --port-file holds the port")
        c = Client(port)
        status, _, _ = c.call("POST", "/v2/auth/token", {
            "grant_type": "client_credentials", "client_id": "env-id",
            "client_secret": "env-secret"}, token=False)
        check(status == 200,
              "cli: NORTHSTAR_CLIENT_ID and NORTHSTAR_CLIENT_SECRET are read")
    finally:
        rc = stop(proc)
    check(rc == 0, "cli: SIGTERM stops the emulator cleanly", rc)


def test_seed(workdir):
    """--seed-users/--seed-posts, and a post's create not scanning signups.

    30,000 posts of 30,000 members are 30,000 signups: looking each
    member's signup up by a scan took the emulator about a minute to seed
    them (and made every create slower as the data grew); with the index
    it takes a second or two.
    """
    db = os.path.join(workdir, "seed.db")
    t0 = time.time()
    try:
        proc, port = start(workdir, "--db", db, "--seed-users", "3",
                           "--seed-posts", "30000", wait=20)
    except RuntimeError as e:
        check(False, "seed: 30,000 posts of as many members seeded in "
              "under 20 s", e)
        return
    elapsed = time.time() - t0
    try:
        check(True, "seed: 30,000 posts of as many members seeded in "
              "under 20 s (%.1f s)" % elapsed)
        c = Client(port)
        c.token = c.get_token()[2].get("access_token")
        status, _, body = c.call("GET", "/v2/email/seed-2%40example.org")
        status2, _, body2 = c.call("GET", "/v2/mobile/%2B12012000001")
        u2 = body.get("data", {}) if isinstance(body, dict) else {}
        check(status == 200 and status2 == 200 and
              body2["data"]["email"] == "seed-2@example.org" and
              u2.get("sms_subscription_topics") == ["general", "voting"] and
              u2.get("source") == "sluice-test",
              "seed: user n is seed-n@example.org, with a mobile for even "
              "n, stored as a create stores it", (body, body2))
        status, _, body = c.call("GET", "/api/v3/posts?limit=1")
        check(status == 200 and
              body["meta"]["pagination"]["total"] == 30000 and
              body["data"][0]["northstar_id"] == "%024x" % 30000 and
              body["data"][0]["details"] == '{"n":29999}',
              "seed: 30,000 posts, the last of member 30000 (24 hex "
              "digits)",
              body.get("meta"))
        status, _, body = c.call("GET", "/api/v3/posts?filter[northstar_id]"
                                 "=" + u2.get("id", ""))
        first = body.get("data", [{}])
        status, _, body = c.call("POST", "/api/v3/posts", {
            "action_id": 850, "type": "voter-reg",
            "northstar_id": u2.get("id")})
        check(len(first) == 1 and status == 201 and
              body["data"]["signup_id"] == first[0].get("signup_id"),
              "seed: post 2 is user 2's, and a new post of the campaign "
              "reuses its signup", body)
    finally:
        rc = stop(proc)
    check(rc == 0, "seed: stops cleanly", rc)
    proc, port = start(workdir, "--db", os.path.join(workdir, "ids.db"),
                       "--seed-users", "3", "--seed-ids", "5a%022x")
    try:
        c = Client(port)
        c.token = c.get_token()[2].get("access_token")
        status, _, body = c.call("GET", "/v2/users/5a0000000000000000000002")
        check(status == 200 and body["data"]["email"] == "seed-2@example.org",
              "seed: --seed-ids gives user n the id FORMAT % n", body)
    finally:
        stop(proc)
    err = os.path.join(workdir, "seed.err")
    with open(err, "wb") as f:
        rc = subprocess.run([sys.executable, EMULATOR, "--port", "0", "--db",
                             db, "--seed-users", "1"], stdout=f,
                            stderr=subprocess.STDOUT, timeout=60).returncode
    with open(err) as f:
        text = f.read()
    check(rc == 2 and "--seed-users" in text and "422" in text and
          "Traceback" not in text,
          "seed: seeding a database that has the seeded users exits 2",
          text)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)  # some 40 MB


def main():
    base = os.environ.get("TMPDIR") or None
    workdir = tempfile.mkdtemp(prefix="emulator.", dir=base)
    log_path = os.path.join(workdir, "requests.ndjson")
    proc = None
    try:
        proc, port = start(workdir, "--db", os.path.join(workdir, "emu.db"),
                           "--log", log_path, "--seed", "7",
                           "--action", "1001:photo:9001",
                           "--action", "1002:phone-call:9002",
                           "--action",
                           "1003:phone-call:9003:Call your senator:"
                           "callpower=42",
                           "--action", "1004:share-social:9003")
        check(True, "starts and prints its port")
        c = Client(port)
        test_auth(c)
        uid, uid3 = test_users(c)
        test_posts(c, uid, uid3)
        test_user_rules(c, uid, uid3)
        test_post_rules(c, uid)
        test_actions(c, uid)
        test_faults(c)
        test_max_inflight(c)
        test_keepalive(c)
        test_log_and_reset(c, log_path)
        rc = stop(proc)
        proc = None
        check(rc == 0, "stops cleanly on SIGTERM", rc)
        test_cli(workdir)
        test_seed(workdir)
    except Exception:
        traceback.print_exc()
        check(False, "the test ran to the end without an exception")
    finally:
        if proc is not None:
            stop(proc)
    err = os.path.join(workdir, "emulator.err")
    if os.path.exists(err) and os.path.getsize(err):
        with open(err) as f:
            text = f.read()
        check("Traceback" not in text,
              "the emulator printed no traceback", text[-2000:])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
