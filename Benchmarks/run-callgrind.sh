#!/usr/bin/env bash
# Instructions per URL, counted by valgrind's callgrind: trawl (all threads, and its busiest thread, the event
# loop: native HTTP/1.1 for these URLs) against the libcurl floor (curl_floor.c), over the same N URLs from nginx
# on 127.0.0.1..4. Counts are repeatable whatever else the machine is doing, unlike seconds: use this to see what
# a change buys.
# Each program runs twice, with N and with 1 URL: the difference of the totals, divided by N - 1, leaves
# start-up (dynamic linking, about 50 million instructions for trawl) out. The loop thread does no start-up
# work: its count is divided by N. See README.md.
#   env: N=20000 C=64 PORT=8089 TRAWL_BIN=(the release build)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-20000}"
C="${C:-64}"
PORT="${PORT:-8089}"
HOSTS=(127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4)

ensure_tools
command -v valgrind >/dev/null 2>&1 || {
  log "installing: valgrind"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
}
if [ -z "${TRAWL_BIN:-}" ]; then build_trawl; TRAWL_BIN="$TRAWL"; fi

make_workdir cg
build_floor

check_port_free "$PORT" "${HOSTS[@]}"
mkdir -p "$RESULTS_DIR"
start_static_site "$WORK" "$PORT" "${HOSTS[@]}"
log "nginx up on ${HOSTS[*]} port $PORT"

for count in "$N" 1; do
  for ((i = 0; i < count; i++)); do echo "http://${HOSTS[i % 4]}:$PORT/page.html?i=$i"; done > "$WORK/urls-$count.txt"
done

# profile NAME COUNT COMMAND...: runs COMMAND under callgrind, one output file per thread; prints
# "total busiest" instruction counts.
profile() {
  local name="$1" count="$2"; shift 2
  local out="$WORK/cg-$name-$count"
  timeout "$RUN_TIMEOUT" valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$out" "$@" \
    > "$WORK/$name.log" 2>&1 || { log "$name under callgrind failed:"; tail -5 "$WORK/$name.log" >&2; exit 1; }
  local total=0 busiest=0 file n
  for file in "$out"-*; do
    n=$(awk '/^summary:/ { print $2; exit }' "$file")
    total=$((total + n))
    [ "$n" -gt "$busiest" ] && busiest=$n
  done
  echo "$total $busiest"
}

declare -A RESULT
for client in trawl floor; do
  for count in "$N" 1; do
    log "$client, $count URLs, under callgrind"
    if [ "$client" = trawl ]; then
      rm -f "$WORK/out.ndjson"
      RESULT[$client-$count]=$(profile "$client" "$count" "$TRAWL_BIN" "$WORK/urls-$count.txt" -o "$WORK/out.ndjson" \
        -c "$C" --per-host "$C" --progress never)
      lines=$(wc -l < "$WORK/out.ndjson")
      [ "$lines" -eq "$count" ] || { log "trawl wrote $lines records, want $count"; exit 1; }
    else
      RESULT[$client-$count]=$(profile "$client" "$count" "$FLOOR" "$WORK/urls-$count.txt" "$C" "$WORK/floor.ndjson")
    fi
  done
done

python3 - "$N" "$C" "$RESULTS_DIR/callgrind.json" "${RESULT[trawl-$N]}" "${RESULT[trawl-1]}" \
  "${RESULT[floor-$N]}" "${RESULT[floor-1]}" "$(cd "$ROOT_DIR" && git rev-parse --short HEAD 2>/dev/null || echo -)" <<'PY'
import json, sys
n, c, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
trawl_n, trawl_1, floor_n, floor_1 = ([int(x) for x in arg.split()] for arg in sys.argv[4:8])
commit = sys.argv[8]
trawl = [(trawl_n[0] - trawl_1[0]) / (n - 1), trawl_n[1] / n]
floor = [(floor_n[0] - floor_1[0]) / (n - 1)]
result = {
    "commit": commit, "urls": n, "concurrency": c,
    "trawl_instructions_per_url": round(trawl[0]), "trawl_loop_thread_instructions_per_url": round(trawl[1]),
    "floor_instructions_per_url": round(floor[0]),
    "trawl_startup_instructions": trawl_1[0], "floor_startup_instructions": floor_1[0],
}
print(f"callgrind, {n} URLs at C={c} (commit {commit}): instructions per URL, start-up left out")
print(f"  trawl, all threads      {trawl[0]:>9,.0f}   ({trawl[0] / floor[0]:.2f}x the floor)")
print(f"  trawl, its loop thread  {trawl[1]:>9,.0f}   ({trawl[1] / floor[0]:.2f}x the floor)")
print(f"  libcurl floor           {floor[0]:>9,.0f}")
print(f"  start-up: trawl {trawl_1[0]:,}, floor {floor_1[0]:,} instructions")
with open(path, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
print(f"wrote {path}")
PY
