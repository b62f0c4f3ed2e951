# status-map --vendor turbovote, written in jq: the peer of status-map in
# bench/stages.sh. The rules of vendor.json in their order, the first that
# matches wins. A record no rule matches is rejected by status-map (the
# vendor file's default is "reject"); here it is left out (empty).
#
#   jq -c -f vendors/turbovote/status-map.jq canonical.ndjson
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
