#!/usr/bin/env bash
# Scale: one trawl run over 1,000,000 URLs (4 loopback hosts, same nginx setup as run-throughput.sh):
# peak RSS, RSS over time, throughput over the first and last 10 s; plus `trawl --help` start-up time.
#   env: N=1000000 C=64 PORT=8089 RUN_TIMEOUT=300 HELP_RUNS=20
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-1000000}"
C="${C:-64}"
PORT="${PORT:-8089}"
HELP_RUNS="${HELP_RUNS:-20}"
HOSTS=(127.0.0.1 127.0.0.2 127.0.0.3 127.0.0.4)

ensure_tools
build_trawl

WORK="$(mktemp -d /tmp/trawl-bench-scale.XXXXXX)"
SAMPLER_PID=""
cleanup() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null || true
  stop_nginx; rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check_port_free "$PORT" "${HOSTS[@]}"
mkdir -p "$RESULTS_DIR"
start_static_site "$WORK" "$PORT" "${HOSTS[@]}"

python3 - "$N" "$PORT" "$WORK/urls.txt" "${HOSTS[@]}" <<'PY'
import sys
n, port, path, hosts = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
with open(path, "w") as f:
    f.writelines(f"http://{hosts[i % len(hosts)]}:{port}/page.html?i={i}\n" for i in range(n))
PY

# --- 1. the big run -------------------------------------------------------------------------
OUT="$WORK/out.ndjson"
log "trawl: $N URLs, -c $C --per-host $C"
rc=0
timeout "$RUN_TIMEOUT" /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" \
  "$TRAWL" "$WORK/urls.txt" -o "$OUT" -c "$C" --per-host "$C" --progress never 2> "$WORK/trawl.err" &
TIME_PID=$!
# Sampler: once a second, the output's size in bytes and trawl's RSS (converted to lines at the end).
(
  t0=$(date +%s.%N); tp=""
  while kill -0 "$TIME_PID" 2>/dev/null; do
    if [ -z "$tp" ]; then   # trawl is the grandchild: timeout -> time -> trawl
      p="$TIME_PID"
      for _ in 1 2 3; do
        [ "$(cat /proc/"$p"/comm 2>/dev/null)" = trawl ] && { tp="$p"; break; }
        p=$(awk '{print $1}' /proc/"$p"/task/"$p"/children 2>/dev/null); [ -n "$p" ] || break
      done
    fi
    sz=$(stat -c %s "$OUT" 2>/dev/null || echo 0)
    rss=$(awk '/^VmRSS/ {print $2}' /proc/"${tp:-0}"/status 2>/dev/null || echo 0)
    echo "$(date +%s.%N) $t0 $sz ${rss:-0}"
    sleep 1
  done
) > "$WORK/samples" &
SAMPLER_PID=$!
wait "$TIME_PID" || rc=$?
wait "$SAMPLER_PID" 2>/dev/null || true; SAMPLER_PID=""
lines=$(wc -l < "$OUT" 2>/dev/null || echo 0)
okc=$(grep -c '"ok":true' "$OUT" || true)
bytes=$(stat -c %s "$OUT")
log "trawl exit $rc, $lines records ($okc ok)"
tail -8 "$WORK/trawl.err" >&2 || true

# --- 2. start-up time of `trawl --help` --------------------------------------------------------
"$TRAWL" --help >/dev/null   # warm the page cache
: > "$WORK/help"
TIMEFORMAT='%3R'
for i in $(seq 1 "$HELP_RUNS"); do
  { time "$TRAWL" --help >/dev/null 2>&1; } 2>> "$WORK/help"
done

python3 - "$WORK/samples" "$WORK/time" "$WORK/help" "$N" "$C" "$rc" "$lines" "$okc" "$bytes" "$RESULTS_DIR/scale.json" <<'PY'
import json, statistics, sys, datetime, os, platform
samples_p, time_p, help_p, n, c, rc, lines, okc, nbytes, out = sys.argv[1:]
n, c, rc, lines, okc, nbytes = int(n), int(c), int(rc), int(lines), int(okc), int(nbytes)
wall, user, sysc, rss = open(time_p).read().split()[-4:]
wall, user, sysc, rss = float(wall), float(user), float(sysc), int(rss)
bpl = nbytes / lines if lines else 1
s = [tuple(map(float, l.split())) for l in open(samples_p) if l.strip()]
pts = [(t - t0, sz / bpl, r) for t, t0, sz, r in s]
def rate(a, b):
    return (b[1] - a[1]) / (b[0] - a[0]) if b[0] > a[0] else 0
first = last = None
if len(pts) >= 3:
    i10 = min(range(len(pts)), key=lambda i: abs(pts[i][0] - 10))
    first = rate(pts[0], pts[i10])
    # last 10 s of sampling while records were still being written
    active = [p for p in pts if p[1] < lines - 1] or pts
    end = active[-1]
    j = min(range(len(pts)), key=lambda i: abs(pts[i][0] - (end[0] - 10)))
    last = rate(pts[j], end)
helps = [float(x) for x in open(help_p).read().split()]
res = {"date": datetime.datetime.now().isoformat(timespec="seconds"),
       "machine": {"cores": os.cpu_count(), "platform": platform.platform()},
       "urls": n, "concurrency": c, "exit_code": rc, "records": lines, "ok": okc,
       "wall_s": wall, "req_per_s": round(n / wall) if wall else None,
       "cpu_s_per_1k": round((user + sysc) / (n / 1000), 4), "peak_rss_mb": round(rss / 1024, 1),
       "req_per_s_first_10s": round(first) if first else None,
       "req_per_s_last_10s": round(last) if last else None,
       "rss_mb_samples": [[round(t, 1), round(r / 1024, 1)] for t, _, r in pts],   # one a second
       "help_startup_ms_median": round(statistics.median(helps) * 1000, 1),
       "help_startup_ms_min_max": [round(min(helps) * 1000, 1), round(max(helps) * 1000, 1)],
       "help_runs": len(helps)}
json.dump(res, open(out, "w"), indent=1)
print(f"\n1M-URL run: exit {rc}, {lines} records, {okc} ok, wall {wall:.1f} s, {res['req_per_s']} req/s, "
      f"CPU {res['cpu_s_per_1k']} s/1k req, peak RSS {res['peak_rss_mb']} MB")
print(f"  req/s first 10 s: {res['req_per_s_first_10s']}, last 10 s: {res['req_per_s_last_10s']}")
print("  RSS MB over time (t s, MB):", " ".join(f"{t}:{m}" for t, m in res["rss_mb_samples"]))
print(f"trawl --help start-up: median {res['help_startup_ms_median']} ms over {len(helps)} runs "
      f"(min {res['help_startup_ms_min_max'][0]}, max {res['help_startup_ms_min_max'][1]})")
print(f"wrote {out}")
PY
[ "$rc" -eq 0 ] && [ "$lines" -eq "$N" ] || { log "CHECK FAILED: exit $rc, $lines records (want $N)"; exit 1; }
