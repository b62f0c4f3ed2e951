#!/bin/sh
# A throw-away ClickHouse server (Debian's clickhouse-server 18.16) for
# tests and the demo: its own small config, data and logs under one
# directory, listening on 127.0.0.1 only, on free ports.
#
#   clickhouse.sh start DIR   write DIR/config.xml and DIR/users.xml, start
#                             the server in the background, wait for
#                             GET /ping, print http://127.0.0.1:PORT.
#                             Also writes DIR/pid, DIR/http_port,
#                             DIR/tcp_port and DIR/url.
#   clickhouse.sh stop DIR    TERM the server, KILL it if it is still there
#                             after CLICKHOUSE_STOP_TIMEOUT (30) seconds,
#                             and wait until it is gone. Quiet and
#                             successful when nothing runs.
#   clickhouse.sh available   exit 0 when the server binary is installed.
#   clickhouse.sh cluster-start DIR [N]
#                             N servers (2) as the N shards of the cluster
#                             "warehouse": DIR/shard1 ... DIR/shardN, each
#                             a server as start makes it, plus
#                             config.d/cluster.xml (clickhouse-cluster.xml
#                             beside this script, the shards' ports filled
#                             in); prints their URLs, a line each, shard 1
#                             first, also in DIR/urls.
#   clickhouse.sh cluster-stop DIR
#                             stops every shard of DIR.
#   clickhouse.sh resume DIR  starts DIR's server again on the ports it
#                             had (a shard a test stopped), prints its URL.
#
# Ports. free_ports has the kernel choose free ports, and closes them
# again before the server binds them; the servers of other tests (the
# other build's, which runs beside this one) choose theirs the same way at
# the same time. So that two servers are never given the same port in
# that gap, the choice and the start that binds the ports are made under
# one lock for the machine, and every server's ports are noted there (PORT
# -> its DIR): a server stopped to be resumed on its ports (the cluster
# test's shard) keeps them, and no other start is given them while DIR
# holds them. The place is CLICKHOUSE_PORTS_DIR (/tmp/sluice-clickhouse-
# ports): the same for every run on the machine, never a run's TMPDIR.
# Without flock, or where that folder cannot be written, a port taken all
# the same is still caught (the server exits: "Address already in use")
# and start tries other ports.
#
# Environment: CLICKHOUSE_SERVER (the server binary, default found in PATH,
# /usr/sbin or /usr/bin), CLICKHOUSE_START_TIMEOUT (60 s),
# CLICKHOUSE_STOP_TIMEOUT (30 s), CLICKHOUSE_PORTS_DIR. Needs curl or
# python3 for the ping.
# See CLICKHOUSE.md beside this file for what 18.16 accepts.
set -u

me=clickhouse.sh

die() {
	echo "$me: $*" >&2
	exit 1
}

# Sets server (argv before the options): clickhouse-server, or the
# single "clickhouse" binary of upstream packages with its "server" verb.
find_server() {
	if [ -n "${CLICKHOUSE_SERVER:-}" ]; then
		[ -x "$CLICKHOUSE_SERVER" ] || return 1
		server=$CLICKHOUSE_SERVER
		return 0
	fi
	for s in "$(command -v clickhouse-server 2>/dev/null)" \
	    /usr/sbin/clickhouse-server /usr/bin/clickhouse-server; do
		if [ -n "$s" ] && [ -x "$s" ]; then
			server=$s
			return 0
		fi
	done
	for s in "$(command -v clickhouse 2>/dev/null)" /usr/bin/clickhouse; do
		if [ -n "$s" ] && [ -x "$s" ]; then
			server="$s server"
			return 0
		fi
	done
	return 1
}

# A process is there when kill -0 reaches it and it is not a zombie: an
# orphaned server that died may stay a zombie where PID 1 does not reap.
alive() { # pid
	kill -0 "$1" 2>/dev/null || return 1
	if [ -r "/proc/$1/stat" ]; then
		state=$(sed 's/^.*) \(.\).*$/\1/' "/proc/$1/stat" 2>/dev/null)
		[ "$state" != Z ] || return 1
	fi
	return 0
}

# N (3) distinct free ports on 127.0.0.1, chosen by the kernel (python3),
# else at random (a clash is caught and retried by start).
free_ports() { # [n]
	if command -v python3 >/dev/null 2>&1; then
		python3 -c '
import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))
for s in ss:
    s.close()' "${1:-3}"
	else
		awk -v seed="$$$(date +%S)" -v n="${1:-3}" 'BEGIN { srand(seed)
		    b = 20000 + int(rand() * 40000)
		    for (i = 0; i < n; i++) printf "%s%d", i ? " " : "", b + i
		    print "" }'
	fi
}

PORTS=${CLICKHOUSE_PORTS_DIR:-/tmp/sluice-clickhouse-ports}

# Takes the machine's lock of the ports on descriptor 8 (waits up to 120 s,
# then goes on without it). The server is started with 8 closed, so that
# the lock ends with this script, never with the server.
ports_lock() {
	command -v flock >/dev/null 2>&1 || return 0
	if [ ! -d "$PORTS" ]; then
		mkdir -p "$PORTS" 2>/dev/null && chmod 1777 "$PORTS" 2>/dev/null
	fi
	# (A redirection of exec that fails would end the script: tried
	# first in a subshell.)
	( : >>"$PORTS/lock" ) 2>/dev/null || return 0
	exec 8>>"$PORTS/lock"
	flock -w 120 8 || echo "$me: the ports' lock is held; going on" >&2
}

ports_unlock() {
	exec 8>&-
}

# True when PORT is noted for a server directory that still holds it (its
# http_port, tcp_port or interserver_port file names it).
reserved() { # port
	[ -f "$PORTS/$1" ] || return 1
	owner=$(cat "$PORTS/$1" 2>/dev/null) || return 1
	[ -n "$owner" ] && [ "$owner" != "$dir" ] || return 1
	cat "$owner/http_port" "$owner/tcp_port" "$owner/interserver_port" \
	    2>/dev/null | grep -qx "$1"
}

# Notes the ports of DIR as its own (see "Ports" above).
reserve() { # dir port...
	owner=$1
	shift
	[ -d "$PORTS" ] && [ -w "$PORTS" ] || return 0
	for p; do
		echo "$owner" >"$PORTS/$p" 2>/dev/null || :
	done
}

# N (3) distinct free ports, none noted for another server (free_ports),
# or fails after 20 tries.
choose_ports() { # [n]
	t=0
	while [ $t -lt 20 ]; do
		t=$((t + 1))
		chosen=$(free_ports "${1:-3}")
		clash=
		for p in $chosen; do
			if reserved "$p"; then
				clash=$p
			fi
		done
		[ -n "$clash" ] || {
			echo "$chosen"
			return 0
		}
	done
	return 1
}

# Prints the body of GET URL, or fails.
http_get() { # url
	if command -v curl >/dev/null 2>&1; then
		curl -sf --max-time 2 "$1"
	else
		python3 -c '
import sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=2) as f:
    sys.stdout.write(f.read().decode())' "$1" 2>/dev/null
	fi
}

write_config() { # dir http tcp interserver
	cat >"$1/config.xml" <<EOF
<?xml version="1.0"?>
<!-- Written by tests/servers/clickhouse.sh: a private test server. -->
<yandex>
    <logger>
        <level>information</level>
        <log>$1/log/clickhouse-server.log</log>
        <errorlog>$1/log/clickhouse-server.err.log</errorlog>
        <size>10M</size>
        <count>1</count>
    </logger>
    <listen_host>127.0.0.1</listen_host>
    <http_port>$2</http_port>
    <tcp_port>$3</tcp_port>
    <interserver_http_port>$4</interserver_http_port>
    <interserver_http_host>127.0.0.1</interserver_http_host>
    <path>$1/data/</path>
    <tmp_path>$1/tmp/</tmp_path>
    <user_files_path>$1/user_files/</user_files_path>
    <format_schema_path>$1/format_schemas/</format_schema_path>
    <users_config>$1/users.xml</users_config>
    <default_profile>default</default_profile>
    <default_database>default</default_database>
    <timezone>UTC</timezone>
    <max_connections>256</max_connections>
    <max_concurrent_queries>32</max_concurrent_queries>
    <mark_cache_size>16777216</mark_cache_size>
    <uncompressed_cache_size>16777216</uncompressed_cache_size>
    <mlock_executable>false</mlock_executable>
    <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
</yandex>
EOF
	cat >"$1/users.xml" <<'EOF'
<?xml version="1.0"?>
<!-- Written by tests/servers/clickhouse.sh: one user, no password, from
     127.0.0.1 only. -->
<yandex>
    <profiles>
        <default>
            <max_memory_usage>2000000000</max_memory_usage>
            <use_uncompressed_cache>0</use_uncompressed_cache>
            <log_queries>0</log_queries>
        </default>
    </profiles>
    <users>
        <default>
            <password></password>
            <networks>
                <ip>127.0.0.1</ip>
            </networks>
            <profile>default</profile>
            <quota>default</quota>
        </default>
    </users>
    <quotas>
        <default></default>
    </quotas>
</yandex>
EOF
}

log_tail() { # dir
	for f in "$1/log/stdout.log" "$1/log/clickhouse-server.err.log" \
	    "$1/log/clickhouse-server.log"; do
		if [ -s "$f" ]; then
			echo "--- $f" >&2
			tail -n 20 "$f" >&2
		fi
	done
}

# Starts the server once on the given ports. Returns 0 when /ping answers,
# 2 when the server died on a port already in use (try other ports), 1 on
# any other failure.
start_once() { # dir http tcp interserver
	dir=$1
	write_config "$dir" "$2" "$3" "$4"
	: >"$dir/log/clickhouse-server.err.log"
	# The log is kept across restarts: only what this start adds counts.
	log=$dir/log/clickhouse-server.log
	skip=1
	[ -f "$log" ] && skip=$(($(wc -c <"$log") + 1))
	# The server's output goes to a file, never to our stdout: a caller
	# reading the URL through $(...) would otherwise wait for the server.
	# shellcheck disable=SC2086
	$server --config-file="$dir/config.xml" \
	    >"$dir/log/stdout.log" 2>&1 </dev/null 8>&- &
	pid=$!
	echo "$pid" >"$dir/pid"
	deadline=$(($(date +%s) + ${CLICKHOUSE_START_TIMEOUT:-60}))
	while :; do
		# Another server on the same port could answer the ping: ours
		# must also have said in its own log that it listens there.
		if [ "$(http_get "http://127.0.0.1:$2/ping")" = "Ok." ] &&
		    tail -c +"$skip" "$log" 2>/dev/null |
		    grep -qF "Listening http://127.0.0.1:$2" && alive "$pid"
		then
			return 0
		fi
		if ! alive "$pid"; then
			rm -f "$dir/pid"
			if grep -q 'Address already in use' \
			    "$dir/log/clickhouse-server.err.log" \
			    "$dir/log/stdout.log" 2>/dev/null; then
				return 2
			fi
			echo "$me: the server exited before answering /ping" >&2
			return 1
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "$me: no answer to /ping on port $2 within" \
			    "${CLICKHOUSE_START_TIMEOUT:-60} s" >&2
			stop_pid "$dir" "$pid"
			return 1
		fi
		sleep 0.1
	done
}

# The server binary and a ping tool are there, and DIR ($1) is ready for
# a server: sets dir to its absolute path.
prepare() { # dir
	mkdir -p "$1" || die "cannot create $1"
	dir=$(cd "$1" && pwd) || die "cannot enter $1"
	find_server || die "no clickhouse-server installed" \
	    "(apt-get install clickhouse-server)"
	if command -v curl >/dev/null 2>&1; then :
	elif command -v python3 >/dev/null 2>&1; then :
	else die "needs curl or python3 to ping the server"; fi
	if [ -f "$dir/pid" ] && alive "$(cat "$dir/pid")"; then
		die "a server already runs from $dir (pid $(cat "$dir/pid"))"
	fi
	mkdir -p "$dir/log" "$dir/data" "$dir/tmp" "$dir/user_files" \
	    "$dir/format_schemas" || die "cannot create directories in $dir"
}

# The ports of the server of DIR, in DIR's files (resume reads them).
record() { # dir http tcp interserver
	echo "$2" >"$1/http_port"
	echo "$3" >"$1/tcp_port"
	echo "$4" >"$1/interserver_port"
	echo "http://127.0.0.1:$2" >"$1/url"
	reserve "$1" "$2" "$3" "$4"
}

start() { # dir
	[ -n "${1:-}" ] || die "usage: $me start DIR"
	prepare "$1"
	ports_lock
	tries=0
	while :; do
		tries=$((tries + 1))
		# shellcheck disable=SC2046
		set -- $(choose_ports)
		[ $# = 3 ] || die "cannot choose free ports"
		start_once "$dir" "$1" "$2" "$3"
		rc=$?
		[ $rc = 0 ] && break
		if [ $rc = 2 ] && [ $tries -lt 5 ]; then
			echo "$me: a port was taken, retrying on others" >&2
			continue
		fi
		log_tail "$dir"
		exit 1
	done
	record "$dir" "$1" "$2" "$3"
	ports_unlock
	echo "http://127.0.0.1:$1"
}

resume() { # dir
	if [ -z "${1:-}" ] || [ ! -f "$1/interserver_port" ]; then
		die "usage: $me resume DIR (a server started before)"
	fi
	prepare "$1"
	start_once "$dir" "$(cat "$dir/http_port")" "$(cat "$dir/tcp_port")" \
	    "$(cat "$dir/interserver_port")" || {
		log_tail "$dir"
		exit 1
	}
	cat "$dir/url"
}

# The shards' part of the cluster's config: clickhouse-cluster.xml with
# one <shard> per tcp port given in place of its @SHARDS@ line.
cluster_xml() { # tcp_port...
	shards=
	for p; do
		shards="$shards<shard><replica><host>127.0.0.1</host>"
		shards="$shards<port>$p</port></replica></shard>"
	done
	sed "s|^[ 	]*@SHARDS@[ 	]*\$|        $shards|" \
	    "$(dirname "$0")/clickhouse-cluster.xml"
}

cluster_start() { # dir [n]
	[ -n "${1:-}" ] || die "usage: $me cluster-start DIR [N]"
	n=${2:-2}
	case $n in '' | *[!0-9]* | 0 | 1) die "N: 2 shards or more" ;; esac
	[ -r "$(dirname "$0")/clickhouse-cluster.xml" ] ||
		die "no clickhouse-cluster.xml beside $0"
	mkdir -p "$1" || die "cannot create $1"
	top=$(cd "$1" && pwd) || die "cannot enter $1"
	ports_lock
	tries=0
	while :; do
		tries=$((tries + 1))
		dir=
		# shellcheck disable=SC2046
		set -- $(choose_ports $((3 * n)))
		[ $# = $((3 * n)) ] || die "cannot choose free ports"
		ports="$*"
		i=0
		tcps=
		while [ $i -lt "$n" ]; do
			tcps="$tcps $(echo "$ports" | cut -d' ' -f$((3 * i + 2)))"
			i=$((i + 1))
		done
		# shellcheck disable=SC2086
		cluster_xml $tcps >"$top/cluster.xml" ||
			die "cannot write $top/cluster.xml"
		i=0
		rc=0
		while [ $i -lt "$n" ] && [ $rc = 0 ]; do
			i=$((i + 1))
			prepare "$top/shard$i"
			mkdir -p "$dir/config.d" || die "cannot create $dir/config.d"
			cp "$top/cluster.xml" "$dir/config.d/cluster.xml" ||
				die "cannot write $dir/config.d/cluster.xml"
			# shellcheck disable=SC2046
			set -- $(echo "$ports" | cut -d' ' -f$((3 * i - 2))-$((3 * i)))
			start_once "$dir" "$1" "$2" "$3"
			rc=$?
			[ $rc != 0 ] || record "$dir" "$1" "$2" "$3"
		done
		[ $rc = 0 ] && break
		failed=$top/shard$i
		cluster_stop "$top"
		if [ $rc = 2 ] && [ $tries -lt 5 ]; then
			echo "$me: a port was taken, retrying on others" >&2
			continue
		fi
		log_tail "$failed"
		exit 1
	done
	i=0
	: >"$top/urls"
	while [ $i -lt "$n" ]; do
		i=$((i + 1))
		cat "$top/shard$i/url" >>"$top/urls"
	done
	ports_unlock
	cat "$top/urls"
}

cluster_stop() { # dir
	[ -n "${1:-}" ] || die "usage: $me cluster-stop DIR"
	[ -d "$1" ] || return 0
	for s in "$1"/shard*; do
		[ ! -d "$s" ] || stop "$s"
	done
}

# TERM, then KILL after the timeout; returns once the process is gone.
stop_pid() { # dir pid
	kill -TERM "$2" 2>/dev/null
	deadline=$(($(date +%s) + ${CLICKHOUSE_STOP_TIMEOUT:-30}))
	while alive "$2"; do
		if [ "$(date +%s)" -ge "$deadline" ]; then
			echo "$me: pid $2 still there after TERM, killing it" >&2
			kill -KILL "$2" 2>/dev/null
			while alive "$2"; do sleep 0.1; done
			break
		fi
		sleep 0.1
	done
	rm -f "$1/pid"
}

stop() { # dir
	[ -n "${1:-}" ] || die "usage: $me stop DIR"
	[ -f "$1/pid" ] || return 0
	dir=$(cd "$1" && pwd) || die "cannot enter $1"
	pid=$(cat "$dir/pid")
	case $pid in '' | *[!0-9]*) die "bad pid file $dir/pid" ;; esac
	if ! alive "$pid"; then
		rm -f "$dir/pid"
		return 0
	fi
	# Never signal a reused pid: it must be a server on this config.
	if [ -r "/proc/$pid/cmdline" ] && ! tr '\0' '\n' \
	    <"/proc/$pid/cmdline" | grep -qxF -- "--config-file=$dir/config.xml"
	then
		echo "$me: pid $pid is not the server of $dir, not killing it" >&2
		rm -f "$dir/pid"
		return 0
	fi
	stop_pid "$dir" "$pid"
}

case ${1:-} in
start) start "${2:-}" ;;
stop) stop "${2:-}" ;;
resume) resume "${2:-}" ;;
cluster-start) cluster_start "${2:-}" "${3:-2}" ;;
cluster-stop) cluster_stop "${2:-}" ;;
available) find_server ;;
*)
	echo "usage: $me start DIR | stop DIR | resume DIR | cluster-start DIR [N]" \
	    "| cluster-stop DIR | available" >&2
	exit 64
	;;
esac
