#!/usr/bin/env bash
# Engine only: how many URLs a second the coordinator, limiter, retry bookkeeping and record output move with
# no network at all (an in-memory transport answering 200 at once; see EngineBenchmark/main.swift). Median of
# RUNS runs; writes results/engine.json. Needs no server and installs nothing.
#   env: N=1000000 C=64 RUNS=5
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

N="${N:-1000000}"
C="${C:-64}"
RUNS="${RUNS:-5}"

log "building trawl-engine-benchmark (release)"
(cd "$ROOT_DIR" && swift build -c release --product trawl-engine-benchmark > /tmp/trawl-bench-build.log 2>&1) \
  || { tail -30 /tmp/trawl-bench-build.log >&2; echo "swift build failed" >&2; exit 1; }
BIN="$ROOT_DIR/.build/release/trawl-engine-benchmark"
mkdir -p "$RESULTS_DIR"

lines=()
for ((i = 1; i <= RUNS; i++)); do
  line=$(timeout "$RUN_TIMEOUT" "$BIN" "$N" "$C")
  log "run $i/$RUNS: $line"
  lines+=("$line")
done

python3 - "$N" "$C" "$RESULTS_DIR/engine.json" "$(cd "$ROOT_DIR" && git rev-parse --short HEAD 2>/dev/null || echo -)" \
  "${lines[@]}" <<'PY'
import json, re, statistics, sys
n, c, path, commit = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
runs = []
for line in sys.argv[5:]:
    m = re.search(r"= (\d+) URLs/s, ([\d.]+) .s CPU per URL", line)
    if not m:
        sys.exit(f"unexpected output: {line}")
    runs.append({"urls_per_s": int(m.group(1)), "cpu_us_per_url": float(m.group(2))})
rates = sorted(r["urls_per_s"] for r in runs)
result = {
    "commit": commit, "urls": n, "concurrency": c, "median_urls_per_s": int(statistics.median(rates)),
    "median_cpu_us_per_url": statistics.median(r["cpu_us_per_url"] for r in runs), "runs": runs,
}
print(f"engine only, {n:,} URLs at C={c} (commit {commit}): median {result['median_urls_per_s']:,} URLs/s "
      f"({rates[0]:,}-{rates[-1]:,} over {len(runs)} runs), {result['median_cpu_us_per_url']:.2f} us CPU per URL")
with open(path, "w") as f:
    json.dump(result, f, indent=2)
    f.write("\n")
print(f"wrote {path}")
PY
