# shape --vendor turbovote, written in jq: the peer of shape in
# bench/stages.sh. csv2ndjson records of a TurboVote export in, canonical
# activity records out, by the rules of vendor.json's "shape" section (in
# words: README.md beside this file). The defaults come from the vendor
# file, passed as $vendor; the functions shared with other vendors from
# bench/jq/rules.jq:
#
#   jq -c -L bench/jq --slurpfile vendor vendors/turbovote/vendor.json \
#       -f vendors/turbovote/shape.jq turbovote.ndjson
#
# What it leaves out: the check that every column is there and a string
# (shape rejects such a record), the dropped and rejects files and the
# counts.
include "rules";

# "user:ID,campaignID:7059,campaignRunID:8022,source:email,..." (rules/
# referral.c's referral_parse): a piece with an empty value is skipped; a
# later piece with the same key wins; a user, campaign or run that is not
# usable is set aside (it clears what an earlier piece set).
def referral_code:
	def aside($what; $v; $not): set_aside("referral code"; $what; $v; $not);
	reduce (key_values | select(.[1] != "")) as [$k, $v]
	    ({user: null, campaign: null, run: null, source: null,
	      source_details: null, why: []};
	    if $k == "user" then
		if $v | object_id then .user = ($v | ascii_downcase)
		else .user = null | aside("user"; $v; "a Northstar id") end
	    elif $k == "campaign" or $k == "campaignid" then
		.campaign = ($v | number)
		| if .campaign == null then
			aside("campaign"; $v; "a number") else . end
	    elif $k == "campaignrunid" then
		.run = ($v | number)
		| if .run == null then
			aside("campaign run"; $v; "a number") else . end
	    elif $k == "source" then .source = $v
	    elif $k == "source_details" then .source_details = $v
	    else . end);

$vendor[0].defaults as $d
# The drop rules: staff and test rows.
| select((.email | ascii_downcase
	    | contains("dosomething.org") or contains("turbovote"))
	or (.hostname | contains("testing"))
	or (.["last-name"] | contains("Baloney")) | not)
| (.["referral-code"] | referral_code) as $r
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
	_meta: meta({vendor_id: .id}; $r.why)
}
