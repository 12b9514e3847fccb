#!/usr/bin/env bash
# Rate-limit politeness: nginx limits each of two loopback hosts to 50 req/s (burst 20, 429 + Retry-After: 1
# beyond). 1,500 URLs per host, so the ideal crawl takes 1500/50 = 30 s. Compares trawl, curl --retry and
# aiohttp + aiohttp-retry: URLs fetched, share of requests refused with 429, wall time vs ideal. See README.md.
#   env: PER_HOST_URLS=1500 RATE=50 PORT=8090 ROUNDS=1 RUN_TIMEOUT=300
#        CLIENTS="trawl trawl-ph16 curl aiohttp"   (also available: trawl-noadaptive)
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PER_HOST_URLS="${PER_HOST_URLS:-1500}"
RATE="${RATE:-50}"
PORT="${PORT:-8090}"
ROUNDS="${ROUNDS:-1}"
CLIENTS="${CLIENTS:-trawl trawl-ph16 curl aiohttp}"
HOSTS=(127.0.0.1 127.0.0.2)

ensure_tools
build_trawl

make_workdir rl

check_port_free "$PORT" "${HOSTS[@]}"
mkdir -p "$WORK/www" "$RESULTS_DIR"
python3 -c 'import sys; h="<!doctype html><html><body><p>"; t="</p></body></html>\n"; open(sys.argv[1],"w").write(h+"x"*(2048-len(h)-len(t))+t)' "$WORK/www/page.html"
{
  nginx_preamble "$WORK"
  echo "http {"
  nginx_http_common "$WORK"
  cat <<CONF
  log_format bench '\$remote_addr \$server_addr \$status \$msec';
  access_log $WORK/access.log bench;
  limit_req_zone \$server_addr zone=perhost:1m rate=${RATE}r/s;
  limit_req_status 429;
  server {
CONF
  for h in "${HOSTS[@]}"; do echo "    listen $h:$PORT;"; done
  cat <<CONF
    root $WORK/www;
    location / {
      limit_req zone=perhost burst=20 nodelay;
      error_page 429 = @limited;
    }
    location @limited {
      add_header Retry-After 1 always;
      return 429;
    }
  }
}
CONF
} > "$WORK/nginx.conf"
start_nginx "$WORK"
touch "$WORK/access.log"
sleep 0.2
curl -sf -o /dev/null "http://127.0.0.1:$PORT/page.html" || { echo "nginx not answering" >&2; exit 1; }

# URL list: interleaved over the two hosts; curl config with one write-out line per transfer.
# curl's bodies go to regular files, not /dev/null: before a retry curl truncates the output file, and on
# /dev/null that fails ("curl: (23) Failed to truncate file"), ending the transfer without retrying it.
mkdir -p "$WORK/curl-bodies"
python3 - "$PER_HOST_URLS" "$PORT" "$WORK/urls.txt" "$WORK/curl.cfg" "$WORK/curl-bodies" "${HOSTS[@]}" <<'PY'
import sys
n, port, urls, cfg, bodies, hosts = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6:]
with open(urls, "w") as u, open(cfg, "w") as c:
    c.write('write-out = "%{http_code}\\n"\n')
    k = 0
    for i in range(n):
        for h in hosts:
            url = f"http://{h}:{port}/page.html?i={i}"
            u.write(url + "\n")
            c.write(f'url = "{url}"\noutput = "{bodies}/{k}"\n')
            k += 1
PY
TOTAL=$((PER_HOST_URLS * ${#HOSTS[@]}))
RUNS="$WORK/runs.tsv"   # client round wall user sys rss exit ok log_from log_to
: > "$RUNS"

run_one() {
  local client="$1" r="$2" rc=0 okc=0 out="$WORK/$1.$2.out"
  sleep 2   # let the limiter's bucket drain between runs
  local from; from=$(wc -l < "$WORK/access.log")
  log "$client (round $r)"
  case "$client" in
    trawl)            timed "$WORK/t" "$TRAWL" "$WORK/urls.txt" -o "$out" --force --progress never 2> "$out.err" || rc=$? ;;
    trawl-ph16)       timed "$WORK/t" "$TRAWL" "$WORK/urls.txt" -o "$out" --force --per-host 16 --progress never 2> "$out.err" || rc=$? ;;
    trawl-noadaptive) timed "$WORK/t" "$TRAWL" "$WORK/urls.txt" -o "$out" --force --no-adaptive --progress never 2> "$out.err" || rc=$? ;;
    curl)             timed "$WORK/t" curl -s --parallel --parallel-max 32 --retry 4 -K "$WORK/curl.cfg" > "$out" 2> "$out.err" || rc=$? ;;
    aiohttp)          timed "$WORK/t" "$PY" "$BENCH_DIR/aiohttp_retry_fetch.py" "$WORK/urls.txt" "$out" 32 4 0.5 2> "$out.err" || rc=$? ;;
    *) echo "unknown client $client" >&2; exit 64 ;;
  esac
  case "$client" in
    curl) okc=$(grep -c '^200$' "$out" || true) ;;
    *)    okc=$(grep -c '"ok": *true' "$out" || true) ;;
  esac
  sleep 1
  local to; to=$(wc -l < "$WORK/access.log")
  case "$client" in trawl*) [ "$rc" -eq 0 ] || { log "trawl exited $rc"; tail -8 "$out.err" >&2; } ;; esac
  echo "$client $r $(cat "$WORK/t") $rc $okc $from $to" >> "$RUNS"
}

for r in $(seq 1 "$ROUNDS"); do
  for client in $CLIENTS; do run_one "$client" "$r"; done
done

python3 - "$RUNS" "$WORK/access.log" "$TOTAL" "$PER_HOST_URLS" "$RATE" "$RESULTS_DIR/ratelimit.json" <<'PY'
import json, sys, datetime, os, platform, statistics
runs_p, log_p, total, per_host, rate, out = sys.argv[1:]
total, per_host, rate = int(total), int(per_host), int(rate)
ideal = per_host / rate
log = open(log_p).read().splitlines()
res = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
       "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
       "setup": f"nginx limit_req {rate}r/s per host, burst=20 nodelay, 429 + Retry-After: 1; 2 hosts x {per_host} URLs",
       "ideal_s": ideal, "runs": []}
print(f"\n{'client':17} {'rnd':>3} {'ok':>11} {'requests':>8} {'429':>6} {'429 %':>6} {'wall s':>7} {'x ideal':>7} {'exit':>4}")
series_out = []
for line in open(runs_p):
    client, rnd, wall, user, sysc, rss, rc, okc, a, b = line.split()
    wall, okc, a, b = float(wall), int(okc), int(a), int(b)
    recs = [l.split() for l in log[a:b]]
    recs = [(r[1], int(r[2]), float(r[3])) for r in recs if len(r) == 4]
    n = len(recs); n429 = sum(1 for r in recs if r[1] == 429)
    row = dict(client=client, round=int(rnd), ok=okc, urls=total, requests=n, answered_429=n429,
               share_429=round(n429 / n, 4) if n else None, wall_s=wall,
               ratio_to_ideal=round(wall / ideal, 3), exit_code=int(rc),
               cpu_s=round(float(user) + float(sysc), 2), peak_rss_mb=round(int(rss) / 1024, 1))
    if recs:
        t0 = min(r[2] for r in recs)
        secs = int(max(r[2] for r in recs) - t0) + 1
        per = {h: [[0, 0] for _ in range(secs)] for h in sorted({r[0] for r in recs})}
        for h, st, t in recs:
            cell = per[h][int(t - t0)]
            cell[0] += 1
            cell[1] += st == 429
        row["per_second"] = {h: v for h, v in per.items()}   # [requests, of which 429] per second
        # "cuts": seconds with at least one 429 (each is a point where an adaptive client should back off)
        row["seconds_with_429"] = {h: sum(1 for c in v if c[1]) for h, v in per.items()}
        mid = {h: [c[0] for c in v[len(v) // 4: 3 * len(v) // 4]] for h, v in per.items()}
        row["median_req_per_s_middle_half"] = {h: statistics.median(m) if m else None for h, m in mid.items()}
        if client.startswith("trawl"):
            series_out.append((client, rnd, per))
    res["runs"].append(row)
    print(f"{client:17} {rnd:>3} {okc:>5}/{total:<5} {n:>8} {n429:>6} {100 * n429 / n if n else 0:>5.1f}% "
          f"{wall:>7.1f} {wall / ideal:>7.2f} {rc:>4}")
print(f"(ideal: {ideal:.0f} s; target for trawl: all {total} ok, <=10% 429, <= {1.3 * ideal:.0f} s)")
for client, rnd, per in series_out:
    print(f"\n{client} round {rnd}: requests per second per host, as seen by nginx ('n/k' = n requests, k of them 429)")
    hosts = list(per)
    secs = max(len(v) for v in per.values())
    for i in range(secs):
        cells = []
        for h in hosts:
            c = per[h][i] if i < len(per[h]) else [0, 0]
            cells.append(f"{h}: {c[0]:>3}/{c[1]:<3}")
        print(f"  t={i:>3}s  " + "   ".join(cells))
json.dump(res, open(out, "w"), indent=1)
print(f"\nwrote {out}")
PY
