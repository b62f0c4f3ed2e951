#!/usr/bin/env python3
"""report.html and index.html in headless Chromium (Debian's package).

  - the demo's import (the TurboVote sample through pipelines/import.sh
    against the emulator): Chromium opens the run's report.html from the
    file (--dump-dom), and every number the summary.txt holds (read here,
    by this script's own reading of it) is in the DOM, in the element its
    data-k names, with the same value, and the DOM holds no number the
    summary does not; the rejects' groups add up to each stage's rejected
    count; no e-mail address is shown whole; nothing is loaded from
    elsewhere (no script, no src, no URL); a screenshot is kept as an
    artifact (BUILD/artifacts/report-browser/, named in the output);
  - the report's commands, run as printed: the rejected rows written to a
    CSV (the header and one row a rejected record), imported again
    (the same records rejected again, for the same reasons);
  - the index page lists the runs, newest first, each linking to its
    report;
  - an export with thousands of rejected rows (unknown statuses, each its
    own, and ragged rows), imported --offline: its report stays under
    REPORT_MAX_KB (grouped, not a row a reject), its numbers are the
    summary's, and Chromium loads and dumps it in under LOAD_MAX_S;
  - a run that failed (another vendor's file, 65) and one cut short by
    SIGTERM still have their reports, which say so (the index too).

Skipped, with the reason, when no headless Chromium is installed or it
cannot start here (chromium-headless-shell or chromium: tests/setup.sh
installs the first; --no-sandbox, since the tests run as root).

Usage: report-browser.py BIN ROOT TMPDIR. Prints ok/not ok/skip lines.
"""

import csv
import html.parser
import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import delivery  # noqa: E402 (the emulator harness)

BIN, ROOT, TMP = sys.argv[1:4]
TMP = os.path.join(TMP, "report-browser")
os.makedirs(TMP, exist_ok=True)
ARTIFACTS = os.path.join(os.path.dirname(os.path.abspath(BIN)), "artifacts",
                         "report-browser")
REPORT_MAX_KB = 100
LOAD_MAX_S = 10.0
report = delivery.report


def find_chromium():
    for name in ("chromium-headless-shell", "chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(browser, url, *args, timeout=120):
    """Runs the browser on url; returns (exit status, stdout, seconds).
    Every process it starts is in a group of its own, killed at the end."""
    profile = os.path.join(TMP, "profile")
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu",
           "--no-first-run", "--disable-extensions", "--hide-scrollbars",
           "--user-data-dir=" + profile] + list(args) + [url]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        out = b""
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
    return proc.returncode, out.decode("utf-8", "replace"), \
        time.monotonic() - start


class Dom(html.parser.HTMLParser):
    """The elements with data-k (their text), data-g (a group's count and
    stage), every attribute and tag seen, and the <pre> texts."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.k, self.groups, self.pres, self.tags = {}, [], [], []
        self.attrs = []
        self.stack = []
        self.text = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        self.attrs += attrs
        self.stack.append((tag, a, len(self.text)))

    def handle_endtag(self, tag):
        while self.stack:
            t, a, start = self.stack.pop()
            inner = "".join(self.text[start:])
            if "data-k" in a:
                if a["data-k"] in self.k:
                    self.k[a["data-k"]] = None  # twice: an error
                else:
                    self.k[a["data-k"]] = inner
            if "data-g" in a:
                self.groups.append((a["data-g"], inner))
            if t == "pre":
                self.pres.append(inner)
            if t == tag:
                break

    def handle_data(self, data):
        self.text.append(data)


def parse_dom(text):
    d = Dom()
    d.feed(text)
    d.close()
    return d


def expected(summary):
    """What the report must show of summary.txt, as {data-k: text}, read
    here on its own terms (the C reader is what is under test)."""
    want = {}
    block = None
    for line in summary.splitlines():
        if not line.strip():
            block = None
            continue
        if not line.startswith(" "):
            if line.startswith("per stage"):
                block = "stages"
            elif line.startswith("delivery:"):
                block = "delivery"
            elif line.startswith("per final status"):
                block = "finals"
            elif re.match(r"per (post|member) result:", line):
                block = "results"
            elif line.startswith("files:"):
                block = "files"
            elif line.startswith("exit status per stage"):
                for k, v in re.findall(r" ([a-z0-9-]+)=(\S+)",
                                       line.split("):", 1)[1]):
                    want["exit." + k] = v
            elif line.startswith("timing: "):
                for k, v in re.findall(r"([a-z0-9-]+)=(\S+)", line[8:]):
                    want["timing." + k] = v
            elif re.match(r"exit \d+:", line):
                want["exit"] = line.split()[1].rstrip(":")
            else:
                block = "prose"
            continue
        body = line.strip()
        if block == "stages":
            name, rest = body.split(": ", 1)
            rules = re.search(r"\((.*)\)", rest)
            if rules:
                for k, v in re.findall(r"(\S+)=(\d+)", rules.group(1)):
                    want["rule.%s.%s" % (name, k)] = v
                rest = rest.replace(rules.group(0), "")
            for k, v in re.findall(r"(\w+)=(\d+)", rest):
                want["stage.%s.%s" % (name, k)] = v
        elif block == "delivery":
            name, rest = body.split(": ", 1)
            seen = {}
            for k, v in re.findall(r"([a-z][a-z ]*?)=(\d+)", rest):
                k = k.strip()
                seen[k] = seen.get(k, 0) + 1
                key = k if seen[k] == 1 else "%s#%d" % (k, seen[k])
                want["delivery.%s.%s" % (name, key)] = v
        elif block == "finals":
            post, member, n = body.split()
            want["final.%s.%s" % (post, member)] = n
        elif block == "results":
            k, n = body.split()
            want["result." + k] = n
        elif block == "files":
            m = re.match(r"(.*?) +(\d+) in /", body)
            if m:
                want["file." + m.group(1)] = m.group(2)
    first = re.search(r"^  ([a-z0-9-]+): in=(\d+)", summary, re.M)
    last = re.findall(r"^  [a-z0-9-]+: in=\d+ out=(\d+)", summary, re.M)
    if first:
        want["records.in"] = first.group(2)
        want["records.out"] = last[-1]
    return want


def rejected_per_stage(summary):
    return {m.group(1): int(m.group(2)) for m in re.finditer(
        r"^  ([a-z0-9-]+): in=.* rejected=(\d+)", summary, re.M)}


EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")


def check_page(what, dom, summary):
    """The numbers of summary in dom, and nothing else; groups adding up."""
    want = expected(summary)
    got = dict(dom.k)
    wrong = {k: (v, got.get(k)) for k, v in want.items() if got.get(k) != v}
    extra = {k: v for k, v in got.items()
             if k not in want and not k.startswith("rejects.")}
    report(want and not wrong and not extra,
           "%s: the DOM holds every number of summary.txt (%d), each "
           "where its data-k says, and no other" % (what, len(want)),
           "wrong (want, got): %r\nnot in the summary: %r" % (wrong, extra))
    sums = {}
    for stage, n in dom.groups:
        sums[stage] = sums.get(stage, 0) + int(n)
    per = rejected_per_stage(summary)
    bad = {s: (n, per.get(s)) for s, n in sums.items()
           if per.get(s) is not None and per[s] != n}
    missing = {s: n for s, n in per.items() if n and s not in sums}
    report(sums and not bad and not missing,
           "%s: the rejects' groups add up to each stage's rejected count "
           "(%s)" % (what, ", ".join("%s %d" % kv for kv in sums.items())),
           "groups vs summary: %r; stages without groups: %r" % (bad, missing))
    whole = [m.group(0) for m in EMAIL.finditer("".join(dom.text))
             if not re.match(r"[^@]\*\*\*@", m.group(0))]
    loads = [a for a in dom.attrs if a[0] in ("src", "srcset", "data")] + \
        [t for t in dom.tags if t in ("script", "iframe", "img", "link",
                                     "object", "embed")] + \
        [a for a in dom.attrs if a[1] and re.match(r"\s*(https?|//)",
                                                   a[1])]
    report(not whole and not loads,
           "%s: no e-mail address whole, nothing loaded from elsewhere"
           % what, "addresses: %r\nloads: %r" % (whole[:5], loads[:5]))


def run_import(env, *args):
    return subprocess.run([os.path.join(ROOT, "pipelines/import.sh")]
                          + list(args), capture_output=True, env=env,
                          timeout=600)


def test_demo(browser):
    data = os.path.join(TMP, "demo-data")
    emu = delivery.Emulator("report-browser")
    try:
        env = emu.env()
        env.update(SLUICE_DATA=data, BIN=BIN)
        env.pop("QUASAR_URL", None)
        sample = os.path.join(ROOT, "vendors/turbovote/sample.csv")
        p = run_import(env, "turbovote", sample)
        runs = sorted(os.listdir(os.path.join(data, "runs/turbovote")))
        run = os.path.join(data, "runs/turbovote", runs[-1])
        page = os.path.join(run, "report.html")
        report(p.returncode == 1 and os.path.exists(page) and
               ("report    %s" % page) in p.stdout.decode(),
               "the demo's import writes its run's report.html and names it "
               "in the summary", p.stderr.decode()[-2000:])
        if not os.path.exists(page):
            return
        summary = open(os.path.join(run, "summary.txt")).read()
        rc, out, secs = chromium(browser, "file://" + page, "--dump-dom")
        dom = parse_dom(out)
        report(rc == 0 and "data-k" in out,
               "Chromium opens report.html from its file (--dump-dom, %.1f s,"
               " %.1f KB)" % (secs, os.path.getsize(page) / 1024),
               "exit %s, %d bytes" % (rc, len(out)))
        check_page("the demo's report", dom, summary)
        os.makedirs(ARTIFACTS, exist_ok=True)
        shot = os.path.join(ARTIFACTS, "demo-report.png")
        if os.path.exists(shot):
            os.remove(shot)
        rc, _, _ = chromium(browser, "file://" + page,
                            "--screenshot=" + shot, "--window-size=1100,3200")
        report(rc == 0 and os.path.exists(shot) and
               os.path.getsize(shot) > 10000,
               "a screenshot of the demo's report is kept: %s" % shot)
        check_commands(env, dom, run)
        check_index(browser, data, run)
    finally:
        emu.stop()


def check_commands(env, dom, run):
    """The report's commands, run as printed: the rejected rows, then the
    import of them."""
    rows_cmd = [c for c in dom.pres if " --rows " in c]
    csvfile = os.path.join(run, "rejected-rows.csv")
    resend = [c for c in dom.pres if c.endswith(" " + csvfile) and
              "--rows" not in c]
    if not rows_cmd or not resend:
        report(False, "the report prints the commands that send the "
               "rejects again", repr(dom.pres))
        return
    p = subprocess.run(["sh", "-c", rows_cmd[0]], capture_output=True,
                       env=env, timeout=120)
    rows = list(csv.reader(io.StringIO(open(csvfile, newline="").read())))
    header = open(os.path.join(ROOT, "vendors/turbovote/sample.csv"),
                  newline="").readline().rstrip("\r\n").split(",")
    report(p.returncode == 0 and rows[0] == header and len(rows) == 12,
           "the report's first command writes the header and the 11 "
           "rejected rows (1 ragged, 10 statuses no rule maps)",
           "exit %d, %d rows\n%s" % (p.returncode, len(rows), p.stderr))
    p = subprocess.run(["sh", "-c", resend[0]], capture_output=True,
                       env=env, timeout=300)
    out = p.stdout.decode()
    report(p.returncode == 1 and
           re.search(r"csv2ndjson: in=11 out=10 .*rejected=1", out) and
           re.search(r"status-map: in=10 out=0 .*rejected=10", out),
           "the report's import command, run as printed, imports those rows "
           "(rejected again for the same reasons: nothing was fixed)",
           out + p.stderr.decode()[-1500:])


def check_index(browser, data, run):
    index = os.path.join(data, "index.html")
    rc, out, _ = chromium(browser, "file://" + index, "--dump-dom")
    links = re.findall(r'href="(runs/[^"]+/report\.html)"', out)
    runs = os.path.join(data, "runs/turbovote")
    want = ["runs/turbovote/%s/report.html" % r for r in
            sorted(os.listdir(runs), reverse=True)]
    rel = os.path.relpath(os.path.join(run, "report.html"), data)
    report(rc == 0 and len(want) >= 2 and links == want and rel in links,
           "index.html (next to the run folders) lists the %d runs, newest "
           "first, each linking to its report" % len(want),
           "links %r, want %r" % (links, want))


def bad_export(path, statuses, ragged):
    """The sample's header and rows: statuses rows each with a status of
    its own, ragged rows cut short."""
    src = list(csv.reader(open(os.path.join(
        ROOT, "vendors/turbovote/sample.csv"), newline="", encoding="utf-8")))
    header, rows = src[0], [r for r in src[1:] if len(r) == len(src[0])]
    col = header.index("voter-registration-status")
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(statuses):
            r = list(rows[i % len(rows)])
            r[col] = "weird-%d" % i
            w.writerow(r)
        for i in range(ragged):
            w.writerow(rows[i % len(rows)][: 3 + i % 9])


def test_many_rejects(browser):
    data = os.path.join(TMP, "many-data")
    export = os.path.join(TMP, "many.csv")
    bad_export(export, 6000, 2000)
    env = dict(os.environ, SLUICE_DATA=data, BIN=BIN, SLUICE_PROGRESS="0")
    p = subprocess.run([os.path.join(ROOT, "pipelines/import.sh"),
                        "--offline", "turbovote", export],
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       env=env, timeout=600)
    runs = sorted(os.listdir(os.path.join(data, "runs/turbovote")))
    run = os.path.join(data, "runs/turbovote", runs[-1])
    page = os.path.join(run, "report.html")
    summary = open(os.path.join(run, "summary.txt")).read()
    per = rejected_per_stage(summary)
    total = sum(per.values())
    kb = os.path.getsize(page) / 1024 if os.path.exists(page) else 1e9
    rejects_kb = sum(os.path.getsize(os.path.join(run, f)) for f in
                     os.listdir(run) if f.endswith(".rejects.ndjson")) / 1024
    report(p.returncode == 1 and total >= 7000 and kb < REPORT_MAX_KB,
           "a run with %d rejects: its report.html is %.1f KB (the rejects "
           "files %.0f KB), under %d KB" % (total, kb, rejects_kb,
                                           REPORT_MAX_KB),
           p.stderr.decode()[-1500:])
    rc, out, secs = chromium(browser, "file://" + page, "--dump-dom")
    # The browser's own start, to set apart from the page's load.
    empty = os.path.join(TMP, "empty.html")
    open(empty, "w").write("<!DOCTYPE html><p>empty")
    _, _, base = chromium(browser, "file://" + empty, "--dump-dom")
    dom = parse_dom(out)
    report(rc == 0 and secs < LOAD_MAX_S and len(dom.groups) <= 60,
           "Chromium loads and dumps it in %.2f s (an empty page: %.2f s), "
           "under %.0f s; %d groups for %d rejects" % (
               secs, base, LOAD_MAX_S, len(dom.groups), total),
           "exit %s" % rc)
    check_page("the report of thousands of rejects", dom, summary)
    os.makedirs(ARTIFACTS, exist_ok=True)
    shot = os.path.join(ARTIFACTS, "many-rejects-report.png")
    rc, _, _ = chromium(browser, "file://" + page, "--screenshot=" + shot,
                        "--window-size=1100,3200")
    report(rc == 0 and os.path.exists(shot),
           "a screenshot of that report is kept: %s" % shot)


def test_failed_runs(browser):
    """A run that failed (not the vendor's file: 65) and one cut short (the
    import's process group sent SIGTERM) still get their report."""
    data = os.path.join(TMP, "failed-data")
    env = dict(os.environ, SLUICE_DATA=data, BIN=BIN, SLUICE_PROGRESS="0")
    other = os.path.join(ROOT, "vendors/rock-the-vote/sample.csv")
    p = subprocess.run([os.path.join(ROOT, "pipelines/import.sh"),
                        "--offline", "turbovote", other],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       env=env, timeout=300)
    runs = os.path.join(data, "runs/turbovote")
    run = os.path.join(runs, sorted(os.listdir(runs))[-1])
    rc, out, _ = chromium(browser, "file://" + run + "/report.html",
                          "--dump-dom")
    dom = parse_dom(out)
    report(p.returncode == 65 and dom.k.get("exit") == "65" and
           dom.k.get("exit.shape") == "65",
           "a run that failed (another vendor's file: 65) has its report, "
           "which says so", "exit %d; DOM exit %r" % (
               p.returncode, dom.k.get("exit")))
    # A long export, so that the import is still running when stopped.
    big = os.path.join(TMP, "big.csv")
    bad_export(big, 150000, 0)
    proc = subprocess.Popen([os.path.join(ROOT, "pipelines/import.sh"),
                             "--offline", "turbovote", big],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)
    before = set(os.listdir(runs))
    for _ in range(200):
        if set(os.listdir(runs)) - before or proc.poll() is not None:
            break
        time.sleep(0.02)
    time.sleep(0.3)
    cut = proc.poll() is None
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    proc.wait(120)
    new = sorted(set(os.listdir(runs)) - before)
    if not cut or not new:
        print("skip - a run cut short: the import ended before it was "
              "stopped")
        return
    run = os.path.join(runs, new[-1])
    rc, out, _ = chromium(browser, "file://" + run + "/report.html",
                          "--dump-dom")
    _, index, _ = chromium(browser, "file://" + data + "/index.html",
                           "--dump-dom")
    report(proc.returncode == 143 and
           not os.path.exists(os.path.join(run, "summary.txt")) and
           "left no summary" in out and
           re.search(r'data-run="runs/turbovote/%s">.*?no summary' % new[-1],
                     index),
           "a run cut short (SIGTERM) has its report, which says that it "
           "left no summary, and the index says so too",
           "exit %s" % proc.returncode)


def main():
    browser = find_chromium()
    if browser is None:
        print("skip - report-browser: no headless Chromium installed "
              "(apt-get install chromium-headless-shell)")
        return 0
    probe = os.path.join(TMP, "probe.html")
    open(probe, "w").write("<!DOCTYPE html><p id=x>probe</p>")
    rc, out, _ = chromium(browser, "file://" + probe, "--dump-dom",
                          timeout=60)
    if rc != 0 or "probe" not in out:
        print("skip - report-browser: %s cannot run here (exit %s)" %
              (browser, rc))
        return 0
    for test in (test_demo, test_many_rejects, test_failed_runs):
        try:
            test(browser)
        except Exception as e:  # a crash of the test is a failure
            report(False, "%s ran to the end" % test.__name__, repr(e))
    return 1 if delivery.failures else 0


sys.exit(main())
