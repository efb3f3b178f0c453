#!/usr/bin/env bash
# Development certificates for local HTTPS and mutual TLS (never use them in production).
#   scripts/dev-ca.sh [outdir]        (default var/dev-ca)
# Writes: ca.crt/ca.key (dev CA), server.crt/server.key (localhost, 127.0.0.1, ::1),
#         client.crt/client.key (a terminal client certificate for mutual TLS).
set -euo pipefail
outdir="${1:-var/dev-ca}"
days="${DEV_CA_DAYS:-825}"
mkdir -p "$outdir"
cd "$outdir"
umask 077

openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "$days" \
    -keyout ca.key -out ca.crt -subj "/CN=si-kiosk dev CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

issue() {  # name subject extensions
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$1.csr" -subj "$2" 2>/dev/null
    printf '%s\n' "$3" > "$1.ext"
    openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days "$days" -sha256 \
        -extfile "$1.ext" -out "$1.crt" 2>/dev/null
    rm -f "$1.csr" "$1.ext"
}

issue server "/CN=localhost" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"

issue client "/CN=KIOSK-DEMO-0001" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"

rm -f ca.srl
chmod 644 ca.crt server.crt client.crt
echo "dev CA written to $(pwd)"
