#!/usr/bin/env bash
# Creates the development PKI of the virtual cards (never for production):
#   operator-ca.{key,crt}  development operator CA (the cloud trusts it for operator login)
#   cns-ca.{key,crt}       development "CNS CA" for citizens' cards
#   <profile>.{key,crt}    a 2048-bit RSA key and a certificate for each hw/profiles/*.json,
#                          CN "CF/TEAM"; the operator's chains to the operator CA
# Usage: scripts/devca.sh [DIR]   (default .run/pki, git-ignored). Idempotent: files
# that exist are kept; delete DIR to start over.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:-$top/.run/pki}
mkdir -p "$dir"
chmod 700 "$dir"
command -v openssl >/dev/null || { echo "devca: openssl is missing (apt-get install openssl)"; exit 1; }

key() { [ -s "$1" ] || { openssl genpkey -quiet -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1"; chmod 600 "$1"; }; }

ca() { # name, CN
  key "$dir/$1.key"
  [ -s "$dir/$1.crt" ] || openssl req -x509 -new -key "$dir/$1.key" -sha256 -days 3650 \
    -subj "/O=CNS Kiosk development/CN=$2" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$dir/$1.crt"
}

field() { sed -n "s/^ *\"$1\": *\"\([^\"]*\)\".*/\1/p" "$2" | head -1; }

ca operator-ca "Development Operator CA"
ca cns-ca "Development CNS CA"
for p in "$top"/hw/profiles/*.json; do
  name=$(basename "$p" .json)
  issuer=cns-ca
  [ "$name" = operator ] && issuer=operator-ca
  key "$dir/$name.key"
  [ -s "$dir/$name.crt" ] && continue
  ext=$(mktemp)
  printf 'keyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n' >"$ext"
  openssl req -new -key "$dir/$name.key" -subj "/C=IT/serialNumber=TINIT-$(field cf "$p")/CN=$(field cf "$p")\/$(field team "$p")" -out "$dir/$name.csr"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$issuer.crt" -CAkey "$dir/$issuer.key" -CAcreateserial \
    -days 2190 -sha256 -extfile "$ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$ext" "$dir/$name.csr"
done
echo "devca: development PKI in $dir"
