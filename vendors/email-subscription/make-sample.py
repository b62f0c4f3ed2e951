#!/usr/bin/env python3
"""Writes vendors/email-subscription/sample.csv: a synthetic newsletter
sign-up list of about 200 rows with a list's mess: addresses in mixed case
and with spaces around, the same address twice, first names missing or
empty, UTF-8 names, addresses that are not addresses (no @, no domain, two
@), a BOM and CRLF line endings. Deterministic. Standard library only.

With --rows N it writes about N rows of the same kinds, for the benchmarks.

Usage: vendors/email-subscription/make-sample.py [--rows N] > sample.csv
"""

import csv
import io
import random
import sys

FIRST = ["Ana", "Zoë", "Nguyễn", "Omar", "Maya", "Li", "José", "Chloé",
         "Aisha", "Kwame", "Renée", "Tomás", ""]
BAD = ["jane.example.org", "bob@", "@example.org", "sam@@example.org",
       "a b@example.org", "bob@localhost"]


def main(argv):
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 200
    rng = random.Random(4101)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["email", "first_name"])
    for i in range(rows):
        k = rng.randrange(40)
        if k == 0:
            email = rng.choice(BAD)
        elif k == 1 and i > 10:
            email = "Member%d@Example.ORG " % rng.randrange(i)
        else:
            email = "member%d@example.org" % i
            if k == 2:
                email = "  " + email.upper()
        # A repeated address repeats its row's name too, as a list merged
        # from two sources does (rows that disagree are README's limit).
        first = FIRST[int(email.strip().lower()[6:].split("@")[0]) %
                      len(FIRST)] if email.strip().lower().startswith(
                          "member") else rng.choice(FIRST)
        w.writerow([email, first])
    sys.stdout.write("\ufeff" + out.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
