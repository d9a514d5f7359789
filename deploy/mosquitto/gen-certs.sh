#!/usr/bin/env bash
# Creates the broker's TLS material at set-up: a private CA and a server certificate signed by it.
# Usage: gen-certs.sh <out-dir> [dns-name-or-ip ...]   (localhost and 127.0.0.1 are always included)
# Devices get ca.crt only. Existing files are kept unless FORCE=1, so re-running never breaks devices.
set -euo pipefail

out=${1:?usage: gen-certs.sh <out-dir> [dns-name-or-ip ...]}
shift
mkdir -p "$out"
umask 077

if [ -s "$out/server.crt" ] && [ -s "$out/ca.crt" ] && [ "${FORCE:-0}" != 1 ]; then
  echo "certificates exist in $out (FORCE=1 to replace)"
  exit 0
fi

# Subject alternative names: clients verify the host name against these, never against the CN.
san="DNS:localhost,IP:127.0.0.1"
for name in "$@"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then san="$san,IP:$name"; else san="$san,DNS:$name"; fi
done

# RSA 2048 because the ESP8266/ESP32 TLS stacks in HAN readers handle it everywhere.
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days "${CA_DAYS:-3650}" \
  -keyout "$out/ca.key" -out "$out/ca.crt" -subj "/CN=SEM MQTT CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$out/server.key" -out "$out/server.csr" \
  -subj "/CN=${1:-localhost}" 2>/dev/null

ext=$(mktemp)
trap 'rm -f "$ext"' EXIT
printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=%s\n' "$san" >"$ext"
openssl x509 -req -in "$out/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -CAcreateserial \
  -days "${SERVER_DAYS:-825}" -sha256 -extfile "$ext" -out "$out/server.crt" 2>/dev/null
rm -f "$out/server.csr" "$out/ca.srl"

# The broker runs as an unprivileged user that must read its key; the CA key stays private.
chmod 644 "$out/ca.crt" "$out/server.crt"
chmod 640 "$out/server.key"
echo "wrote $out/ca.crt, $out/server.crt, $out/server.key (SAN $san)"
