#!/usr/bin/env python3
"""Writes vendors/turbovote/sample.csv: a synthetic TurboVote user
export of about 2,000 rows for make demo, with the mess real exports carry.

- the 29 columns of a real export, CRLF line endings (Excel), UTF-8 names
  (García, Zoë, Nguyễn, 李), quoted commas, doubled quotes and a line break
  inside an address;
- staff and test rows: dosomething.org addresses in any case, turbovote in
  the address, a testing hostname, the last name Baloney;
- every referral-code shape: empty, all pieces, pieces missing, `=` instead
  of `:`, keys in capitals, a user that is not an id, a campaign that is not
  a number, extra unknown keys, spaces;
- every status (initiated, registered online and by mail, unknown, pending,
  ineligible, not-required) and some a map has never seen (moved-away,
  REGISTERED, empty);
- members with several rows (a registration that went on), and rows repeated
  whole, as cumulative exports repeat them;
- phone numbers good and bad (000-000-0000, too short), and a broken row
  with too few fields.

Deterministic: the same file every time. Standard library only.
Usage: vendors/turbovote/make-sample.py > vendors/turbovote/sample.csv
"""

import csv
import io
import os
import random
import runpy
import sys

# The 29 columns of a real export, in their order: written once, in
# make-export.py beside this file (the big exports of the benchmarks).
HEADER = runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(
    __file__)), "make-export.py"))["HEADER"]
FIRST = ["Ana", "Zoë", "Nguyễn", "Omar", "Maya", "Li", "José", "Chloé",
         "Dmitri", "Aisha", "Sean", "Priya", "Björn", "Fatima", "Kwame",
         "李", "Ólafur", "Renée", "Tomás", "Yuki"]
LAST = ["García", "O'Brien", "Văn An", "Haddad", "Cohen", "Lei", "Núñez",
        "Dubois", "Ivanov", "Bello", "Murphy", "Patel", "Østergaard",
        "Zahra", "Mensah", "王", "Sigurðsson", "Lefèvre", "Álvarez", "Sato"]
CITIES = [("Brooklyn", "NY", "11201"), ("Austin", "TX", "73301"),
          ("San Francisco", "CA", "94105"), ("Chicago", "IL", "60601"),
          ("Miami", "FL", "33101"), ("Seattle", "WA", "98101")]
STATUSES = (["initiated"] * 5 + ["registered"] * 8 + ["unknown"] * 2 +
            ["pending"] * 2 + ["ineligible", "not-required"])
ODD_STATUSES = ["moved-away", "REGISTERED", ""]


def referral(rng, user):
    shape = rng.randrange(12)
    if shape == 0:
        return ""
    if shape == 1:
        return "user:%s,campaignID:8017,campaignRunID:8022,source:email," \
            "source_details:newsletter" % user
    if shape == 2:
        return "user:%s,campaignID:7059" % user          # no run id
    if shape == 3:
        return "USER=%s,Campaign=7059,source=sms" % user.upper()
    if shape == 4:
        return "user:not-an-id,campaignID:8017,campaignRunID:8022"
    if shape == 5:
        return "campaignID:abc,campaignRunID:8022,source:web"
    if shape == 6:
        return " user : %s , source_details : fb_post , utm:x " % user
    if shape == 7:
        return "campaignID:8017,campaignRunID:8022"
    if shape == 8:
        return "source:twitter,source_details:tw_2018"
    return "user:%s,campaignID:%d,campaignRunID:%d,source:%s" % (
        user, rng.choice([8017, 7059, 4638]), rng.choice([8022, 7060, 4643]),
        rng.choice(["email", "sms", "web", "social"]))


def phone(rng, i):
    k = rng.randrange(10)
    if k == 0:
        return ""
    if k == 1:
        return "000-000-0000"
    if k == 2:
        return "787 249 13"
    if k == 3:
        return "(212) 254-%04d" % (i % 10000)
    return "%d%02d-555-%04d" % (rng.choice([2, 3, 4, 6, 7]), rng.randrange(10, 99), i % 10000)


def member(rng, i):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    local = "".join(c for c in (first + "." + last).lower() if c.isascii()
                    and (c.isalnum() or c == ".")).strip(".") or "member"
    email = "%s%d@%s" % (local, i, rng.choice(
        ["gmail.com", "yahoo.com", "example.org", "school.edu"]))
    city, state, zipc = rng.choice(CITIES)
    street = "%d %s" % (rng.randrange(1, 999), rng.choice(
        ["Main St", "Market St, Suite 3", "1 \"Quoted\" Ave",
         "Old-Mill-Pond Circle", "Elm St\nBuilding B"]))
    return {"first": first, "last": last, "email": email,
            "phone": phone(rng, i), "street": street, "city": city,
            "state": state, "zip": zipc,
            "user": "%024x" % rng.getrandbits(96)}


def row(rng, m, n, status=None):
    status = status or rng.choice(STATUSES)
    day = rng.randrange(1, 28)
    return [
        "%024x" % rng.getrandbits(96), m["first"], rng.choice(["", "M", "J"]),
        m["last"], m["phone"], m["email"], m["street"],
        rng.choice(["", "", "Apt 4"]), m["city"], m["state"], m["zip"],
        "", "", "", "", "", "2000-%02d-%02d" % (rng.randrange(1, 13), day),
        rng.choice(["en", "es", "vi"]), "dosomething.turbovote.org",
        referral(rng, m["user"]), rng.choice(["true", "false"]),
        "2018-%02d-%02dT15:17:37Z" % (rng.randrange(8, 11), day),
        "2018-%02d-%02dT15:20:01Z" % (rng.randrange(8, 11), day),
        status, "user",
        rng.choice(["online", "online", "by-mail", ""])
        if status == "registered" else rng.choice(["", "online"]),
        rng.choice(["in-person", "by-mail"]),
        rng.choice(["true", "false"]), rng.choice(["true", "false"]),
    ]


def main():
    rng = random.Random(2018)
    members = [member(rng, i) for i in range(1500)]
    rows = []
    for i, m in enumerate(members):
        rows.append(row(rng, m, i))
        if rng.randrange(5) == 0:        # the registration went on
            rows.append(row(rng, m, i, rng.choice(["registered",
                                                   "initiated"])))
    # Staff and test rows.
    for i in range(40):
        m = dict(members[i])
        kind = i % 5
        if kind == 0:
            m["email"] = "jane%d@DoSomething.ORG" % i
        elif kind == 1:
            m["email"] = "qa%d@turbovote.org" % i
        elif kind == 3:
            m["last"] = "Baloney"
        r = row(rng, m, i)
        if kind == 2:
            r[18] = "testing.turbovote.org"
        rows.append(r)
    # Statuses no map knows.
    for i in range(12):
        rows.append(row(rng, members[100 + i], i, ODD_STATUSES[i % 3]))
    # Rows repeated whole (cumulative exports repeat them).
    rows += [list(rows[rng.randrange(len(rows))]) for _ in range(120)]
    rng.shuffle(rows)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(rows)
    # A row cut short, as a broken export has.
    out.write("deadbeef,Broken,,Row,,broken@example.org,1 Main St\r\n")
    sys.stdout.write(out.getvalue())


main()
