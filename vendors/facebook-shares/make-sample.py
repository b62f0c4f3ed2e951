#!/usr/bin/env python3
"""Writes vendors/facebook-shares/sample.csv: a synthetic export of past
Facebook shares of about 200 rows, in the columns of the old backfill
(_id, campaign_id, user.northstarId, to_timestamp, action, event.source):
two campaigns, the same share twice, members with several shares, ids and
dates that are not, LF endings. Deterministic. Standard library only.

Usage: vendors/facebook-shares/make-sample.py [--rows N] > sample.csv
"""

import csv
import io
import random
import sys


def main(argv):
    rows = int(argv[argv.index("--rows") + 1]) if "--rows" in argv else 200
    rng = random.Random(4505)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["_id", "campaign_id", "user.northstarId", "to_timestamp",
                "action", "event.source"])
    for i in range(rows):
        k = rng.randrange(40)
        share = "5b8%021x" % (i if k != 1 or i == 0 else rng.randrange(i))
        member = "5a%022x" % rng.randrange(max(rows // 3, 1))
        if k == 2:
            member = "not-a-member"
        when = ("2018-%02d-%02dT%02d:%02d:00.000Z"
                % (8 + i % 5, 1 + i % 28, i % 24, i % 60))
        if k == 3:
            when = "yesterday"
        w.writerow([share, rng.choice(["8017", "8103"]), member, when,
                    "share-social", "facebook"])
    sys.stdout.write(out.getvalue())


if __name__ == "__main__":
    main(sys.argv[1:])
