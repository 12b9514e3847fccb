# Shared helpers for the benchmark scripts (sourced, not run).
# Everything listens on and talks to loopback (127.0.0.0/8) only.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$BENCH_DIR/.." && pwd)"
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results}"
TRAWL="$ROOT_DIR/.build/release/trawl"
VENV="${TRAWL_BENCH_VENV:-$HOME/.cache/trawl-bench-venv}"
PY="$VENV/bin/python"
RUN_TIMEOUT="${RUN_TIMEOUT:-300}"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# Install what the benchmarks need, only if it is missing (idempotent).
ensure_tools() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v wrk   >/dev/null 2>&1 || missing+=(wrk)
  command -v curl  >/dev/null 2>&1 || missing+=(curl)
  command -v cc    >/dev/null 2>&1 || missing+=(gcc)
  [ -x /usr/bin/time ] || missing+=(time)
  python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  if ! "$PY" -c 'import aiohttp, aiohttp_retry' >/dev/null 2>&1; then
    log "creating python venv with aiohttp + aiohttp-retry at $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q aiohttp aiohttp-retry
  fi
}

build_trawl() {
  log "building trawl (release)"
  # A build can fail transiently if sources are being edited or another build holds the lock: retry once.
  if ! (cd "$ROOT_DIR" && swift build -c release > /tmp/trawl-bench-build.log 2>&1); then
    sleep 5
    (cd "$ROOT_DIR" && swift build -c release > /tmp/trawl-bench-build.log 2>&1) \
      || { tail -30 /tmp/trawl-bench-build.log >&2; echo "swift build failed" >&2; exit 1; }
  fi
  [ -x "$TRAWL" ] || { echo "trawl binary missing at $TRAWL" >&2; exit 1; }
}

# make_workdir NAME: sets WORK to a fresh temp dir, removed (nginx stopped first) when the script exits.
make_workdir() {
  WORK="$(mktemp -d "/tmp/trawl-bench-$1.XXXXXX")"
  trap 'stop_nginx; rm -rf "$WORK"' EXIT
  trap 'exit 130' INT TERM
}

# build_floor: compiles curl_floor.c (no curl headers needed) to $WORK/curl_floor and sets FLOOR.
build_floor() {
  FLOOR="$WORK/curl_floor"
  cc -O2 -o "$FLOOR" "$BENCH_DIR/curl_floor.c" -l:libcurl.so.4
}

NGINX_BIN="$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)"
NGINX_PID_FILE=""

# start_nginx WORKDIR: runs nginx with WORKDIR/nginx.conf; the conf must say `pid WORKDIR/nginx.pid;`.
start_nginx() {
  local work="$1"
  NGINX_PID_FILE="$work/nginx.pid"
  mkdir -p "$work/tmp"
  chmod 755 "$work"  # nginx workers run as an unprivileged user
  "$NGINX_BIN" -t -q -p "$work" -e "$work/error.log" -c "$work/nginx.conf"
  "$NGINX_BIN" -p "$work" -e "$work/error.log" -c "$work/nginx.conf"
  local i
  for i in $(seq 1 50); do [ -s "$NGINX_PID_FILE" ] && return 0; sleep 0.1; done
  echo "nginx did not start" >&2; cat "$work/error.log" >&2; exit 1
}

stop_nginx() {
  if [ -n "$NGINX_PID_FILE" ] && [ -s "$NGINX_PID_FILE" ]; then
    local pid; pid="$(cat "$NGINX_PID_FILE")"
    kill -QUIT "$pid" 2>/dev/null || true
    local i
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  NGINX_PID_FILE=""
}

# Common nginx preamble (temp paths inside the work dir so nothing clashes with a system nginx).
nginx_preamble() {
  local work="$1"
  cat <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 8192; }
CONF
}

nginx_http_common() {
  local work="$1"
  cat <<CONF
  client_body_temp_path $work/tmp/body;
  proxy_temp_path $work/tmp/proxy;
  fastcgi_temp_path $work/tmp/fastcgi;
  uwsgi_temp_path $work/tmp/uwsgi;
  scgi_temp_path $work/tmp/scgi;
  default_type text/html;
  keepalive_requests 1000000;
  keepalive_timeout 65;
CONF
}

# Port must be free on the loopback addresses we use.
check_port_free() {
  local port="$1"; shift
  local h
  for h in "$@"; do
    if curl -s -o /dev/null --max-time 1 "http://$h:$port/" 2>/dev/null; then
      echo "something already answers on $h:$port; set PORT=... to another port" >&2; exit 1
    fi
  done
}

# timed OUTFILE -- CMD...: runs CMD under timeout + /usr/bin/time; writes "wall user sys maxrss_kb" to OUTFILE.
# Returns CMD's exit status.
timed() {
  local tf="$1"; shift
  local rc=0
  timeout "$RUN_TIMEOUT" /usr/bin/time -f '%e %U %S %M' -o "$tf.raw" "$@" || rc=$?
  # /usr/bin/time prepends "Command exited with non-zero status N" on failure: keep the figures line only.
  local last; last=$(grep -E '^[0-9.]+ [0-9.]+ [0-9.]+ [0-9]+$' "$tf.raw" | tail -n1 || true)
  echo "${last:-0 0 0 0}" > "$tf"
  return $rc
}

# start_static_site WORK PORT HOST...: nginx serving one 2,048-byte page at /page.html on every HOST:PORT.
start_static_site() {
  local work="$1" port="$2"; shift 2
  mkdir -p "$work/www"
  python3 - "$work/www/page.html" <<'PY'
import sys
head = "<!doctype html><html><head><title>bench</title></head><body><p>"
tail = "</p></body></html>\n"
with open(sys.argv[1], "w") as f:
    f.write(head + "x" * (2048 - len(head) - len(tail)) + tail)
PY
  {
    nginx_preamble "$work"
    echo "http {"
    nginx_http_common "$work"
    echo "  access_log off;"
    echo "  server {"
    local h
    for h in "$@"; do echo "    listen $h:$port;"; done
    echo "    root $work/www;"
    echo "    location / { }"
    echo "  }"
    echo "}"
  } > "$work/nginx.conf"
  start_nginx "$work"
  curl -sf -o /dev/null "http://$1:$port/page.html" || { echo "nginx not answering" >&2; exit 1; }
}
