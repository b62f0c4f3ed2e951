# shape --vendor rock-the-vote, written in jq: the peer of shape in
# bench/stages.sh. csv2ndjson records of a Rock the Vote report in,
# canonical activity records out, by the rules of vendor.json's "shape"
# section (in words: README.md beside this file). The defaults come from the
# vendor file, passed as $vendor; the functions shared with other vendors
# (the old importer's yes/no, the mobile test, the date rule) from
# bench/jq/rules.jq:
#
#   jq -c -L bench/jq --slurpfile vendor vendors/rock-the-vote/vendor.json \
#       -f vendors/rock-the-vote/shape.jq rock-the-vote.ndjson
#
# What it leaves out: the check that every column is there and a string
# (shape rejects such a record), the dropped and rejects files and the
# counts.
include "rules";

# "user:ID,referral=true,group_id:5,..." (rules/referral.c's
# tracking_parse): user, user_id or userid is the member (a piece with an
# empty value clears it, one that is not an id is set aside); referral or
# refferal that says yes, before or after, makes that user the referrer;
# group_id, a whole number, the last one wins (one that is not a number is
# set aside and clears it; an empty one is skipped).
def tracking_source:
	def aside($what; $v; $not): set_aside("tracking source"; $what; $v; $not);
	reduce key_values as [$k, $v]
	    ({user: "", referral: false, group_id: null, why: []};
	    if $k == "user" or $k == "user_id" or $k == "userid" then
		if $v != "" and ($v | object_id | not) then
			.user = "" | aside("user"; $v; "a Northstar id")
		else .user = ($v | ascii_downcase) end
	    elif $k == "referral" or $k == "refferal" then
		.referral = (.referral or ($v | yes_no))
	    elif $k == "group_id" and $v != "" then
		.group_id = ($v | whole)
		| if .group_id == null then
			aside("group_id"; $v; "a whole number") else . end
	    else . end)
	| if .referral then {user: null, referrer: (.user | text_or_absent)}
	  else {user: (.user | text_or_absent), referrer: null} end
	    + {group_id, why};

$vendor[0].defaults as $d
# The drop rule: a registration is named by its start, which must be a date.
| select(.["Started registration"] | real_date)
| (.["Tracking Source"] | tracking_source) as $ts
| (.Status | slug) as $status
| (.["Opt-in to Partner email?"] | yes_no) as $email_in
| (.["Opt-in to Partner SMS/robocall"] | yes_no) as $sms_in
| (.Phone | mobile) as $mobile
| {
	northstar_id: $ts.user,
	action_id: $d.action_id,
	campaign_id: null,
	campaign_run_id: null,
	type: $d.type,
	status: (if $status == "complete" then
			if .["Finish with State"] | yes_no then "register-OVR"
			else "register-form" end
		else $status end),
	source: $d.source,
	source_details: null,
	referrer_user_id: $ts.referrer,
	group_id: $ts.group_id,
	created_at: .["Started registration"],
	details: {
		"Tracking Source": .["Tracking Source"],
		"Started registration": .["Started registration"],
		"Finish with State": .["Finish with State"],
		Status: .Status,
		"Pre-Registered": .["Pre-Registered"],
		"Home zip code": .["Home zip code"]
	},
	user: ({
		email: (.["Email address"] | str_or_null),
		addr_zip: (.["Home zip code"] | str_or_null),
		source_detail: $d.source_detail
	} + if $status == "step-1" then {} else {
		mobile: $mobile,
		first_name: (.["First name"] | str_or_null),
		last_name: (.["Last name"] | str_or_null),
		addr_street1: (.["Home address"] | str_or_null),
		addr_street2: (.["Home unit"] | str_or_null),
		addr_city: (.["Home city"] | str_or_null),
		email_subscription_status: $email_in,
		email_subscription_topics:
		    (if $email_in then $d.email_topics else [] end)
	} + if $mobile == null then {} else {
		sms_status: (if $sms_in then "active" else "stop" end),
		sms_subscription_topics:
		    (if $sms_in then $d.sms_topics else [] end)
	} end end),
	_meta: meta(if has("Tracking ID") then {vendor_id: .["Tracking ID"]}
	    else {} end; $ts.why)
}
