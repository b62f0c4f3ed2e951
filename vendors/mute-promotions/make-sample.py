#!/usr/bin/env python3
"""Writes vendors/mute-promotions/sample.csv: a list of Northstar ids whose
promotions are to be muted, about 200 rows: ids in lower and upper case,
the same id twice, ids that are not ids (too short, not hex, a Northstar
e-mail pasted by mistake), and LF endings. The ids are those the emulator
gives the members it is seeded with (--seed-users 200 --seed-ids
5a%022x, cases/e2e/emulator.json), so a sample import mutes real members.
An id nobody has (a 404) is in cases/e2e/ instead: such an id is asked
again by every run, and a sample imported twice sends nothing the second
time.
Deterministic. Standard library only.

With --rows N it writes N rows (half a million for the benchmark).

Usage: vendors/mute-promotions/make-sample.py [--rows N] > sample.csv
"""

import random
import sys


def member_id(i):
    """The id of the i-th member of a seeded emulator."""
    return "5a%022x" % i


def main(argv):
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 200
    rng = random.Random(4202)
    out = ["northstar_id"]
    for i in range(rows):
        k = rng.randrange(50)
        if k == 0:
            out.append(rng.choice(["5a00", "not-an-id", "jane@example.org",
                                   "zz" * 12]))
        elif k == 2:
            out.append(member_id(i).upper())
        elif k == 3 and i:
            out.append(member_id(rng.randrange(i)))
        else:
            out.append(member_id(i))
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
