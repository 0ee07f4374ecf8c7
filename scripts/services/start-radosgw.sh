#!/usr/bin/env bash
# Starts a throwaway Ceph RGW (S3 API, signatures checked) on 127.0.0.1:PORT for tests:
# one ceph-mon (PORT+1), one ceph-osd on the in-memory memstore backend (no disk) and radosgw,
# with one S3 user. Debian 12 has radosgw 16 (pacific), which needs a RADOS cluster behind it.
# Usage: scripts/services/start-radosgw.sh DATADIR [PORT=7480]
#   Env: S3_ACCESS_KEY, S3_SECRET_KEY (the user's keys), MEMSTORE_BYTES (default 1 GiB).
#   Prints one line "READY endpoint=http://127.0.0.1:PORT access_key=... secret_key=..." and
#   leaves DATADIR/pids for scripts/services/stop-service.sh. With curl, sign requests with
#   --aws-sigv4 aws:amz:us-east-1:s3 and send x-amz-content-sha256 (RGW requires it).
# Packages: scripts/install-deps.sh s3 (radosgw ceph-mon ceph-osd).
set -euo pipefail

data=${1:?usage: start-radosgw.sh DATADIR [PORT]}
port=${2:-7480}
mon_port=$((port + 1))
access_key=${S3_ACCESS_KEY:-TESTACCESSKEY}
secret_key=${S3_SECRET_KEY:-TESTSECRETKEY}

for tool in radosgw radosgw-admin ceph-mon ceph-osd ceph monmaptool ceph-authtool; do
    command -v "$tool" >/dev/null || {
        echo "start-radosgw: $tool is missing (scripts/install-deps.sh s3)" >&2
        exit 1
    }
done

# DATADIR is wiped on every start, so it must be ours.
mkdir -p "$data"
data=$(cd "$data" && pwd)
if [ -n "$(ls -A "$data")" ]; then
    [ -f "$data/.radosgw" ] || { echo "start-radosgw: $data is not empty and not ours" >&2; exit 1; }
    [ ! -f "$data/pids" ] || { echo "start-radosgw: already running in $data" >&2; exit 1; }
    rm -rf "${data:?}"/*
fi
touch "$data/.radosgw"
mkdir -p "$data"/{run,log,mon,osd,rgw}
cd "$data"

fsid=$(cat /proc/sys/kernel/random/uuid)
# cephx is off inside the cluster; S3 requests are still authenticated by RGW.
cat > ceph.conf <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind ipv6 = false
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc
ms client mode = crc
ms mon cluster mode = crc
ms mon service mode = crc
ms cluster mode = crc
ms service mode = crc
mon data avail warn = 1
mon data avail crit = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd crush chooseleaf type = 0
osd objectstore = memstore
memstore device bytes = ${MEMSTORE_BYTES:-1073741824}
run dir = $data/run
admin socket = $data/run/\$name.asok
log file = $data/log/\$name.log
mon data = $data/mon/\$name
osd data = $data/osd/\$name
keyring = $data/keyring
[client.rgw.test]
rgw frontends = beast endpoint=127.0.0.1:$port
rgw data = $data/rgw
CONF
conf=(-c "$data/ceph.conf")
pids=()

# pids lists what runs, the last started first: the order to stop them in.
record() {
    pids=("$1 TERM $2" "${pids[@]}")
    printf '%s\n' "${pids[@]}" > pids
}
fail() {
    echo "start-radosgw: $1" >&2
    tail -20 "$2" >&2 || true
    exit 1
}

ceph-authtool --create-keyring keyring --gen-key -n mon. --cap mon 'allow *' >/dev/null
monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" monmap >/dev/null
ceph-mon "${conf[@]}" --mkfs -i a --monmap monmap --keyring keyring > log/mkfs-mon.out 2>&1
ceph-mon "${conf[@]}" -i a -f < /dev/null > log/mon.out 2>&1 &
record $! ceph-mon
timeout 30 ceph "${conf[@]}" --connect-timeout 30 -s > /dev/null 2>&1 ||
    fail "the monitor did not come up" log/mon.a.log

osd_id=$(timeout 30 ceph "${conf[@]}" osd create 2>/dev/null)
mkdir -p "osd/osd.$osd_id"
ceph-osd "${conf[@]}" -i "$osd_id" --mkfs > log/mkfs-osd.out 2>&1
ceph-osd "${conf[@]}" -i "$osd_id" -f < /dev/null > log/osd.out 2>&1 &
record $! ceph-osd
for _ in $(seq 120); do
    ceph "${conf[@]}" osd stat 2>/dev/null | grep -q "1 up" && break
    sleep 0.25
done

radosgw "${conf[@]}" -n client.rgw.test -f < /dev/null > log/rgw.out 2>&1 &
rgw_pid=$!
record $rgw_pid radosgw
answers() { curl -sf -o /dev/null "http://127.0.0.1:$port/"; }
for _ in $(seq 240); do
    answers && break
    kill -0 $rgw_pid 2>/dev/null || break
    sleep 0.25
done
answers || fail "radosgw did not come up" log/client.rgw.test.log

radosgw-admin "${conf[@]}" user create --uid=tester --display-name=Tester \
    --access-key="$access_key" --secret-key="$secret_key" > log/user.json 2>&1 ||
    fail "cannot create the S3 user" log/user.json
echo "READY endpoint=http://127.0.0.1:$port access_key=$access_key secret_key=$secret_key"
