#!/usr/bin/env python3
"""Writes vendors/text-signups/sample.csv: a synthetic texting vendor's
sign-up export of about 200 rows (the columns are ours: README.md beside
this file): mobiles in every shape (+1, dots, parentheses, too short,
000-000-0000, empty), e-mails present, absent, or not addresses, the same
person signing up to two keywords, test keywords, UTF-8 names, CRLF.
Deterministic. Standard library only.

Usage: vendors/text-signups/make-sample.py [--rows N] > sample.csv
"""

import csv
import io
import random
import sys

FIRST = ["Ana", "Zoë", "Nguyễn", "Omar", "Maya", "Li", "José", ""]
LAST = ["García", "O'Brien", "Haddad", "Núñez", "", "Mensah"]
KEYWORDS = ["VOTE", "CLIMATE", "vote", "SCHOLARSHIP"] * 6 + ["Test"]


def mobile(rng, i):
    n = 2125550000 + i
    return rng.choice(["%d" % n, "+1%d" % n, "(%s) %s-%s" % (str(n)[:3],
                       str(n)[3:6], str(n)[6:]),
                       "%s.%s.%s" % (str(n)[:3], str(n)[3:6], str(n)[6:])]
                      + ["", "000-000-0000", "555-01"] * (i % 17 == 0))


def main(argv):
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 200
    rng = random.Random(4303)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["signup_id", "phone", "keyword", "texted_at", "email",
                "first_name", "last_name", "zip"])
    for i in range(rows):
        who = i if rng.randrange(8) else rng.randrange(max(i, 1))
        email = rng.choice(["member%d@example.org" % who, "",
                            "member%d@example" % who])
        w.writerow(["TS%05d" % i, mobile(rng, who), rng.choice(KEYWORDS),
                    "2026-11-%02dT%02d:%02d:00Z" % (1 + i % 28, i % 24,
                                                    i % 60),
                    email, rng.choice(FIRST), rng.choice(LAST),
                    rng.choice(["11201", "60602", ""])])
    sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
