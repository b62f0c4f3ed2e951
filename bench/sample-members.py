"""Members for bench/sample.sh: ROWS NDJSON records, one a member, as an
import's canonical records look (an id, a state at the top for Miller's
-g, a user with a date of birth and an e-mail address, a source, a time).

    python3 bench/sample-members.py ROWS > members.ndjson
"""
import json
import random
import sys

STATES = ["AK", "AL", "AR", "AZ", "CA", "CO", "CT", "DC", "DE", "FL", "GA",
          "HI", "IA", "ID", "IL", "IN", "KS", "KY", "LA", "MA", "MD", "ME",
          "MI", "MN", "MO", "MS", "MT", "NC", "ND", "NE", "NH", "NJ", "NM",
          "NV", "NY", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX",
          "UT", "VA", "VT", "WA", "WI", "WV"]


def main():
    rows = int(sys.argv[1])
    rng = random.Random(1)
    out = sys.stdout
    for i in range(rows):
        y = rng.randint(1950, 2008)
        rec = {"id": "%024x" % rng.getrandbits(96), "state": rng.choice(STATES),
               "user": {"birthdate": "%04d-%02d-%02d" % (
                   y, rng.randint(1, 12), rng.randint(1, 28)),
                   "email": "member%d@example.org" % i},
               "source": rng.choice(["signup", "sms", "partner"]),
               "created_at": "2025-%02d-%02dT%02d:00:00Z" % (
                   rng.randint(1, 12), rng.randint(1, 28), rng.randint(0, 23))}
        out.write(json.dumps(rec, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
