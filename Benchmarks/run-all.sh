#!/usr/bin/env bash
# Every figure the README quotes, one script after another (never two at once: they would share the cores):
# throughput against curl, aiohttp, the libcurl floor and wrk; the 1,000,000-URL run and `trawl --help`
# start-up; the engine alone. Each installs what it needs and writes its results/*.json. About 5 minutes.
# Add CALLGRIND=1 for the instruction counts (another minute) and RATELIMIT=1 for the politeness run (3).
set -euo pipefail
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$dir/run-throughput.sh"
"$dir/run-scale.sh"
"$dir/run-engine.sh"
if [ "${CALLGRIND:-0}" = 1 ]; then "$dir/run-callgrind.sh"; fi
if [ "${RATELIMIT:-0}" = 1 ]; then "$dir/run-ratelimit.sh"; fi
