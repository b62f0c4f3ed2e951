#!/usr/bin/env python3
"""Writes vendors/niche/sample.csv: a synthetic Niche leads export of about
200 rows (the columns are ours: README.md beside this file): opt-ins
written Yes, Y, no, 1, empty; birth dates real, impossible (2008-02-30)
and empty; Niche's own test leads (@niche.com); addresses that are not
addresses; a student sent twice; UTF-8 names; CRLF. Deterministic.
Standard library only.

Usage: vendors/niche/make-sample.py [--rows N] > sample.csv
"""

import csv
import io
import random
import sys

FIRST = ["Ana", "Zoë", "Nguyễn", "Omar", "Maya", "Li", "José", "Chloé"]
LAST = ["García", "O'Brien", "Haddad", "Núñez", "Dubois", "Mensah", ""]


def main(argv):
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 200
    rng = random.Random(4404)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["lead_id", "submitted_at", "first_name", "last_name",
                "email", "birthdate", "zip", "opt_in"])
    for i in range(rows):
        who = i if rng.randrange(10) else rng.randrange(max(i, 1))
        k = rng.randrange(30)
        email = ("qa%d@niche.com" % i if k == 0 else
                 "student%d.example.org" % i if k == 1 else
                 "student%d@example.org" % who)
        birth = rng.choice(["2008-%02d-%02d" % (1 + who % 12, 1 + who % 28),
                            "2008-02-30", "", "2007-11-05"])
        w.writerow(["N%06d" % i, "2026-10-%02d 14:%02d:00" % (1 + i % 30,
                                                              i % 60),
                    rng.choice(FIRST), rng.choice(LAST), email, birth,
                    rng.choice(["11201", "60602", "94110", ""]),
                    rng.choice(["Yes", "Y", "no", "1", ""])])
    sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
