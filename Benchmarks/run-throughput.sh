#!/usr/bin/env bash
# Throughput: trawl vs curl --parallel vs aiohttp vs wrk (server ceiling), 2 KB static pages
# from nginx on 127.0.0.1..4, with the libcurl floor (curl_floor.c: a bare multi loop with trawl's libcurl
# options) as the yardstick for what trawl adds per URL. "trawl" runs with --per-host C, as curl has no
# per-host limit; "trawl-d" with the default --per-host (6: at most 24 in flight over the 4 hosts). See README.md.
#   env: CONCS="16 64 256" ROUNDS=3 N=20000 PORT=8089 RUN_TIMEOUT=300
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CONCS="${CONCS:-16 64 256}"
ROUNDS="${ROUNDS:-3}"
N="${N:-20000}"
PORT="${PORT:-8089}"
HOSTS=(127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4)

ensure_tools
build_trawl

make_workdir tp
build_floor

check_port_free "$PORT" "${HOSTS[@]}"
mkdir -p "$RESULTS_DIR"
start_static_site "$WORK" "$PORT" "${HOSTS[@]}"
log "nginx up on ${HOSTS[*]} port $PORT (pid $(cat "$WORK/nginx.pid"))"

# N distinct URLs spread round-robin over the 4 hosts (query strings make them distinct; nginx ignores them).
python3 - "$N" "$PORT" "$WORK/urls.txt" "$WORK/curl.cfg" "${HOSTS[@]}" <<'PY'
import sys
n, port, urls, cfg, hosts = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:]
with open(urls, "w") as u, open(cfg, "w") as c:
    for i in range(n):
        url = f"http://{hosts[i % len(hosts)]}:{port}/page.html?i={i}"
        u.write(url + "\n")
        c.write(f'url = "{url}"\noutput = "/dev/null"\n')
PY

RAW="$WORK/raw.tsv"   # client conc round wall user sys maxrss_kb rps_override ok
: > "$RAW"
failures=0

# run_trawl C ROUND [CLIENT]: CLIENT trawl passes --per-host C, trawl-d leaves the default.
run_trawl() {
  local c="$1" r="$2" client="${3:-trawl}" out="$WORK/trawl.ndjson" rc=0
  local per_host=(--per-host "$c")
  [ "$client" = trawl-d ] && per_host=()
  rm -f "$out"
  timed "$WORK/t" "$TRAWL" "$WORK/urls.txt" -o "$out" -c "$c" "${per_host[@]}" --progress never 2> "$WORK/trawl.err" || rc=$?
  local lines; lines=$(wc -l < "$out" 2>/dev/null || echo 0)
  local okc; okc=$(grep -c '"ok":true' "$out" 2>/dev/null || true)
  if [ "$rc" -ne 0 ] || [ "$lines" -ne "$N" ]; then
    log "TRAWL CHECK FAILED: $client c=$c round=$r exit=$rc lines=$lines (want $N) ok=$okc"; tail -5 "$WORK/trawl.err" >&2; failures=$((failures+1))
  fi
  echo "$client $c $r $(cat "$WORK/t") - $rc:$lines:$okc" >> "$RAW"
}

run_curl() {
  local c="$1" r="$2" rc=0
  timed "$WORK/t" curl -s --parallel --parallel-max "$c" -K "$WORK/curl.cfg" 2> "$WORK/curl.err" || rc=$?
  [ "$rc" -eq 0 ] || { log "curl exit $rc (c=$c round=$r)"; failures=$((failures+1)); }
  echo "curl $c $r $(cat "$WORK/t") - $rc:$N:-" >> "$RAW"
}

run_aiohttp() {
  local c="$1" r="$2" out="$WORK/aiohttp.ndjson" rc=0
  timed "$WORK/t" "$PY" "$BENCH_DIR/aiohttp_fetch.py" "$WORK/urls.txt" "$out" "$c" || rc=$?
  local lines; lines=$(wc -l < "$out" 2>/dev/null || echo 0)
  [ "$rc" -eq 0 ] && [ "$lines" -eq "$N" ] || { log "aiohttp exit $rc lines $lines (c=$c round=$r)"; failures=$((failures+1)); }
  echo "aiohttp $c $r $(cat "$WORK/t") - $rc:$lines:-" >> "$RAW"
}

run_floor() {
  local c="$1" r="$2" out="$WORK/floor.ndjson" rc=0
  timed "$WORK/t" "$FLOOR" "$WORK/urls.txt" "$c" "$out" || rc=$?
  local lines; lines=$(wc -l < "$out" 2>/dev/null || echo 0)
  [ "$rc" -eq 0 ] && [ "$lines" -eq "$N" ] || { log "curl_floor exit $rc lines $lines (c=$c round=$r)"; failures=$((failures+1)); }
  echo "floor $c $r $(cat "$WORK/t") - $rc:$lines:-" >> "$RAW"
}

run_wrk() {
  local c="$1" r="$2" rc=0
  timeout "$RUN_TIMEOUT" wrk -c "$c" -t 1 -d 5s "http://127.0.0.1:$PORT/page.html" > "$WORK/wrk.txt" || rc=$?
  local rps; rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk.txt")
  echo "wrk $c $r 0 0 0 0 ${rps:-0} $rc:-:-" >> "$RAW"
}

for c in $CONCS; do
  for r in $(seq 1 "$ROUNDS"); do
    log "c=$c round $r/$ROUNDS"
    run_trawl "$c" "$r"; sleep 0.5
    run_trawl "$c" "$r" trawl-d; sleep 0.5
    run_curl "$c" "$r"; sleep 0.5
    run_aiohttp "$c" "$r"; sleep 0.5
    run_floor "$c" "$r"; sleep 0.5
    run_wrk "$c" "$r"; sleep 0.5
  done
done

python3 - "$RAW" "$N" "$RESULTS_DIR/throughput.json" "$ROUNDS" <<'PY'
import json, statistics, sys, datetime, platform, os, subprocess
raw, n, out, rounds = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
rows = {}
for line in open(raw):
    client, c, r, wall, user, sysc, rss, rps, chk = line.split()
    rows.setdefault((client, int(c)), []).append(
        dict(round=int(r), wall=float(wall), user=float(user), sys=float(sysc),
             maxrss_kb=int(rss), wrk_rps=None if rps == "-" else float(rps), check=chk))
med = statistics.median
order = ["trawl", "trawl-d", "curl", "aiohttp", "floor", "wrk"]
curl_med = {c: med([n / x["wall"] for x in rs]) for (cl, c), rs in rows.items() if cl == "curl"}
aio_med = {c: med([n / x["wall"] for x in rs]) for (cl, c), rs in rows.items() if cl == "aiohttp"}
wrk_med = {c: med([x["wrk_rps"] for x in rs]) for (cl, c), rs in rows.items() if cl == "wrk"}
floor_med = {c: med([n / x["wall"] for x in rs]) for (cl, c), rs in rows.items() if cl == "floor"}
concs = sorted({c for _, c in rows})
result = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
          "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
          "urls": n, "rounds": rounds, "server": "nginx worker_processes 1, 2 KB static page, 127.0.0.1-4",
          "results": []}
print(f"\n{'client':8} {'C':>4} {'req/s':>9} {'vs curl':>8} {'vs aiohttp':>10} {'of wrk':>7} {'of floor':>8} {'CPU s/1k req':>13} {'peak RSS MB':>12}  runs(wall s)")
for c in concs:
    curl_rps = curl_med.get(c)
    for client in order:
        runs = rows.get((client, c))
        if not runs:
            continue
        if client == "wrk":
            rps = med([x["wrk_rps"] for x in runs]); cpu = None; rss = None
        else:
            rps = med([n / x["wall"] if x["wall"] > 0 else 0 for x in runs])
            cpu = med([(x["user"] + x["sys"]) / (n / 1000) for x in runs])
            rss = med([x["maxrss_kb"] / 1024 for x in runs])
        rel = rps / curl_rps if curl_rps and client != "wrk" else None
        rel_aio = rps / aio_med[c] if aio_med.get(c) and client != "wrk" else None
        of_wrk = rps / wrk_med[c] if wrk_med.get(c) and client != "wrk" else None
        of_floor = rps / floor_med[c] if floor_med.get(c) and client != "wrk" else None
        result["results"].append(dict(client=client, concurrency=c, req_per_s=round(rps),
            vs_curl=None if rel is None else round(rel, 2),
            vs_aiohttp=None if rel_aio is None else round(rel_aio, 2),
            share_of_wrk_ceiling=None if of_wrk is None else round(of_wrk, 2),
            share_of_libcurl_floor=None if of_floor is None else round(of_floor, 2),
            cpu_s_per_1k=None if cpu is None else round(cpu, 4),
            peak_rss_mb=None if rss is None else round(rss, 1), runs=runs))
        walls = ",".join(f"{x['wall']:.2f}" for x in runs) if client != "wrk" else "5s each"
        print(f"{client:8} {c:>4} {rps:>9.0f} {('%.2f' % rel) if rel else '-':>8} "
              f"{('%.2f' % rel_aio) if rel_aio else '-':>10} {('%.2f' % of_wrk) if of_wrk else '-':>7} "
              f"{('%.2f' % of_floor) if of_floor else '-':>8} "
              f"{('%.4f' % cpu) if cpu is not None else '-':>13} {('%.1f' % rss) if rss is not None else '-':>12}  {walls}")
json.dump(result, open(out, "w"), indent=1)
print("\ntrawl: --per-host C; trawl-d: the default --per-host 6 (at most 24 in flight over the 4 hosts)")
print(f"wrote {out}")
PY
if [ "$failures" -ne 0 ]; then log "$failures run(s) failed their checks (see above)"; exit 1; fi
log "all runs passed their checks"
