# tv-filter --map pipelines/maps/turbovote.json, written in jq for
# bench/stages.sh: csv2ndjson records of a TurboVote export in, canonical
# activity records out (README: "The canonical activity record", "tv-filter").
# The defaults come from the map, passed as $map:
#
#   jq -c --slurpfile map pipelines/maps/turbovote.json \
#       -f bench/jq/tv-filter.jq turbovote.ndjson
#
# What it leaves out: the check that every column is there and a string
# (tv-filter rejects such a record), the dropped and rejects files and the
# counts. _meta.warning says what tv-filter says, but cuts a value at 40
# characters where tv-filter cuts at 40 bytes (the same for ASCII).
# Written for jq 1.6 too: no trim (1.7), no index() (byte offsets in 1.6),
# and no regular expression in the common case (1.6 compiles one per call).

# C's isspace() in the C locale, and trimming it from both ends.
def ws: . == " " or . == "\t" or . == "\n" or . == "\u000b" or . == "\f"
    or . == "\r";
def trim:
	if length > 0 and ((.[0:1] | ws) or (.[-1:] | ws)) then
		sub("\\A[ \\t\\n\\x0b\\f\\r]+"; "") | sub("[ \\t\\n\\x0b\\f\\r]+\\z"; "")
	else . end;

# A string, or null for an empty one (the services store "" as null).
def str_or_null: if type == "string" and . != "" then . else null end;

# 24 hex digits: a Northstar id.
def object_id: length == 24 and
	(explode | all(. >= 48 and . <= 57 or . >= 65 and . <= 70
	    or . >= 97 and . <= 102));

# A positive decimal number up to 999999999999, or null.
def number: if length > 0 and (explode | all(. >= 48 and . <= 57)) then
	tonumber | if . > 0 and . <= 999999999999 then . else null end
	else null end;

# One piece of a referral code as [key, value]: split at the first ":", or
# at the first "=" when there is no ":"; the key trimmed and lower-cased,
# the value trimmed; nothing for a piece without either or with no value.
def key_value:
	(split(":")) as $a
	| if ($a | length) > 1 then [$a[0], ($a[1:] | join(":"))]
	  else (split("=")) as $b
	  | if ($b | length) > 1 then [$b[0], ($b[1:] | join("="))]
	    else empty end
	  end
	| [(.[0] | trim | ascii_downcase), (.[1] | trim)]
	| select(.[1] != "");

def set_aside($what; $v; $not):
	.why += ["referral code \($what) '\($v[0:40])' is not \($not); not used"];

# "user:ID,campaignID:7059,campaignRunID:8022,source:email,..." A later
# piece with the same key wins; a user, campaign or run that is not usable
# is set aside (it clears what an earlier piece set).
def referral:
	reduce (split(",")[] | key_value) as [$k, $v]
	    ({user: null, campaign: null, run: null, source: null,
	      source_details: null, why: []};
	    if $k == "user" then
		if $v | object_id then .user = ($v | ascii_downcase)
		else .user = null | set_aside("user"; $v; "a Northstar id") end
	    elif $k == "campaign" or $k == "campaignid" then
		.campaign = ($v | number)
		| if .campaign == null then
			set_aside("campaign"; $v; "a number") else . end
	    elif $k == "campaignrunid" then
		.run = ($v | number)
		| if .run == null then
			set_aside("campaign run"; $v; "a number") else . end
	    elif $k == "source" then .source = $v
	    elif $k == "source_details" then .source_details = $v
	    else . end);

$map[0].defaults as $d
# The scrub rules of the map: staff and test rows are dropped.
| select((.email | ascii_downcase
	    | contains("dosomething.org") or contains("turbovote"))
	or (.hostname | contains("testing"))
	or (.["last-name"] | contains("Baloney")) | not)
| (.["referral-code"] | referral) as $r
| {
	northstar_id: $r.user,
	action_id: $d.action_id,
	campaign_id: ($r.campaign // $d.campaign_id),
	campaign_run_id: ($r.run // $d.campaign_run_id),
	type: $d.type,
	status: .["voter-registration-status"],
	source: ($r.source // $d.source),
	source_details: $r.source_details,
	referrer_user_id: null,
	group_id: null,
	created_at: (.["created-at"] | str_or_null),
	details: {
		hostname: .hostname,
		"referral-code": .["referral-code"],
		"partner-comms-opt-in": .["partner-comms-opt-in"],
		"created-at": .["created-at"],
		"updated-at": .["updated-at"],
		"voter-registration-status": .["voter-registration-status"],
		"voter-registration-source": .["voter-registration-source"],
		"voter-registration-method": .["voter-registration-method"],
		"voting-method-preference": .["voting-method-preference"],
		"email subscribed": .["email subscribed"],
		"sms subscribed": .["sms subscribed"]
	},
	user: {
		email: (.email | str_or_null),
		mobile: (.phone | str_or_null),
		first_name: (.["first-name"] | str_or_null),
		last_name: (.["last-name"] | str_or_null),
		addr_street1: (.["registered-address-street"] | str_or_null),
		addr_street2: (.["registered-address-street-2"] | str_or_null),
		addr_city: (.["registered-address-city"] | str_or_null),
		addr_state: (.["registered-address-state"] | str_or_null),
		addr_zip: (.["registered-address-zip"] | str_or_null)
	},
	_meta: ((._meta | if type == "object" then . else {} end)
	    + {vendor_id: .id}
	    + if $r.why == [] then {} else {warning: ($r.why | join("; "))} end)
}
