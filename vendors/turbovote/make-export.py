#!/usr/bin/env python3
"""Write a synthetic TurboVote "user export" CSV to stdout: the big exports
of the benchmarks (bench/), where make-sample.py beside this file writes the
small sample.csv.

The file has the 29 columns of a real export, in their order, with values
shaped like the real ones (ids, referral codes, timestamps, statuses) and the
mess real exports carry in a few percent of rows: fields that need quoting
(commas, doubled quotes), newlines inside an address field, UTF-8 names and
empty optional fields. About 300 bytes a row, so 1M rows is about 300 MB;
no padding: realistic values alone come out that long.

The output depends only on --seed and --rows (not on --jobs), so a benchmark
can cache it. Rows are built in batches of 10,000, column by column, and the
batches are rendered by a pool of processes, because the csv module alone
takes about 15 us a row. A million rows take about 40 s on one core, 25 s on
two. Standard library only.

With --quoted every row's referral code is one of the shapes holding a
comma, so every row quotes at least one field: the common case of a real
export, which bench/csv-quoted.sh times.

Usage: vendors/turbovote/make-export.py [--rows N] [--seed S] [--jobs J] [--quoted] > export.csv
"""

import argparse
import csv
import io
import multiprocessing
import os
import random
import sys
import time

# The columns of a real export, in their order; make-sample.py takes them
# from here.
HEADER = [
    "id", "first-name", "middle-name", "last-name", "phone", "email",
    "registered-address-street", "registered-address-street-2",
    "registered-address-city", "registered-address-state",
    "registered-address-zip", "mailing-address-street",
    "mailing-address-street-2", "mailing-address-city",
    "mailing-address-state", "mailing-address-zip", "dob",
    "language-preference", "hostname", "referral-code",
    "partner-comms-opt-in", "created-at", "updated-at",
    "voter-registration-status", "voter-registration-source",
    "voter-registration-method", "voting-method-preference",
    "email subscribed", "sms subscribed",
]

BATCH = 10000

FIRST = """James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth
William Barbara Richard Susan Joseph Jessica Thomas Sarah Charles Karen
Christopher Lisa Daniel Nancy Matthew Betty Anthony Margaret Mark Sandra
Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle Kenneth
Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald
Stephanie Jason Rebecca Edward Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen
Gary Amy Nicholas Angela Eric Shirley Jonathan Anna Stephen Brenda Larry Pamela
Justin Emma Scott Nicole Brandon Helen Benjamin Samantha Samuel Katherine
Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond Janet
Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie
Adam Olivia Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter
Lauren Kyle Christina Ethan Joan Walter Evelyn Noah Judith Jeremy Megan
Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline Gerald Martha
Harold Gloria Sean Teresa Austin Ann Carl Sara Arthur Madison Lawrence Frances
Dylan Kathryn Jesse Janice Jordan Jean Bryan Abigail Billy Alice Joe Julia
Bruce Judy Gabriel Sophia Logan Grace Albert Denise Willie Amber Alan Doris
Juan Marilyn Wayne Danielle Elijah Beverly Randy Isabella Roy Theresa Vincent
Diana Ralph Natalie Eugene Brittany Russell Charlotte Bobby Marie Mason Kayla
Philip Alexis Louis Lori Aaliyah DeShawn Imani Jamal Keisha Tyrone Latoya
Darnell Priya Arjun Wei Mei Hiroshi Yuki Fatima Omar Aisha Mohammed""".split()

# A few percent of names are not ASCII, as in any real export.
FIRST_UTF8 = ["José", "Zoë", "Chloé", "Renée", "Björn", "Søren", "Łukasz",
              "François", "Inés", "Nguyễn Văn", "李", "王芳", "Dương", "Ðức",
              "Mårten", "Zoë-Jane", "Ana María", "Jürgen", "Siân", "Ayşe"]

LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee
Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young
Allen King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall
Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez
Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward
Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes
Price Alvarez Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell
Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales
Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds
Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina
Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald
Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman
Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder
Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose
Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols
Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins
Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight Elliott
Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray
Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Willis Carpenter
Lawrence Sandoval O'Brien O'Connor D'Angelo Van-Dyke""".split()

LAST_UTF8 = ["Nguyễn", "Trần", "Lê", "Phạm", "李", "王", "张", "Müller",
             "Gómez", "Muñoz", "Peña", "Ibáñez", "Kowalczyk-Łuczak", "Øster",
             "Sørensen", "Đặng", "Nuñez", "Björk", "Çelik", "Şahin"]

MIDDLE = list("ABCDEFGHJKLMNPRSTW") + ["Marie", "Lynn", "Ann", "Lee",
                                       "James", "Michael", "Rose", "Jean"]

STREET_NAMES = """Main Oak Pine Maple Cedar Elm Washington Lake Hill Park Sunset
Lincoln Jackson Church Highland Willow Franklin Meadow Ridge Spring Forest
Chestnut Walnut Madison Jefferson Adams Center Lakeview River Mill Dogwood
Magnolia Cherry Hickory Sycamore Birch Laurel Valley Spruce Poplar Cypress
Juniper Locust Jefferson-Davis Martin-Luther-King-Jr Old-Mill-Pond
North-Fork-Shenandoah Avenida-de-los-Arboles Rancho-Bernardo
Boulevard-of-the-Allies""".split()

STREET_TYPES = ["St", "Ave", "Rd", "Blvd", "Dr", "Ln", "Ct", "Way", "Pl",
                "Terrace", "Parkway", "Circle", "Highway", "Street", "Avenue",
                "Road"]

UNITS = ["Apt 1", "Apt 2B", "Apt 304", "Unit 12", "Ste 100", "#5", "Apt 7F",
         "Unit B", "Room 214", "Box 1187", "Floor 3", "PMB 442"]

# City, state, and the first three digits of a plausible zip.
PLACES = [
    ("New York", "NY", "100"), ("Brooklyn", "NY", "112"),
    ("Los Angeles", "CA", "900"), ("San Francisco", "CA", "941"),
    ("Oakland", "CA", "946"), ("Chicago", "IL", "606"),
    ("Houston", "TX", "770"), ("Austin", "TX", "787"),
    ("San Antonio", "TX", "782"), ("Phoenix", "AZ", "850"),
    ("Philadelphia", "PA", "191"), ("Pittsburgh", "PA", "152"),
    ("San Diego", "CA", "921"), ("Dallas", "TX", "752"),
    ("Jacksonville", "FL", "322"), ("Miami", "FL", "331"),
    ("Orlando", "FL", "328"), ("Columbus", "OH", "432"),
    ("Charlotte", "NC", "282"), ("Indianapolis", "IN", "462"),
    ("Seattle", "WA", "981"), ("Denver", "CO", "802"),
    ("Washington", "DC", "200"), ("Boston", "MA", "021"),
    ("Cambridge", "MA", "021"), ("Nashville", "TN", "372"),
    ("Detroit", "MI", "482"), ("Portland", "OR", "972"),
    ("Las Vegas", "NV", "891"), ("Memphis", "TN", "381"),
    ("Louisville", "KY", "402"), ("Baltimore", "MD", "212"),
    ("Milwaukee", "WI", "532"), ("Albuquerque", "NM", "871"),
    ("Tucson", "AZ", "857"), ("Atlanta", "GA", "303"),
    ("Raleigh", "NC", "276"), ("Omaha", "NE", "681"),
    ("Minneapolis", "MN", "554"), ("New Orleans", "LA", "701"),
    ("Salt Lake City", "UT", "841"), ("Anchorage", "AK", "995"),
    ("Honolulu", "HI", "968"), ("Burlington", "VT", "054"),
    ("Providence", "RI", "029"), ("Des Moines", "IA", "503"),
    ("Boise", "ID", "837"), ("Cheyenne", "WY", "820"),
    ("San Juan", "PR", "009"), ("Coeur d'Alene", "ID", "838"),
    ("Española", "NM", "875"), ("Cañon City", "CO", "812"),
]

EMAIL_DOMAINS = ["gmail.com"] * 8 + ["yahoo.com"] * 3 + [
    "hotmail.com", "outlook.com", "aol.com", "icloud.com", "comcast.net",
    "students.example.edu", "mail.example.org", "protonmail.com"]

HOSTNAMES = ["plus1thevote.turbovote.org"] * 4 + [
    "dosomething.turbovote.org", "dosomething.turbovote.org",
    "vote.dosomething.org", "turbovote.org", "vote.turbovote.org",
    "nyu.turbovote.org", "umich.turbovote.org", "ucla.turbovote.org",
    "whenweallvote.turbovote.org", "rockthevote.turbovote.org"]

STATUSES = ["registered"] * 5 + ["initiated"] * 3 + ["pending"] * 2 + [
    "unknown", "unknown", "ineligible", "not-required"]
REG_SOURCES = ["turbovote"] * 4 + ["ovr", "state", "partner", ""]
REG_METHODS = ["online"] * 3 + ["by-mail"] * 2 + [""] * 2
VOTE_METHODS = ["in-person", "in-person", "by-mail", "early", ""]
LANGS = ["en"] * 12 + ["es", "es", "zh", ""]
BOOLS = ["true", "false"]
OPT_IN = ["true", "false", "false", ""]

SOURCES = ["email", "email", "sms", "web", "social", "facebook", "twitter",
           "partner", "voter-reg-drive"]
SOURCE_DETAILS = ["newsletter", "newsletter_bdaytrigger", "onboarding",
                  "broadcast_0417", "ads_voter_reg", "tmi_landing",
                  "CTA_football", "fb_post_04_2018", "", "share-modal"]

# Real exports lose the user's browser into a free-text field now and then:
# about 1% of referral codes carry one of these, the longest fields in the file.
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 11_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/11.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/67.0.3396.99 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 8.0.0; SM-G950U) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/68.0.3440.91 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/11.1.2 Safari/605.1.15",
]

T_START = 1451606400  # 2016-01-01T00:00:00Z
SPAN = 5 * 365 * 86400  # created-at falls in 2016 .. 2020
DOB_START = -1262304000  # 1930-01-01
DOB_DAYS = 75 * 365


def day_strings(start, ndays, fmt):
    return [time.strftime(fmt, time.gmtime(start + d * 86400))
            for d in range(ndays)]


# Dates and times of day formatted once, not once per row: strftime on every
# timestamp would be a third of the run time.
DAYS = day_strings(T_START, SPAN // 86400 + 400, "%Y-%m-%dT")
DOBS = day_strings(DOB_START, DOB_DAYS, "%Y-%m-%d")
CLOCK = ["%02d:%02d:%02dZ" % (s // 3600, s // 60 % 60, s % 60)
         for s in range(86400)]


class Gen:
    """Makes one batch of rows. Each column is drawn for the whole batch at
    once, then a few percent of its cells are made messy. Every batch has
    its own generator, seeded from (seed, batch number), so the output does
    not depend on how many processes made it, and the first K batches of a
    big file are a smaller file with the same seed."""

    def __init__(self, seed, batch_no, quoted=False):
        self.rng = random.Random("%d:%d" % (seed, batch_no))
        self.quoted = quoted
        rng = self.rng
        # Nine short columns (language, hostname, opt-in, the four status
        # columns and the two subscription flags) are drawn together, as one
        # tuple from a pool made per batch: one draw a row instead of nine.
        self.tails = list(zip(*(rng.choices(pool, k=4096) for pool in (
            LANGS, HOSTNAMES, OPT_IN, STATUSES, REG_SOURCES, REG_METHODS,
            VOTE_METHODS, BOOLS, BOOLS))))

    def col(self, pool, n):
        return self.rng.choices(pool, k=n)

    def ints(self, lo, hi, n):
        r, span = self.rng.random, hi - lo + 1
        return [lo + int(r() * span) for _ in range(n)]

    def mess(self, cells, share, fn):
        """Replace a share of cells (chosen at random) with fn(cell)."""
        for i in self.rng.sample(range(len(cells)), int(len(cells) * share)):
            cells[i] = fn(cells[i])

    def streets(self, n):
        rng = self.rng
        s = ["%d %s %s" % t for t in zip(self.ints(1, 9999, n),
                                         self.col(STREET_NAMES, n),
                                         self.col(STREET_TYPES, n))]
        self.mess(s, 0.03, lambda v: "%s, %s" % (v, rng.choice(UNITS)))
        self.mess(s, 0.01, lambda v: 'The "%s" Building, %s' % (
            rng.choice(STREET_NAMES), v))
        return s

    def streets2(self, n):
        rng = self.rng
        s = self.col(UNITS + [""] * 28, n)
        # The worst of the mess: line breaks inside a quoted field.
        self.mess(s, 0.01, lambda v: "%s\nc/o %s" % (
            v or rng.choice(UNITS), rng.choice(LAST)))
        self.mess(s, 0.003, lambda v: '%s\r\nattn: "front desk"' % (
            v or rng.choice(UNITS)))
        return s

    def names(self, plain, utf8, n):
        s = self.col(plain, n)
        self.mess(s, 0.03, lambda v: self.rng.choice(utf8))
        return s

    def phones(self, n):
        fmts = [""] * 3 + ["%d%d%04d"] * 8 + ["(%d) %d-%04d"] * 6 + \
            ["+1 %d-%d-%04d"] * 3
        return [f % (a, b, c) if f else "" for f, a, b, c in zip(
            self.col(fmts, n), self.ints(201, 989, n), self.ints(200, 999, n),
            self.ints(0, 9999, n))]

    def emails(self, first, last, n):
        shapes = ["%s.%s%d", "%s%s%d", "%s_%s%d"]
        out = []
        for f, l, k, shape, d in zip(first, last, self.ints(1, 99, n),
                                     self.col(shapes, n),
                                     self.col(EMAIL_DOMAINS, n)):
            local = shape % (f, l, k)
            if not local.isascii() or not local.replace(".", "").replace(
                    "_", "").isalnum():
                local = "".join(c for c in local if c.isascii() and (
                    c.isalnum() or c in "._")) or "voter"
            out.append("%s@%s" % (local.lower(), d))
        return out

    def timestamps(self, n):
        """created-at and updated-at, the second a while after the first."""
        ex, last = self.rng.expovariate, len(DAYS) - 1
        created, updated = [], []
        for t in self.ints(0, SPAN - 1, n):
            u = t + int(ex(1 / (30 * 86400.0)))
            created.append(DAYS[t // 86400] + CLOCK[t % 86400])
            updated.append(DAYS[min(u // 86400, last)] + CLOCK[u % 86400])
        return created, updated

    def referral(self):
        """A referral code in one of the shapes seen in real exports."""
        rng = self.rng
        shape = rng.random()
        if self.quoted:
            # --quoted: only the shapes with a comma, in their proportions.
            shape *= 0.40
        if shape >= 0.51:
            return ""
        user = "%024x" % rng.getrandbits(96)
        camp = 1000 + int(rng.random() * 9000)
        src = rng.choice(SOURCES)
        if shape < 0.22:
            return ("user:%s,campaignID:%d,campaignRunID:%d,source:%s,"
                    "source_details:%s" % (user, camp, camp + 5, src,
                                           rng.choice(SOURCE_DETAILS)))
        if shape < 0.32:
            return "user:%s,campaignID:%d,campaignRunID:%d,source:%s" % (
                user, camp, camp + 3, src)
        if shape < 0.40:
            return "user:%s,source:%s" % (user, src)
        if shape < 0.46:
            return "user:%s" % user
        if shape < 0.49:
            return "campaignID:%d,source:web" % camp
        if shape < 0.50:
            return "user:null,campaignID:%d,source:%s" % (camp, src)
        return "friend:%s" % user[:8]

    def referrals(self, n):
        s = [self.referral() for _ in range(n)]
        # A browser string pasted into the referral code, as in the wild.
        self.mess(s, 0.01, lambda v: (v + "," if v else "") + "ua:" +
                  self.rng.choice(USER_AGENTS))
        return s

    def address(self, n, zips, units):
        """Five address columns: street, street 2, city, state, zip. zips
        turns a place's three-digit zip prefix into a whole zip code."""
        places = self.col(PLACES, n)
        return [self.streets(n), units,
                [p[0] for p in places], [p[1] for p in places],
                zips([p[2] for p in places])]

    def zip5(self, prefixes):
        return ["%s%02d" % (p, a) for p, a in zip(
            prefixes, self.ints(0, 99, len(prefixes)))]

    def zip9(self, prefixes):
        n = len(prefixes)
        return ["%s%02d-%04d" % t for t in zip(
            prefixes, self.ints(0, 99, n), self.ints(0, 9999, n))]

    def addresses(self, n):
        """Registered and mailing address. Most mailing addresses are
        empty; 12% repeat the registered one, 8% are elsewhere."""
        reg = self.address(n, self.zip5, self.streets2(n))
        mail = [[""] * n for _ in range(5)]
        rows = self.rng.sample(range(n), n // 5)
        same, elsewhere = rows[:n * 12 // 100], rows[n * 12 // 100:]
        other = self.address(len(elsewhere), self.zip9,
                             self.col(UNITS + [""] * 36, len(elsewhere)))
        for c in range(5):
            for i in same:
                mail[c][i] = reg[c][i]
            for j, i in enumerate(elsewhere):
                mail[c][i] = other[c][j]
        return reg + mail

    def batch(self, n):
        """n rows, as tuples of the 29 columns in header order."""
        rng = self.rng
        ids = ["%024x" % rng.getrandbits(96) for _ in range(n)]
        first = self.names(FIRST, FIRST_UTF8, n)
        last = self.names(LAST, LAST_UTF8, n)
        emails = self.emails(first, last, n)
        self.mess(first, 0.005, lambda v: '%s "%s"' % (v, v[:3]))
        dobs = self.col(DOBS, n)
        self.mess(dobs, 0.05, lambda v: "")
        created, updated = self.timestamps(n)
        tails = self.col(self.tails, n)
        cols = [ids, first, self.col(MIDDLE + [""] * 48, n), last,
                self.phones(n), emails] + self.addresses(n) + [
            dobs, [t[0] for t in tails], [t[1] for t in tails],
            self.referrals(n), [t[2] for t in tails], created, updated]
        return [a + b[3:] for a, b in zip(zip(*cols), tails)]


def render(job):
    """The CSV text of one batch, as UTF-8 bytes."""
    seed, batch_no, n, quoted = job
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(
        Gen(seed, batch_no, quoted).batch(n))
    return text.getvalue().encode("utf-8")


def main():
    ap = argparse.ArgumentParser(
        description="Write a synthetic TurboVote user export CSV to stdout.")
    ap.add_argument("--rows", type=int, default=1000000,
                    help="data rows to write (default 1000000)")
    ap.add_argument("--seed", type=int, default=1,
                    help="random seed (default 1)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="processes making batches (default: one a CPU); "
                    "the output is the same for any number")
    ap.add_argument("--quoted", action="store_true",
                    help="every row's referral code holds a comma, so "
                    "every row quotes a field (as in TurboVote's real "
                    "exports); without it about half the rows have one")
    args = ap.parse_args()
    if args.rows < 0 or args.jobs < 1:
        ap.error("--rows must be >= 0 and --jobs >= 1")

    jobs = [(args.seed, b, min(BATCH, args.rows - b * BATCH), args.quoted)
            for b in range((args.rows + BATCH - 1) // BATCH)]
    out = sys.stdout.buffer
    head = io.StringIO()
    csv.writer(head, lineterminator="\r\n").writerow(HEADER)
    out.write(head.getvalue().encode("utf-8"))
    if args.jobs == 1 or len(jobs) < 2:
        for job in jobs:
            out.write(render(job))
    else:
        # imap keeps the batches in order; the csv module is the slow part
        # (about 15 us a row), so it runs in the workers too.
        with multiprocessing.Pool(args.jobs) as pool:
            for chunk in pool.imap(render, jobs):
                out.write(chunk)
    out.flush()


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        # "gen | head" is fine; do not print a traceback.
        sys.stderr.close()
        sys.exit(0)
