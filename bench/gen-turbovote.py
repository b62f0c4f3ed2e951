#!/usr/bin/env python3
"""Write a synthetic TurboVote "user export" CSV to stdout.

The file has the 29 columns of a real export, in their order, with values
shaped like the real ones (ids, referral codes, timestamps, statuses) and the
mess real exports carry in a few percent of rows: fields that need quoting
(commas, doubled quotes), newlines inside an address field, UTF-8 names and
empty optional fields. About 250 bytes a row, so 1M rows is about 250 MB.

The output depends only on --seed and --rows, so a benchmark can cache it.
Rows are built a batch at a time, column by column, which keeps a million
rows well under a minute in plain CPython. Standard library only.

Usage: bench/gen-turbovote.py [--rows N] [--seed S] > export.csv
"""

import argparse
import csv
import random
import sys
import time

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
# user agents are the realistic long values used to reach ~250 bytes a row.
USER_AGENTS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 11_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/11.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/67.0.3396.99 Safari/537.36",
    "Mozilla/5.0 (Linux; Android 8.0.0; SM-G950U) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/68.0.3440.91 Mobile Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_13_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/11.1.2 Safari/605.1.15",
]

T_START = 1451606400  # 2016-01-01T00:00:00Z
T_END = 1609459199    # 2020-12-31T23:59:59Z


def pick(rng, pool, n):
    """n values drawn from pool, with replacement."""
    return rng.choices(pool, k=n)


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def hex_id(rng):
    return "%024x" % rng.getrandbits(96)


def referral(rng):
    """A referral code in one of the shapes seen in real exports."""
    shape = rng.random()
    user = hex_id(rng)
    camp = rng.randint(1000, 9999)
    if shape < 0.45:
        return ("user:%s,campaignID:%d,campaignRunID:%d,source:%s,"
                "source_details:%s" % (user, camp, camp + rng.randint(1, 30),
                                       rng.choice(SOURCES),
                                       rng.choice(SOURCE_DETAILS)))
    if shape < 0.65:
        return "user:%s,campaignID:%d,campaignRunID:%d,source:%s" % (
            user, camp, camp + rng.randint(1, 30), rng.choice(SOURCES))
    if shape < 0.75:
        return "user:%s,source:%s" % (user, rng.choice(SOURCES))
    if shape < 0.80:
        return "user:%s" % user
    if shape < 0.83:
        return "campaignID:%d,source:web" % camp
    if shape < 0.85:
        return "user:null,campaignID:%d,source:%s" % (camp,
                                                      rng.choice(SOURCES))
    if shape < 0.86:
        return "friend:%s" % user[:8]
    return ""


def street(rng):
    """A street line; long names on purpose, commas and quotes sometimes."""
    s = "%d %s %s" % (rng.randint(1, 99999), rng.choice(STREET_NAMES),
                      rng.choice(STREET_TYPES))
    mess = rng.random()
    if mess < 0.03:
        s += ", " + rng.choice(UNITS)
    elif mess < 0.04:
        s = 'The "%s" Building, %s' % (rng.choice(STREET_NAMES), s)
    return s


def street2(rng):
    r = rng.random()
    if r < 0.70:
        return ""
    if r < 0.98:
        return rng.choice(UNITS)
    # The mess: an address line with a newline, and sometimes a quote.
    if r < 0.99:
        return "%s\nc/o %s" % (rng.choice(UNITS), rng.choice(LAST))
    return '%s\r\nattn: "front desk"' % rng.choice(UNITS)


def name(rng, plain, utf8):
    return rng.choice(utf8) if rng.random() < 0.03 else rng.choice(plain)


def phone(rng):
    r = rng.random()
    a, b, c = rng.randint(201, 989), rng.randint(200, 999), \
        rng.randint(0, 9999)
    if r < 0.15:
        return ""
    if r < 0.55:
        return "%d%d%04d" % (a, b, c)
    if r < 0.85:
        return "(%d) %d-%04d" % (a, b, c)
    return "+1 %d-%d-%04d" % (a, b, c)


def email(rng, first, last):
    local = "%s.%s%d" % (first, last, rng.randint(0, 999))
    local = local.lower().encode("ascii", "ignore").decode() or "voter"
    local = local.replace(" ", "").replace("'", "")
    return "%s@%s" % (local, rng.choice(EMAIL_DOMAINS))


def dob(rng):
    t = rng.randint(-1262304000, 1104537600)  # 1930 .. 2005
    if rng.random() < 0.05:
        return ""
    return time.strftime("%Y-%m-%d", time.gmtime(t))


def row(rng):
    """One export row, as a list of 29 strings."""
    first = name(rng, FIRST, FIRST_UTF8)
    last = name(rng, LAST, LAST_UTF8)
    middle = rng.choice(MIDDLE) if rng.random() < 0.35 else ""
    if rng.random() < 0.005:
        first = '%s "%s"' % (first, first[:3])  # nickname in quotes
    city, state, zip3 = rng.choice(PLACES)
    zipc = "%s%02d" % (zip3, rng.randint(0, 99))
    reg = [street(rng), street2(rng), city, state, zipc]
    r = rng.random()
    if r < 0.55:
        mail = ["", "", "", "", ""]
    elif r < 0.85:
        mail = list(reg)
    else:
        m_city, m_state, m_zip3 = rng.choice(PLACES)
        mail = [street(rng), street2(rng), m_city, m_state,
                "%s%02d-%04d" % (m_zip3, rng.randint(0, 99),
                                 rng.randint(0, 9999))]
    created = rng.randint(T_START, T_END)
    updated = created + int(rng.expovariate(1 / 86400.0 / 30))
    ref = referral(rng)
    if rng.random() < 0.02:
        # A browser string pasted into the referral code, as in the wild.
        ref = (ref + "," if ref else "") + "ua:" + rng.choice(USER_AGENTS)
    return [hex_id(rng), first, middle, last, phone(rng),
            email(rng, first, last)] + reg + mail + [
        dob(rng), rng.choice(LANGS), rng.choice(HOSTNAMES), ref,
        rng.choice(OPT_IN), iso(created), iso(min(updated, T_END + 86400)),
        rng.choice(STATUSES), rng.choice(REG_SOURCES),
        rng.choice(REG_METHODS), rng.choice(VOTE_METHODS),
        rng.choice(BOOLS), rng.choice(BOOLS)]


def main():
    ap = argparse.ArgumentParser(
        description="Write a synthetic TurboVote user export CSV to stdout.")
    ap.add_argument("--rows", type=int, default=1000000,
                    help="data rows to write (default 1000000)")
    ap.add_argument("--seed", type=int, default=1,
                    help="random seed (default 1)")
    args = ap.parse_args()
    if args.rows < 0:
        ap.error("--rows must be >= 0")

    out = open(sys.stdout.fileno(), "w", encoding="utf-8", newline="",
               buffering=1 << 20, closefd=False)
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(HEADER)
    rng = random.Random(args.seed)
    left = args.rows
    while left > 0:
        n = min(BATCH, left)
        w.writerows([row(rng) for _ in range(n)])
        left -= n
    out.flush()


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        # "gen | head" is fine; do not print a traceback.
        sys.stderr.close()
        sys.exit(0)
