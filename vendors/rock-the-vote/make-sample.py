#!/usr/bin/env python3
"""Writes vendors/rock-the-vote/sample.csv: a synthetic Rock the
Vote registrant report of about 300 rows, with the report's columns and its
mess: every status (Step 1 to 4, Complete with and without Finish with
State, Under 18, Rejected, and one Rock the Vote never sent before),
registrations that go on over several rows, "Finish with State" spelled
Yes, Y, yes , y , No; tracking sources of every shape (user, referral
before and after user, group ids good and bad, empty); phone numbers good
and bad (000-000-0000, too short); dates that are not dates; UTF-8 names;
CRLF line endings. Deterministic. Standard library only.

With --rows N it writes about N rows of the same kinds (more members), for the
benchmarks: bench/stages.sh, bench/shape-vs-filters.sh.

Usage: vendors/rock-the-vote/make-sample.py [--rows N] > vendors/rock-the-vote/sample.csv
"""

import csv
import io
import random
import sys

HEADER = [
    "Status", "Tracking Source", "Tracking ID", "Language", "Date of birth",
    "Email address", "US citizen?", "First name", "Last name",
    "Home address", "Home unit", "Home city", "Home state", "Home zip code",
    "Party", "Phone", "Phone type", "Opt-in to RTV email?",
    "Opt-in to RTV sms?", "Opt-in to Partner email?",
    "Opt-in to Partner SMS/robocall", "Pre-Registered",
    "Started registration", "Finish with State", "Built via API",
]
FIRST = ["Ana", "Zoë", "Nguyễn", "Omar", "Maya", "Li", "José", "Chloé",
         "Aisha", "Kwame", "Renée", "Tomás"]
LAST = ["García", "O'Brien", "Haddad", "Cohen", "Núñez", "Dubois", "Bello",
        "Mensah", "Lefèvre", "Álvarez"]
STEPS = ["Step 1", "Step 2", "Step 3", "Step 4"]
YES = ["Yes", "Y", "yes ", "y ", "No", "no", ""]


def tracking(rng, user):
    k = rng.randrange(9)
    return ["", "user:%s,campaignID:8017,source:email,source_details:news"
            % user, "user:%s,source_details:drive,referral=true" % user,
            "referral=true,user:%s" % user,
            "source:email,source_details:x,group_id=12",
            "user:%s,referral:true,group_id:5" % user, "group_id=abc",
            "user:not-an-id", "iframe?r=user:%s" % user][k]


def phone(rng, i):
    return rng.choice(["", "000-000-0000", "787 249 13",
                       "(212) 254-%04d" % (1000 + i),
                       "312-555-%04d" % (1000 + i)])


def row(rng, m, status, started, finish):
    return [status, m["tracking"], "T%06d" % rng.randrange(10 ** 6), "en",
            "2002-05-0%d" % rng.randrange(1, 10), m["email"], "Yes",
            m["first"], m["last"], "%d Main St" % rng.randrange(1, 999),
            rng.choice(["", "Apt 2"]), "Chicago", "IL", m["zip"], "None",
            m["phone"], "Mobile", "No", "No", rng.choice(YES),
            rng.choice(YES), rng.choice(["Yes", "No"]), started, finish,
            "No"]


def main():
    rng = random.Random(2020)
    rows = []
    want = int(sys.argv[2]) if sys.argv[1:2] == ["--rows"] else None
    i = 0
    while (i < 120) if want is None else (len(rows) < want - 28):
        m = {"first": rng.choice(FIRST), "last": rng.choice(LAST),
             "email": "voter%d@example.org" % i, "zip": "606%02d" % (i % 100),
             "phone": phone(rng, i),
             "tracking": tracking(rng, "%024x" % rng.getrandbits(96))}
        started = "2020-03-%02d %02d:%02d:%02d -0400" % (
            rng.randrange(1, 29), rng.randrange(24), rng.randrange(60),
            rng.randrange(60))
        # A registration goes on over up to four rows.
        for step in STEPS[:rng.randrange(1, 5)]:
            rows.append(row(rng, m, step, started, "No"))
        if rng.randrange(3):
            rows.append(row(rng, m, "Complete", started, rng.choice(YES)))
        if rng.randrange(10) == 0:   # a second registration
            rows.append(row(rng, m, rng.choice(["Under 18", "Rejected"]),
                            "2020-04-01 10:00:00 -0400", "No"))
        i += 1
    for i in range(4):
        m = {"first": "Odd", "last": "Row", "email": "odd%d@example.org" % i,
             "zip": "60601", "phone": "", "tracking": ""}
        rows.append(row(rng, m, "Foo Bar", "2020-03-10 10:00:00 -0400",
                        "No"))
        rows.append(row(rng, m, "Step 2", rng.choice(["555-555-5555", "",
                                                       "2020-02-30"]), "No"))
    rows += [list(rows[rng.randrange(len(rows))]) for _ in range(20)]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER)
    w.writerows(rows)
    sys.stdout.write(out.getvalue())


main()
