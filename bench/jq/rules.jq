# The named functions of rules/ (rules/values.c, rules/referral.c) that
# more than one vendor's jq program uses, written in jq for bench/stages.sh:
# the peers of shape --vendor NAME are vendors/NAME/shape.jq, which take
# these with `include "rules";` and run as
#
#   jq -c -L bench/jq --slurpfile vendor vendors/NAME/vendor.json \
#       -f vendors/NAME/shape.jq FILE
#
# Written for jq 1.6 too: no trim (1.7), no index() (byte offsets in 1.6),
# and no regular expression in the common case (1.6 compiles one per call).
# Where jq counts characters and the C code bytes, it is said below.

# C's isspace() in the C locale, on a one-character string, and trimming it
# from both ends.
def ws: . == " " or . == "\t" or . == "\n" or . == "\u000b" or . == "\f"
    or . == "\r";
def trim:
	if length > 0 and ((.[0:1] | ws) or (.[-1:] | ws)) then
		sub("\\A[ \\t\\n\\x0b\\f\\r]+"; "") | sub("[ \\t\\n\\x0b\\f\\r]+\\z"; "")
	else . end;

# A string, or null for an empty one (the services store "" as null): what
# a {"column": NAME} source gives.
def str_or_null: if type == "string" and . != "" then . else null end;

# A piece as shape's functions give it: a string that is not empty, or
# nothing (null).
def text_or_absent: if . == "" then null else . end;

# 24 hex digits: a Northstar id.
def object_id: length == 24 and
	(explode | all(. >= 48 and . <= 57 or . >= 65 and . <= 70
	    or . >= 97 and . <= 102));

# Decimal digits only, up to 999999999999, as a number; else null (cli_uint).
def whole: if length > 0 and (explode | all(. >= 48 and . <= 57)) then
	tonumber | if . <= 999999999999 then . else null end
	else null end;

# The same, above zero.
def number: whole | if . == 0 then null else . end;

# The pieces of a comma-separated list (a referral code, a tracking
# source) as [key, value]: each split at its first ":", or at its first
# "=" when it has no ":", the key trimmed and lower-cased, the value
# trimmed; a piece with neither is skipped.
def key_values:
	split(",")[]
	| (split(":")) as $a
	| if ($a | length) > 1 then [$a[0], ($a[1:] | join(":"))]
	  else (split("=")) as $b
	  | if ($b | length) > 1 then [$b[0], ($b[1:] | join("="))]
	    else empty end
	  end
	| [(.[0] | trim | ascii_downcase), (.[1] | trim)];

# Notes a value set aside, in .why, as the C code words it. The value is
# cut at 40 characters where the C code cuts at 40 bytes (the same for
# ASCII).
def set_aside($from; $what; $v; $not):
	.why += ["\($from) \($what) '\($v[0:40])' is not \($not); not used"];

# The old importer's yes: "y" or "Y" as it is; else, after leading white
# space, the first seven characters lower-cased and trimmed at their end
# must be 1, true, on or yes, and what follows them white space or nothing
# (values.c's yes_no, quirks included: "yes    x" is yes). null is no.
def yes_no:
	if type != "string" then false
	elif . == "y" or . == "Y" then true
	else
		until(length == 0 or (.[0:1] | ws | not); .[1:]) as $s
		| ($s[0:7] | ascii_downcase
		    | until(length == 0 or (.[-1:] | ws | not); .[:-1])) as $w
		| ($s[($w | length):($w | length) + 1]) as $next
		| ($next == "" or ($next | ws))
		  and ($w == "yes" or $w == "1" or $w == "true" or $w == "on")
	end;

# Lower case, spaces to dashes ("Step 1" is "step-1").
def slug: ascii_downcase | split(" ") | join("-");

# A phone worth sending: not 000-000-0000, and more than nine bytes once
# spaces and dashes are gone. The value, or null.
def mobile:
	if type == "string" and . != "000-000-0000"
	    and (split(" ") | join("") | split("-") | join("")
		| utf8bytelength > 9)
	then . else null end;

# Whether a string is a real date, with an optional time and zone
# (values.c's real_date): year-month-day or month/day/year, a real day of a
# year from 1900 on; then T or a space and hh:mm[:ss][.digits]; then white
# space and Z, UTC, or + or - followed by digits and colons; nothing else.
# Read on the code points, as the C code reads the bytes.
def real_date:
	def sp: . == 32 or (. != null and . >= 9 and . <= 13);
	def digit: . != null and . >= 48 and . <= 57;
	def skip(f): until(.[1][.[0]] | f | not; .[0] += 1);
	# The number of $n digits from $i in $c, or null.
	def num($c; $i; $n):
		if all(range($i; $i + $n); $c[.] | digit)
		then reduce range($i; $i + $n) as $k (0; . * 10 + $c[$k] - 48)
		else null end;
	def leap: (. % 4 == 0 and . % 100 != 0) or . % 400 == 0;
	if type != "string" then false else
	explode as $c
	| ([0, $c] | skip(sp) | .[0]) as $i
	| (if ($c[$i] | digit) and $c[$i + 4] == 45 then
		if $c[$i + 7] == 45 then [num($c; $i; 4), num($c; $i + 5; 2),
		    num($c; $i + 8; 2)] else null end
	   elif $c[$i + 2] == 47 and $c[$i + 5] == 47 then
		[num($c; $i + 6; 4), num($c; $i; 2), num($c; $i + 3; 2)]
	   else null end) as $ymd
	| if $ymd == null or any($ymd[]; . == null) then false else
	$ymd as [$y, $m, $d]
	| if $y < 1900 or $m < 1 or $m > 12 or $d < 1 or $d > ([31, 28, 31,
	    30, 31, 30, 31, 31, 30, 31, 30, 31][$m - 1]
	    + (if $m == 2 and ($y | leap) then 1 else 0 end))
	  then false else
	($i + 10) as $j
	# The time: null when it is not one, else where it ends.
	| (if $c[$j] == 84 or $c[$j] == 32 then
		[num($c; $j + 1; 2), $c[$j + 3], num($c; $j + 4; 2)] as [$hh, $colon, $mm]
		| if $hh == null or $colon != 58 or $mm == null then null
		  else (if $c[$j + 6] == 58 then [num($c; $j + 7; 2), $j + 9]
		        else [0, $j + 6] end) as [$ss, $k]
		  | if $ss == null or $hh > 23 or $mm > 59 or $ss > 60 then null
		    elif $c[$k] == 46 then [$k + 1, $c] | skip(digit) | .[0]
		    else $k end
		  end
	   else $j end) as $t
	| if $t == null then false else
	([$t, $c] | skip(sp) | .[0]) as $z
	| (if $c[$z] == 90 then $z + 1
	   elif $c[$z:$z + 3] == [85, 84, 67] then $z + 3
	   elif $c[$z] == 43 or $c[$z] == 45 then
		[$z + 1, $c] | skip(digit or . == 58) | .[0]
	   else $z end) == ($c | length)
	end end end end;

# The row's _meta with what shaping sets in it ($add, an object): a member
# it has keeps its place with the new value, the others go at the end; a
# _meta that is not an object is replaced. $why, the values set aside,
# becomes its warning.
def meta($add; $why):
	(._meta | if type == "object" then . else {} end) + $add
	+ if $why == [] then {} else {warning: ($why | join("; "))} end;
