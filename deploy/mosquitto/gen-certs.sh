#!/usr/bin/env bash
# Creates TLS material at set-up: a private CA and a server certificate signed by it.
# Usage: gen-certs.sh <out-dir> [dns-name-or-ip ...]   (localhost and 127.0.0.1 are always included)
# With CA_DIR=<dir>, the certificate is signed by the CA already in <dir> (ca.crt, ca.key), made there
# first if missing, and <out-dir> gets a copy of ca.crt only: one CA for MQTT and HTTPS, so devices
# hold one ca.crt. Existing files are kept unless FORCE=1, so re-running never breaks devices.
set -euo pipefail

out=${1:?usage: gen-certs.sh <out-dir> [dns-name-or-ip ...]}
shift
ca_dir=${CA_DIR:-$out}
mkdir -p "$out" "$ca_dir"
umask 077

# The servers run as unprivileged users that must read their key (0644 inside deploy/secrets, a
# 0700 folder: no other host user reaches it); the CA key stays private. Also fixes older set-ups.
share() {
  chmod 644 "$out/ca.crt" "$out/server.crt" "$out/server.key"
}

if [ -s "$out/server.crt" ] && [ -s "$out/server.key" ] && [ "${FORCE:-0}" != 1 ]; then
  [ -s "$out/ca.crt" ] && share
  echo "certificates exist in $out (FORCE=1 to replace)"
  exit 0
fi

# Subject alternative names: clients verify the host name against these, never against the CN.
san="DNS:localhost,IP:127.0.0.1"
for name in "$@"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then san="$san,IP:$name"; else san="$san,DNS:$name"; fi
done

# RSA 2048 because the ESP8266/ESP32 TLS stacks in HAN readers handle it everywhere.
if [ ! -s "$ca_dir/ca.key" ] || [ ! -s "$ca_dir/ca.crt" ] || { [ "${FORCE:-0}" = 1 ] && [ "$ca_dir" = "$out" ]; }; then
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "${CA_DAYS:-3650}" \
    -keyout "$ca_dir/ca.key" -out "$ca_dir/ca.crt" -subj "/CN=SEM local CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  chmod 644 "$ca_dir/ca.crt"
fi
[ "$ca_dir" = "$out" ] || cp "$ca_dir/ca.crt" "$out/ca.crt"

openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$out/server.key" -out "$out/server.csr" \
  -subj "/CN=${1:-localhost}" 2>/dev/null

ext=$(mktemp)
trap 'rm -f "$ext"' EXIT
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" >"$ext"
openssl x509 -req -in "$out/server.csr" -CA "$ca_dir/ca.crt" -CAkey "$ca_dir/ca.key" -set_serial "0x$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')" \
  -days "${SERVER_DAYS:-825}" -sha256 -extfile "$ext" -out "$out/server.crt" 2>/dev/null
rm -f "$out/server.csr"
share
echo "wrote $out/ca.crt, $out/server.crt, $out/server.key (SAN $san)"
