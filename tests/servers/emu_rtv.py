"""The emulator's Rock the Vote part: the partner API v4 registrant reports.

A mixin of tests/servers/emulator.py's Emulator (which composes it with the
Northstar and Rogue parts and holds the HTTP server, routing, faults and
shared helpers): the reports (kept in memory), their routes, their
dispatch, the run-time settings rtv_fail_reports and rtv_report_polls, and
the --rtv-* options. tests/servers/README.md states the contract.
"""
import csv
import io
import os
from urllib.parse import parse_qsl, unquote

from emulator import ApiError, BadBody, RawBody

# Settings of the report API, switchable at run time like the faults.
RTV_SETTINGS = ("rtv_fail_reports", "rtv_report_polls")
RTV_KEY_PARAM = "partner_API_key"
RTV_BAD_CREDENTIALS = "Invalid partner ID or API key."
# The header of a registrant report (as Rock the Vote sends it; see
# vendors/rock-the-vote/README.md) and a few synthetic rows, served when no
# --rtv-report-csv is given.
RTV_COLUMNS = [
    "Status", "Tracking Source", "Tracking ID", "Open Tracking ID",
    "Language", "Date of birth", "Email address", "US citizen?",
    "Salutation", "First name", "Middle name", "Last name", "Name suffix",
    "Home address", "Home unit", "Home city", "Home County", "Home state",
    "Home zip code", "Has mailing address?", "Mailing address",
    "Mailing unit", "Mailing city", "Mailing County", "Mailing state",
    "Mailing zip code", "Party", "Race", "Phone", "Phone type",
    "Opt-in to RTV email?", "Opt-in to RTV sms?", "Opt-in to Partner email?",
    "Opt-in to Partner SMS/robocall", "Survey question 1",
    "Survey answer 1", "Survey question 2", "Survey answer 2",
    "Volunteer for RTV", "Volunteer for partner", "Ineligible reason",
    "Pre-Registered", "Started registration", "Finish with State",
    "Built via API", "Has State License", "Has SSN",
    "Submitted Via State API", "Submitted Via State API Status"]
RTV_ROWS = [
    # Status, Tracking Source, Email, First, Last, Home address, unit, city,
    # state, zip, Phone, Partner email?, Partner SMS, Pre-Registered,
    # Started registration, Finish with State
    ("Complete", "user:5552aa34469c64ec7d8b715b,source:email",
     "ada@example.org", "Ada", "Lovelace", "1 Main St", "", "Austin", "TX",
     "73301", "212-254-2390", "Yes", "Yes", "No",
     "2020-03-08 00:56:02 -0400", "Yes"),
    ("Complete", "source:web,source_details:hero",
     "grace@example.org", "Grace", "Hopper", "2 Elm St, Apt 3", "3B",
     "Arlington", "VA", "22201", "", "No", "No", "No",
     "2020-03-08 01:10:45 -0400", "No"),
    ("Step 1", "", "step1@example.org", "", "", "", "", "", "", "10001",
     "000-000-0000", "No", "No", "No", "2020-03-08 01:20:00 -0400", "No"),
    ("Step 2", "user=5552aa34469c64ec7d8b715c,referral=true",
     "rene@example.org", "Ren\u00e9", "D\u00fcrer", "5 Quai \"Ouest\"", "",
     "New Orleans", "LA", "70112", "787 249 13", "y", "n", "No",
     "2020-03-08 01:31:17 -0400", "No"),
    ("Rejected", "group_id:42", "rejected@example.org", "Rex", "Jones",
     "9 Oak Ave", "", "Denver", "CO", "80202", "303-555-0199", "Yes", "No",
     "No", "2020-03-08 01:45:00 -0400", "No"),
    ("Under 18", "source:sms", "teen@example.org", "Tia", "Young",
     "7 Pine Rd", "", "Portland", "OR", "97201", "503-555-0142", "No", "Yes",
     "Yes", "2020-03-08 01:50:09 -0400", "No"),
]


def rtv_builtin_csv():
    """The built-in report: the header and RTV_ROWS, LF line ends."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RTV_COLUMNS)
    index = {name: i for i, name in enumerate(RTV_COLUMNS)}
    used = ("Status", "Tracking Source", "Email address", "First name",
            "Last name", "Home address", "Home unit", "Home city",
            "Home state", "Home zip code", "Phone",
            "Opt-in to Partner email?", "Opt-in to Partner SMS/robocall",
            "Pre-Registered", "Started registration", "Finish with State")
    for n, values in enumerate(RTV_ROWS):
        row = [""] * len(RTV_COLUMNS)
        for name, value in zip(used, values):
            row[index[name]] = value
        row[index["Tracking ID"]] = "rtv-%06d" % (n + 1)
        row[index["Language"]] = "English"
        row[index["Date of birth"]] = "01/02/2000"
        row[index["US citizen?"]] = "Yes"
        row[index["Has mailing address?"]] = "No"
        row[index["Phone type"]] = "Mobile" if values[10] else ""
        row[index["Built via API"]] = "No"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def csv_records(stream):
    """The data records (the header row not counted) of a CSV file."""
    text = io.TextIOWrapper(stream, encoding="latin-1", newline="")
    return max(0, sum(1 for _ in csv.reader(text)) - 1)


def redact_query(query):
    """The query string with the RTV API key's value hidden, for the log."""
    if RTV_KEY_PARAM not in query:
        return query
    return "&".join(RTV_KEY_PARAM + "=REDACTED"
                    if part.split("=", 1)[0] == RTV_KEY_PARAM else part
                    for part in query.split("&"))


def rtv_setting(key, value):
    """A run-time setting's new value (POST /_emulator/faults), or BadBody."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadBody("%s must be a non-negative integer" % key)
    return value


# (methods, pattern, handler name, api, scopes needed): partner credentials
# in the body or query, no token.
RTV_ROUTES = [
    (("POST",), r"/api/v4/registrant_reports", "rtv_create", "rtv", ()),
    (("GET",), r"/api/v4/registrant_reports/(?P<id>[^/]+)", "rtv_status",
     "rtv", ()),
    (("GET",), r"/api/v4/registrant_reports/(?P<id>[^/]+)/download",
     "rtv_download", "rtv", ()),
]


def add_arguments(p):
    """The --rtv-* options, on the emulator's argument parser."""
    p.add_argument("--rtv-partner-id",
                   default=os.environ.get("RTV_PARTNER_ID",
                                          "sluice-partner"))
    p.add_argument("--rtv-api-key",
                   default=os.environ.get("RTV_PARTNER_API_KEY",
                                          "sluice-rtv-key"))
    p.add_argument("--rtv-report-polls", type=int, default=2,
                   help="status polls until a report is complete")
    p.add_argument("--rtv-fail-reports", type=int, default=0,
                   help="the next N reports end in status failed")
    p.add_argument("--rtv-report-csv",
                   help="the CSV every report serves (default: built in)")


def check_arguments(p, opts):
    """Refuses (p.error) what the --rtv-* options cannot take."""
    if opts.rtv_report_polls < 0 or opts.rtv_fail_reports < 0:
        p.error("--rtv-report-polls and --rtv-fail-reports take N >= 0")


class RtvMixin:
    """The reports of an Emulator (self.lock guards them)."""

    def init_rtv(self, opts):
        self.rtv_partner_id = opts.rtv_partner_id
        self.rtv_api_key = opts.rtv_api_key
        self.rtv = {"rtv_fail_reports": opts.rtv_fail_reports,
                    "rtv_report_polls": opts.rtv_report_polls}
        self.rtv_reports = {}  # id -> report, in creation order
        self.rtv_next_id = 1
        self.rtv_csv_path = opts.rtv_report_csv
        if self.rtv_csv_path:
            with open(self.rtv_csv_path, "rb") as f:
                self.rtv_records = csv_records(f)
        else:
            self.rtv_csv = rtv_builtin_csv()
            self.rtv_records = csv_records(io.BytesIO(self.rtv_csv))

    def rtv_snapshot(self):
        with self.lock:
            return dict(self.rtv)

    def rtv_credentials_ok(self, fields, query):
        """The partner id and key: in the body (create) or the query."""
        if fields.get(RTV_KEY_PARAM) is None:
            fields = dict(parse_qsl(query, keep_blank_values=True))
        return (fields.get("partner_id") == self.rtv_partner_id and
                fields.get(RTV_KEY_PARAM) == self.rtv_api_key)

    @staticmethod
    def rtv_public(report):
        return {k: report[k] for k in ("id", "since", "before", "status",
                                       "polls", "record_count")}

    def rtv_report(self, report_id):
        with self.lock:
            report = self.rtv_reports.get(report_id)
        if report is None:
            raise ApiError(404, {"message": "Report not found."})
        return report

    def rtv_create(self, fields, base):
        for key in ("since", "before"):
            if fields.get(key) is not None and \
                    not isinstance(fields[key], str):
                raise ApiError(400, {"message": "%s must be a string" % key})
        with self.lock:
            report_id = str(self.rtv_next_id)
            self.rtv_next_id += 1
            fail = self.rtv["rtv_fail_reports"] > 0
            if fail:
                self.rtv["rtv_fail_reports"] -= 1
            self.rtv_reports[report_id] = {
                "id": report_id, "since": fields.get("since"),
                "before": fields.get("before"), "status": "queued",
                "polls": 0, "record_count": self.rtv_records,
                "polls_needed": max(1, self.rtv["rtv_report_polls"]),
                "fail": fail}
        return 200, {"status": "queued", "status_url":
                     "%s/api/v4/registrant_reports/%s" % (base, report_id)}

    def rtv_status(self, report_id, base):
        report = self.rtv_report(report_id)
        with self.lock:
            if report["status"] in ("queued", "building"):
                report["polls"] += 1
                if report["polls"] >= report["polls_needed"]:
                    report["status"] = ("failed" if report["fail"]
                                        else "complete")
                else:
                    report["status"] = "building"
            status, polls = report["status"], report["polls"]
            count, needed = report["record_count"], report["polls_needed"]
        body = {"status": status, "record_count": count,
                "current_index": count if status == "complete" else
                count * min(polls, needed) // needed}
        if status == "complete":
            body["download_url"] = ("%s/api/v4/registrant_reports/%s/"
                                    "download" % (base, report_id))
        return 200, body

    def rtv_download(self, report_id):
        report = self.rtv_report(report_id)
        if report["status"] != "complete":
            raise ApiError(409, {"message": "The report is not complete."})
        if self.rtv_csv_path:
            return 200, RawBody("text/csv", path=self.rtv_csv_path)
        return 200, RawBody("text/csv", data=self.rtv_csv)

    def rtv_dispatch(self, name, params, fields, query, base, auth):
        """(status, body) of a Rock the Vote route."""
        if not auth:
            raise ApiError(401, {"message": RTV_BAD_CREDENTIALS})
        if name == "rtv_create":
            return self.rtv_create(fields, base)
        if name == "rtv_status":
            return self.rtv_status(unquote(params["id"]), base)
        if name == "rtv_download":
            return self.rtv_download(unquote(params["id"]))
        raise AssertionError(name)

    def rtv_reset(self):
        """POST /_emulator/reset: forgets every report (ids go on)."""
        self.rtv_reports = {}
