#!/usr/bin/env bash
# Starts nginx as a throwaway TLS front on 127.0.0.1:PORT for an http UPSTREAM (host:port), with
# certificates from make-test-certs.sh, as an operator would put TLS in front of Ceph RGW or
# MinIO. The Host header is passed on unchanged: S3 signatures cover it.
# Usage: scripts/services/start-tls-proxy.sh DATADIR PORT UPSTREAM [CERT=server]
#   CERT names the certificate in DATADIR/certs (server, or wrong-host to test host-name checks).
#   Prints one line "READY endpoint=https://127.0.0.1:PORT ca=DATADIR/certs/ca.pem" and leaves
#   DATADIR/pids for scripts/services/stop-service.sh.
# Packages: scripts/install-deps.sh s3 (nginx-light openssl curl).
set -euo pipefail

data=${1:?usage: start-tls-proxy.sh DATADIR PORT UPSTREAM [CERT]}
port=${2:?usage: start-tls-proxy.sh DATADIR PORT UPSTREAM [CERT]}
upstream=${3:?usage: start-tls-proxy.sh DATADIR PORT UPSTREAM [CERT]}
cert=${4:-server}

nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "start-tls-proxy: nginx is missing (scripts/install-deps.sh s3)" >&2; exit 1; }
mkdir -p "$data"
data=$(cd "$data" && pwd)
[ ! -f "$data/pids" ] || { echo "start-tls-proxy: already running in $data" >&2; exit 1; }
"$(dirname "$0")/make-test-certs.sh" "$data/certs"
mkdir -p "$data/temp"

cat > "$data/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $data/nginx.pid;
error_log $data/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $data/temp/body;
    proxy_temp_path $data/temp/proxy;
    fastcgi_temp_path $data/temp/fastcgi;
    uwsgi_temp_path $data/temp/uwsgi;
    scgi_temp_path $data/temp/scgi;
    upstream backend { server $upstream; keepalive 16; }
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $data/certs/$cert.pem;
        ssl_certificate_key $data/certs/$cert.key;
        client_max_body_size 0;
        location = /__tls_proxy_ready__ { return 200 "ok"; }
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
            proxy_request_buffering off;
            proxy_buffering off;
        }
    }
}
CONF

"$nginx" -p "$data" -c "$data/nginx.conf" -e "$data/error.log" < /dev/null > "$data/nginx.out" 2>&1 &
echo "$! QUIT nginx" > "$data/pids"
for _ in $(seq 100); do
    curl -sf -o /dev/null -k "https://127.0.0.1:$port/__tls_proxy_ready__" && break
    sleep 0.1
done
curl -sf -o /dev/null -k "https://127.0.0.1:$port/__tls_proxy_ready__" || {
    echo "start-tls-proxy: nginx did not come up on port $port" >&2
    cat "$data/nginx.out" "$data/error.log" >&2 2>/dev/null || true
    exit 1
}
echo "READY endpoint=https://127.0.0.1:$port ca=$data/certs/ca.pem"
