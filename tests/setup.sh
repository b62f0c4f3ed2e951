#!/bin/sh
# Installs, with apt-get, what building and testing sluice needs and the machine
# lacks. Does nothing when everything is present. Without root it only says
# what is missing. Usage: tests/setup.sh [build|test|demo|bench]
set -eu

want=${1:-test}

# Each entry is "debian-package:probe", where the probe is a command name or a
# file that the package provides. The build's include what pipelines/import.sh
# runs: jq reads the vendor file, flock takes the vendor's lock, gzip keeps
# the raw rows. libdeflate gzips post-quasar's batches;
# liblz4 compresses them as ClickHouse's blocks (--compress lz4).
build_pkgs="make:make gcc:gcc pkg-config:pkg-config libcsv-dev:/usr/include/csv.h
libjansson-dev:/usr/include/jansson.h
libcurl4-openssl-dev:/usr/include/x86_64-linux-gnu/curl/curl.h
zlib1g-dev:/usr/include/zlib.h libdeflate-dev:/usr/include/libdeflate.h
liblz4-dev:/usr/include/lz4.h
libssl-dev:/usr/include/openssl/evp.h
libmicrohttpd-dev:/usr/include/microhttpd.h
jq:jq util-linux:flock gzip:gzip"
test_pkgs="clang:clang python3:python3 libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.asan-x86_64.a
bsdutils:script clickhouse-server:/usr/sbin/clickhouse-server
clickhouse-client:/usr/bin/clickhouse-client curl:curl
json-schema-test-suite:/usr/share/json-schema-test-suite/tests/draft7
python3-jsonschema:/usr/lib/python3/dist-packages/jsonschema
python3-rfc3987:/usr/lib/python3/dist-packages/rfc3987.py
chromium-headless-shell:chromium-headless-shell parallel:parallel"
bench_pkgs="miller:mlr csvkit:csvjson hyperfine:hyperfine time:/usr/bin/time wrk:wrk nodejs:node npm:npm"

case $want in
build) pkgs=$build_pkgs ;;
test|demo) pkgs="$build_pkgs $test_pkgs" ;;
bench) pkgs="$build_pkgs $test_pkgs $bench_pkgs" ;;
*) echo "usage: tests/setup.sh [build|test|demo|bench]" >&2; exit 64 ;;
esac

have() {
	case $1 in
	/*) [ -e "$1" ] ;;
	*) command -v "$1" >/dev/null 2>&1 ;;
	esac
}

missing=""
for entry in $pkgs; do
	pkg=${entry%%:*}
	probe=${entry#*:}
	# The curl header lives under the multiarch directory; accept either.
	if [ "$pkg" = libcurl4-openssl-dev ] && have /usr/include/curl/curl.h; then
		continue
	fi
	have "$probe" || missing="$missing $pkg"
done

# The benchmarks' npm packages, pinned in bench/NAME/package.json, into
# bench/NAME/node_modules when missing (DuckDB's engine comes with its
# package from the npm registry).
bench_npm() {
	[ "$want" = bench ] || return 0
	root=$(cd "$(dirname "$0")/.." && pwd)
	if [ ! -f "$root/bench/duckdb/node_modules/@duckdb/node-api/package.json" ]; then
		echo "setup: npm install in bench/duckdb" >&2
		(cd "$root/bench/duckdb" && npm install --no-audit --no-fund \
		    --no-package-lock --silent) >&2
	fi
}

if [ -z "$missing" ]; then
	bench_npm
	exit 0
fi

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "setup: missing:$missing" >&2
	echo "setup: install them with: sudo apt-get install$missing" >&2
	exit 1
fi

echo "setup: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# An old or empty package list makes apt-get miss packages: refresh once.
apt-get update -qq >&2 || echo "setup: apt-get update failed, trying the cached lists" >&2
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >&2
bench_npm
