#!/usr/bin/env bash
# Runs a deployment's nginx site file (deploy/nginx/antenna.conf) as a throwaway, unprivileged
# nginx on 127.0.0.1:PORT with test certificates, in front of an antenna at UPSTREAM (host:port).
# The site file is used as shipped except for what only an installation knows: the listen
# address, the certificate paths, the password file (user "developer", password "password", as
# Antenna's local image), the upstream, and CLIENT_BODY_TIMEOUT when given (tests set it low).
# Usage: scripts/services/start-nginx-site.sh DATADIR PORT UPSTREAM [SITE=deploy/nginx/antenna.conf]
#   Prints "READY endpoint=https://127.0.0.1:PORT ca=DATADIR/certs/ca.pem"; stop with
#   scripts/services/stop-service.sh DATADIR.     Packages: nginx-light openssl curl
set -euo pipefail

usage="usage: start-nginx-site.sh DATADIR PORT UPSTREAM [SITE]"
data=${1:?$usage}
port=${2:?$usage}
upstream=${3:?$usage}
site=${4:-$(dirname "$0")/../../deploy/nginx/antenna.conf}

nginx=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$nginx" ] || { echo "start-nginx-site: nginx is missing (scripts/install-deps.sh s3)" >&2; exit 1; }
mkdir -p "$data/temp"
data=$(cd "$data" && pwd)
[ ! -f "$data/pids" ] || { echo "start-nginx-site: already running in $data" >&2; exit 1; }
"$(dirname "$0")/make-test-certs.sh" "$data/certs"
# htpasswd's {SHA} form: base64 of SHA-1 of the password, which nginx reads.
echo "developer:{SHA}$(printf password | openssl dgst -sha1 -binary | base64)" > "$data/htpasswd"

sed -e "s|listen 443 ssl http2;|listen 127.0.0.1:$port ssl http2;|" \
    -e "/listen \[::\]:443/d" \
    -e "s|/etc/ssl/antenna/fullchain.pem|$data/certs/server.pem|" \
    -e "s|/etc/ssl/antenna/privkey.pem|$data/certs/server.key|" \
    -e "s|/etc/nginx/antenna.htpasswd|$data/htpasswd|" \
    -e "s|server 127.0.0.1:8000;|server $upstream;|" \
    ${CLIENT_BODY_TIMEOUT:+-e "s|client_body_timeout 70s;|client_body_timeout $CLIENT_BODY_TIMEOUT;|"} \
    "$site" > "$data/site.conf"

cat > "$data/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $data/nginx.pid;
error_log $data/error.log warn;
events { worker_connections 256; }
http {
    log_format forwarded '\$remote_addr "\$http_x_forwarded_for" \$status \$request';
    access_log $data/access.log forwarded;
    client_body_temp_path $data/temp/body;
    proxy_temp_path $data/temp/proxy;
    fastcgi_temp_path $data/temp/fastcgi;
    uwsgi_temp_path $data/temp/uwsgi;
    scgi_temp_path $data/temp/scgi;
    include $data/site.conf;
}
CONF

"$nginx" -p "$data" -c "$data/nginx.conf" -e "$data/error.log" < /dev/null > "$data/nginx.out" 2>&1 &
echo "$! QUIT nginx" > "$data/pids"
up() { curl -sf -o /dev/null --cacert "$data/certs/ca.pem" "https://127.0.0.1:$port/__nginxheartbeat__"; }
for _ in $(seq 100); do
    up && break
    sleep 0.1
done
up || {
    echo "start-nginx-site: nginx did not come up on port $port" >&2
    cat "$data/nginx.out" "$data/error.log" >&2 2>/dev/null || true
    exit 1
}
echo "READY endpoint=https://127.0.0.1:$port ca=$data/certs/ca.pem"
