"""What the cross-cutting tests read of a vendor folder's vendor.json, in
one place: the file itself, and the options a stage needs to take it (the
per-file options the file requires, each at its "example")."""

import json
import os


def load(vendor_dir, vendor):
    with open(os.path.join(vendor_dir, vendor, "vendor.json")) as f:
        return json.load(f)


def options(vendor_dir, vendor):
    """--set NAME=EXAMPLE for each required option of the vendor file."""
    args = []
    opts = load(vendor_dir, vendor).get("export", {}).get("options", {})
    for name, opt in opts.items():
        if opt.get("required"):
            args += ["--set", "%s=%s" % (name, opt["example"])]
    return args


def shape_args(vendor_dir, vendor):
    """shape's arguments for the vendor: --vendor and its options."""
    return ["--vendor", vendor] + options(vendor_dir, vendor)


def shaped(vendor_dir):
    """The vendor folders whose vendor file has a "shape": those the
    cross-cutting tests run shape and status-map on (vendors/events, the
    event layer's entry points, has none: its journal goes straight to the
    warehouse)."""
    import glob
    return sorted(os.path.basename(os.path.dirname(p)) for p in
                  glob.glob(os.path.join(vendor_dir, "*/vendor.json"))
                  if "shape" in json.load(open(p)))
