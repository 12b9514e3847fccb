#!/bin/sh
# HTTP/1.1 vs HTTP/2 over TLS on loopback: nginx (`listen ... ssl http2`) serving a 2 KB page, a throwaway CA
# and leaf made by openssl, N URLs crawled by trawl with --http1.1 and without. Prints req/s per run.
# Usage: Benchmarks/run-http2.sh [urls=5000] [runs=3] [concurrency=64] [per-host=6]
set -eu
URLS=${1:-5000}; RUNS=${2:-3}; CONCURRENCY=${3:-64}; PER_HOST=${4:-6}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TRAWL=${TRAWL:-$ROOT/.build-tls/release/trawl}
[ -x "$TRAWL" ] || (cd "$ROOT" && swift build -c release --scratch-path .build-tls >/dev/null)
WORK=$(mktemp -d)
chmod 755 "$WORK"  # nginx workers run unprivileged
trap 'nginx -c "$WORK/nginx.conf" -s stop 2>/dev/null || true; rm -rf "$WORK"' EXIT
cd "$WORK"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out ca.key 2>/dev/null
openssl req -x509 -new -key ca.key -out ca.pem -days 2 -subj "/CN=bench CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign"
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out leaf.key 2>/dev/null
openssl req -new -key leaf.key -out leaf.csr -subj "/CN=127.0.0.1"
printf 'subjectAltName=IP:127.0.0.1\n' > leaf.ext
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out leaf.pem -days 2 -extfile leaf.ext 2>/dev/null
head -c 1536 /dev/urandom | base64 -w0 > page.html
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat > nginx.conf <<CONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:$PORT ssl http2;
    ssl_certificate $WORK/leaf.pem;
    ssl_certificate_key $WORK/leaf.key;
    root $WORK;
    location / { try_files /page.html =404; }
  }
}
CONF
nginx -c "$WORK/nginx.conf"
i=0; while [ $i -lt "$URLS" ]; do i=$((i + 1)); echo "https://127.0.0.1:$PORT/p/$i"; done > urls.txt
echo "trawl $("$TRAWL" --version), $URLS URLs over TLS, -c $CONCURRENCY --per-host $PER_HOST"
run=0
while [ $run -lt "$RUNS" ]; do
    run=$((run + 1))
    for mode in http1.1 http2; do
        flag=""; [ $mode = http1.1 ] && flag="--http1.1"
        start=$(date +%s.%N)
        # shellcheck disable=SC2086
        "$TRAWL" crawl -q --cacert ca.pem -c "$CONCURRENCY" --per-host "$PER_HOST" $flag -o out.ndjson --force urls.txt 2>err.txt || { head -3 err.txt; head -c 400 out.ndjson; }
        end=$(date +%s.%N)
        ok=$(grep -c '"ok":true' out.ndjson || true)
        echo "$mode run $run: ok $ok/$URLS, $(echo "$URLS / ($end - $start)" | bc -l | xargs printf '%.0f') req/s"
    done
done
