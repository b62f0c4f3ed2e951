# status-map --map pipelines/maps/turbovote.json, written in jq for
# bench/stages.sh: the map's rules in their order, the first that matches
# wins. A record no rule matches is rejected by status-map (the map's
# default is "reject"); here it is left out (empty).
#
#   jq -c -f bench/jq/status-map.jq canonical.ndjson
if .status == "initiated" then
	.status = "register-form"
	| .user.voter_registration_status = "registration_complete"
elif .status == "registered"
    and .details["voter-registration-method"] == "online" then
	.status = "register-OVR"
	| .user.voter_registration_status = "registration_complete"
elif .status == "registered" then
	.status = "confirmed"
	| .user.voter_registration_status = "confirmed"
elif .status == "unknown" or .status == "pending" then
	.status = "uncertain"
	| .user.voter_registration_status = "uncertain"
elif .status == "ineligible" or .status == "not-required" then
	.status = "ineligible"
	| .user.voter_registration_status = "ineligible"
else
	empty
end
