#!/usr/bin/env bash
# Makes throwaway certificates for TLS tests in OUTDIR (EC P-256, valid 30 days):
#   ca.pem/.key          a test root CA
#   server.pem/.key      signed by it for DNS:localhost and IP:127.0.0.1
#   wrong-host.pem/.key  signed by it for DNS:wrong.example only (host-name verification)
#   other-ca.pem/.key    an unrelated CA (verification must fail with it)
# Does nothing when they exist and server.pem is valid for another day.
# Usage: scripts/services/make-test-certs.sh OUTDIR      Packages: openssl
set -euo pipefail

out=${1:?usage: make-test-certs.sh OUTDIR}
command -v openssl >/dev/null || { echo "make-test-certs: openssl is missing" >&2; exit 1; }
mkdir -p "$out"
cd "$out"

files=(ca.pem ca.key server.pem server.key wrong-host.pem wrong-host.key other-ca.pem other-ca.key)
complete=1
for file in "${files[@]}"; do [ -s "$file" ] || complete=0; done
if [ "$complete" = 1 ] && openssl x509 -checkend 86400 -noout -in server.pem >/dev/null 2>&1; then
    exit 0
fi

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

make_ca() {  # name subject
    key "$1.key"
    openssl req -x509 -new -key "$1.key" -sha256 -days 30 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$1.pem" 2>/dev/null
}

make_leaf() {  # name subject subjectAltName
    key "$1.key"
    openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' \
        "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -sha256 -days 30 \
        -extfile "$1.ext" -out "$1.pem" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

make_ca ca "antenna test CA"
make_ca other-ca "unrelated test CA"
make_leaf server localhost "DNS:localhost,IP:127.0.0.1"
make_leaf wrong-host wrong.example "DNS:wrong.example"
rm -f ca.srl
