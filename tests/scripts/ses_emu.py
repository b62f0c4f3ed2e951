"""The SES-shaped emulator (tests/servers/emu_ses.py) as the mail tests start
it: a folder of its own under the test's TMPDIR (port file, request log),
the sample mailing's template, and the flags a test adds (rates, faults,
--secret, --sent). post-mail.py and panel.py share it."""
import collections
import json
import os
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
TEMPLATE = os.path.join(ROOT, "mailings/sample/template.json")


class Emu:
    def __init__(self, tmp, name, *args):
        self.dir = os.path.join(tmp, name)
        os.makedirs(self.dir, exist_ok=True)
        port = os.path.join(self.dir, "port")
        if os.path.exists(port):
            os.unlink(port)
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests/servers/emu_ses.py"),
             "--port-file", port, "--log", os.path.join(self.dir, "log"),
             "--template", "panel-invitation=" + TEMPLATE] + list(args),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        for _ in range(400):
            if os.path.exists(port):
                break
            time.sleep(0.05)
        self.url = "http://127.0.0.1:%s" % open(port).read().strip()

    def get(self, what):
        """The emulator's /_emu/WHAT (sent, stats), as JSON."""
        with urllib.request.urlopen(self.url + "/_emu/" + what) as r:
            return json.load(r)

    def sent(self):
        """How many messages each address was sent."""
        return collections.Counter(m["to"] for m in self.get("sent"))

    def log(self):
        """The requests it logged, whole lines only."""
        with open(os.path.join(self.dir, "log")) as f:
            return [json.loads(line) for line in f if line.endswith("\n")]

    def stop(self):
        self.proc.terminate()
        self.proc.wait()
