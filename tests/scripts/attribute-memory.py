"""attribute's memory follows the persons with an open window, not the
input: a long stream of persons who each visit a few times, sign up and
never come back (a one-minute lookback), in runs of 50,000 and 400,000
events. The persons the stage holds at its peak (its summary's
peak_persons) must stay under a bound that does not grow with the
stream, and the longer run's peak RSS within a few MiB of the shorter's.

    python3 attribute-memory.py BIN TMPDIR
"""

import os
import re
import resource
import subprocess
import sys

BIN, TMP = sys.argv[1], sys.argv[2]
failures = 0


def report(ok, what, detail=""):
    global failures
    print("%s - %s" % ("ok" if ok else "not ok", what))
    if not ok:
        failures += 1
        print("#   " + detail)


def stream(path, n):
    """n events, one a second; person k's five events are k*5 .. k*5+4."""
    t0 = 1793491200
    with open(path, "w") as f:
        for i in range(n):
            k, j = divmod(i, 5)
            s = t0 + i
            ts = "2026-11-%02dT%02d:%02d:%02dZ" % (
                1 + (s - t0) // 86400, (s // 3600) % 24, (s // 60) % 60,
                s % 60)
            if j == 4:
                f.write('{"event":"signup","event_id":"e%d","time":"%s",'
                        '"member_id":"m%d","anonymous_id":"fp-%d"}\n'
                        % (i, ts, k, k))
            else:
                f.write('{"event":"pageview","event_id":"e%d","time":"%s",'
                        '"anonymous_id":"fp-%d","url":"https://a.org/",'
                        '"utm_source":"s%d"}\n' % (i, ts, k, j))


def run(n):
    path = os.path.join(TMP, "mem-%d.ndjson" % n)
    stream(path, n)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(os.devnull, "w") as out:
        p = subprocess.run([BIN + "/attribute", "--lookback", "60", path],
                           stdout=out, stderr=subprocess.PIPE)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    os.unlink(path)
    err = p.stderr.decode()
    m = re.search(r"peak_persons=(\d+)", err)
    peak = int(m.group(1)) if m else -1
    ok = p.returncode == 0 and "in=%d out=%d" % (n, n) in err
    return ok, peak, max(rss, before), err


ok1, peak1, rss1, err1 = run(50000)
ok2, peak2, rss2, err2 = run(400000)
report(ok1 and ok2, "attribute memory: both streams whole", err1 + err2)
# At most a few dozen persons have an open window at once; sweeps keep
# the table within twice that plus the sweep's floor of 1024.
report(0 < peak1 <= 1200 and 0 < peak2 <= 1200,
       "attribute memory: persons held at the peak stay flat (%d, %d for "
       "8 times the events; 80,000 persons in the longer)" % (peak1, peak2),
       "peak_persons %d and %d" % (peak1, peak2))
sanitized = "build-san" in BIN
report(sanitized or rss2 <= rss1 + 8 * 1024,
       "attribute memory: peak RSS %d KiB for 400,000 events, %d KiB for "
       "50,000" % (rss2, rss1), "grew with the input")
sys.exit(1 if failures else 0)
