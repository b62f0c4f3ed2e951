#!/usr/bin/env python3
"""post-mail end to end against tests/servers/emu_ses.py.

  - set-asides: an unsubscribed member dropped, a member lacking a
    template variable rejected with its name, nothing sent for either;
    a variable only inside {{#if}} not required; the defaults fill one;
  - a re-run sends nothing (skipped, no bulk call);
  - partial failure: TRANSIENT_FAILURE destinations sent again, and only
    they (each address in the emulator's bulk calls at most once after
    it succeeded, the successes never resent);
  - throttling: a send rate of 20 a second and random 429s: every member
    mailed once, the calls no more than the pace needs plus the 429s'
    retries (no storm), destinations per second within the rate;
  - kill -9 at random moments under faults (lost answers, 5xx, 429s),
    then runs until done: nobody mailed twice, everybody mailed once or
    rejected as in doubt; --resend-in-doubt sends those;
  - a wrong secret: 77, nothing sent; --credentials-file with a profile;
    the secret in no output.

Usage: post-mail.py BIN ROOT TMPDIR. SES_SEED sets the dice.
"""

import json
import os
import random
import signal
import subprocess
import sys
import time

BIN, ROOT, TMP = sys.argv[1:4]
SEED = int(os.environ.get("SES_SEED", random.randrange(1 << 30)))
MAILING = os.path.join(ROOT, "mailings/sample/mailing.json")
SECRET = "s3cr3t-%08x" % random.Random(os.getpid()).getrandbits(32)
failures = 0
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ses_emu  # noqa: E402


def Emu(name, *args):
    return ses_emu.Emu(TMP, name, "--sent", os.path.join(TMP, name, "sent"),
                       "--secret", SECRET, *args)
print("# post-mail: SES_SEED=%d" % SEED)


def report(ok, what, detail=""):
    global failures
    print(("ok - " if ok else "not ok - ") + "post-mail: " + what)
    if not ok:
        failures += 1
        if detail:
            sys.stderr.write(str(detail)[:3000] + "\n")
    sys.stdout.flush()


def members(n, extra=None):
    rows = []
    for i in range(1, n + 1):
        rows.append({"northstar_id": "5f%022d" % i,
                     "email": "m%d@example.org" % i,
                     "first_name": "M%d" % i,
                     "email_subscription_status": True,
                     "survey": {"url": "https://s.example.org/%d" % i}})
    for i, change in (extra or {}).items():
        rows[i - 1].update(change)
        for k, v in list(rows[i - 1].items()):
            if v is None:
                del rows[i - 1][k]
    return rows


def write(name, rows):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return path


def env(emu, **kw):
    e = dict(os.environ, SES_URL=emu.url, AWS_ACCESS_KEY_ID="AKIDEMULATOR",
             AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
             SLUICE_PROGRESS="0")
    e.update(kw)
    return e


def run(emu, ledger, infile, *args, e=None, timeout=60):
    cmd = [os.path.join(BIN, "post-mail"), "--mailing", MAILING, "--ledger",
           ledger, "--rejects", ledger + ".rejects"] + list(args) + [infile]
    p = subprocess.run(cmd, env=e or env(emu), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def rejects(ledger):
    try:
        with open(ledger + ".rejects") as f:
            return [json.loads(l) for l in f]
    except FileNotFoundError:
        return []


def sent_to(emu):
    return emu.sent()


def set_asides():
    emu = Emu("asides")
    try:
        rows = members(30, {3: {"email_subscription_status": False},
                            4: {"email_subscription_status": None},
                            5: {"first_name": None},
                            6: {"survey": {"url": ""}},
                            7: {"city": "Lyon"}})
        f = write("asides.ndjson", rows + [rows[0]])
        led = os.path.join(TMP, "asides.ledger")
        rc, out, err = run(emu, led, f, "--dropped", led + ".dropped")
        sent = sent_to(emu)
        rej = {r["record"]["email"]: r["reason"] for r in rejects(led)}
        report(rc == 1 and len(sent) == 26 and max(sent.values()) == 1,
               "26 of 30 mailed once, exit 1", (rc, err, sent))
        report("m3@example.org" not in sent and "m4@example.org" not in sent
               and "unsubscribed=2" in err,
               "subscription off or missing: dropped, not sent", err)
        report("duplicate=1" in err, "a member listed twice: mailed once, "
               "the second record dropped", err)
        report("{{first_name}}" in rej.get("m5@example.org", "") and
               "{{survey_url}} (at survey.url)" in rej.get("m6@example.org",
                                                           ""),
               "a missing variable rejected with its name and path", rej)
        data = {m["to"]: m["data"] for m in emu.get("sent")}
        report(data["m1@example.org"]["panel"]["name"] ==
               "the December panel" and "city" not in data["m1@example.org"]
               and data["m1@example.org"]["survey_url"] ==
               "https://s.example.org/1",
               "defaults and variables' paths reach the template data",
               data.get("m1@example.org"))
        before = len(emu.log())
        rc, out, err = run(emu, led, f)
        after = [l for l in emu.log()[before:] if l["method"] == "POST"]
        report(not after and "skipped=27" in err and "sent=0" in err,
               "a re-run sends nothing", err)
        report(SECRET not in out + err, "the secret in no output")
    finally:
        emu.stop()


def partial():
    emu = Emu("partial", "--transient-rate", "0.3", "--seed", str(SEED))
    try:
        f = write("partial.ndjson", members(200))
        led = os.path.join(TMP, "partial.ledger")
        rc, out, err = run(emu, led, f)
        sent = sent_to(emu)
        report(rc == 0 and len(sent) == 200 and max(sent.values()) == 1,
               "transient failures: 200 mailed once each", (rc, err))
        done, resent, bad = set(), 0, []
        for l in emu.log():
            if l.get("path") != "/v2/email/outbound-bulk-emails" or \
                    l["status"] != 200:
                continue
            for to, st in zip(l["to"], l["results"]):
                if to in done:
                    bad.append(to)
                if st == "SUCCESS":
                    done.add(to)
                else:
                    resent += 1
        report(not bad and resent > 0,
               "only the failed destinations sent again (%d)" % resent, bad)
    finally:
        emu.stop()


def throttled():
    emu = Emu("throttle", "--rate", "20", "--throttle-rate", "0.25",
              "--seed", str(SEED + 1))
    try:
        f = write("throttle.ndjson", members(60))
        led = os.path.join(TMP, "throttle.ledger")
        t0 = time.monotonic()
        rc, out, err = run(emu, led, f)
        took = time.monotonic() - t0
        sent = sent_to(emu)
        st = emu.get("stats")
        report(rc == 0 and len(sent) == 60 and max(sent.values()) == 1,
               "rate 20/s and 429s: 60 mailed once each", (rc, err, st))
        ok_calls = st["bulk"] - st.get("429", 0)
        report(ok_calls == 3 and st.get("429", 0) <= 8,
               "no storm: %d calls, %d of them 429" % (st["bulk"],
                                                       st.get("429", 0)), st)
        report(took >= 1.9, "paced: 60 at 20/s took %.1f s" % took)
    finally:
        emu.stop()


def killed():
    emu = Emu("killed", "--rate", "50", "--drop-rate", "0.1",
              "--error-rate", "0.1", "--throttle-rate", "0.1",
              "--transient-rate", "0.1", "--slow-ms", "300",
              "--seed", str(SEED + 2))
    rnd = random.Random(SEED)
    try:
        rows = members(300)
        f = write("killed.ndjson", rows)
        led = os.path.join(TMP, "killed.ledger")
        cmd = [os.path.join(BIN, "post-mail"), "--mailing", MAILING,
               "--ledger", led, f]
        for _ in range(4):
            p = subprocess.Popen(cmd, env=env(emu), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
            time.sleep(rnd.uniform(0.1, 1.5))
            p.send_signal(signal.SIGKILL)
            p.wait()
        t0 = time.monotonic()
        rc, out, err = run(emu, led, f)
        print("# post-mail: the last run: %.1f s, %s" % (
            time.monotonic() - t0, err.strip().splitlines()[-2:]))
        sent = sent_to(emu)
        doubt = {r["record"]["email"] for r in rejects(led)
                 if r["reason"].startswith("in doubt")}
        other = [r["reason"] for r in rejects(led)
                 if not r["reason"].startswith("in doubt")]
        everyone = {r["email"] for r in rows}
        twice = [k for k, v in sent.items() if v > 1]
        report(not twice, "killed 4 times, then run: nobody mailed twice",
               twice)
        report(set(sent) | doubt == everyone and not other,
               "everybody mailed or in doubt (%d mailed, %d in doubt)" %
               (len(sent), len(doubt)), (other, err))
        lost = [l for l in emu.log() if l.get("dropped")]
        report(len(doubt) <= sum(len(l["to"]) for l in lost) + 4 * 50,
               "in doubt: no more than the lost answers and the kills'",
               (len(doubt), len(lost)))
    finally:
        emu.stop()


def lost():
    """Every answer lost: all in doubt, then resent only when asked."""
    emu = Emu("lost", "--drop-rate", "1")
    try:
        f = write("lost.ndjson", members(12))
        led = os.path.join(TMP, "lost.ledger")
        rc, out, err = run(emu, led, f)
        rej = rejects(led)
        report(rc == 1 and len(rej) == 12 and all(
            "its answer was lost" in r["reason"] for r in rej) and
               len(sent_to(emu)) == 12,
               "answers lost: sent, each rejected as in doubt", (rc, err))
        emu.stop()
        emu = Emu("lost2")
        rc, out, err = run(emu, led, f)
        rej = rejects(led)
        report(rc == 1 and not emu.get("sent") and len(rej) == 12 and all(
            r["reason"].startswith("in doubt") for r in rej) and
               "in_doubt=12" in err,
               "a re-run sends none of them: in doubt, with the reason", err)
        rc, out, err = run(emu, led, f, "--resend-in-doubt")
        sent = sent_to(emu)
        report(rc == 0 and len(sent) == 12 and max(sent.values()) == 1,
               "--resend-in-doubt sends them, once", (rc, err))
    finally:
        emu.stop()


def refused():
    emu = Emu("refused")
    try:
        f = write("refused.ndjson", members(5))
        led = os.path.join(TMP, "refused.ledger")
        rc, out, err = run(emu, led, f, e=env(
            emu, AWS_SECRET_ACCESS_KEY="not-" + SECRET))
        report(rc == 77 and not emu.get("sent") and "HTTP 403" in err,
               "a wrong secret: 77, nothing sent", (rc, err))
        creds = os.path.join(TMP, "credentials")
        with open(creds, "w") as c:
            c.write("[default]\naws_access_key_id = nobody\n"
                    "aws_secret_access_key = x\n\n[mail]\n"
                    "# the panel's keys\naws_access_key_id = AKIDEMULATOR\n"
                    "aws_secret_access_key = %s\n" % SECRET)
        e = env(emu)
        del e["AWS_ACCESS_KEY_ID"], e["AWS_SECRET_ACCESS_KEY"]
        rc, out, err = run(emu, led, f, "--credentials-file", creds,
                           "--profile", "mail", e=e)
        report(rc == 0 and len(emu.get("sent")) == 5,
               "--credentials-file with --profile", (rc, err))
        rc, out, err = run(emu, led + "2", f, e=e)
        report(rc == 64 and "AWS_ACCESS_KEY_ID" in err,
               "no credentials: 64, named", (rc, err))
        report(SECRET not in out + err, "the secret in no message")
    finally:
        emu.stop()


def main():
    if os.environ.get("ONLY"):
        globals()[os.environ["ONLY"]]()
        return 1 if failures else 0
    set_asides()
    partial()
    throttled()
    killed()
    lost()
    refused()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
