-- wrk script: POST a CallPower call, each request a call of its own (the
-- receiver's id is the call's key fields), so none is a duplicate.
local n = 0
local thread_id = 0
local counter = 0
setup = function(thread)
	thread:set("tid", counter)
	counter = counter + 1
end
request = function()
	n = n + 1
	local body = string.format(
	    '{"mobile":"+1555%07d","callpower_campaign_id":12,"status":"completed",' ..
	    '"call_timestamp":"2019-03-01 10:00:00","call_duration":35,' ..
	    '"campaign_target_name":"Sen. X","campaign_target_title":"Senator",' ..
	    '"callpower_campaign_name":"Save","number_dialed_into":"+1%d-%d"}',
	    n % 10000000, tid, n)
	return wrk.format("POST", "/api/v1/callpower/call", {
		["Content-Type"] = "application/json",
		["X-DS-CallPower-API-Key"] = "bench-key",
	}, body)
end
