#!/usr/bin/env bash
# Makes this host able to run the smoke pod: podman, runc, debootstrap, the mariadb client,
# mosquitto_pub (mosquitto-clients), openssl, and the two containers.conf settings Podman 4.3 needs
# on these machines. Says what it changed. Needs root.
set -euo pipefail

conf=/etc/containers/containers.conf

need_apt=()
command -v podman >/dev/null 2>&1 || need_apt+=(podman)
command -v runc >/dev/null 2>&1 || need_apt+=(runc)
command -v debootstrap >/dev/null 2>&1 || need_apt+=(debootstrap)
command -v mariadb >/dev/null 2>&1 || need_apt+=(mariadb-client)
command -v mosquitto_pub >/dev/null 2>&1 || need_apt+=(mosquitto-clients)
command -v openssl >/dev/null 2>&1 || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "host-setup: installing ${need_apt[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# Appends a key to a TOML table, creating the table if absent; leaves an existing key alone.
ensure_toml_key() {
  local table="$1" key="$2" value="$3"
  if awk -v t="[$table]" -v k="$key" '
      /^[[:space:]]*\[/ { gsub(/[[:space:]]/, ""); in_t = ($0 == t); next }
      in_t && $0 ~ "^[[:space:]]*" k "[[:space:]]*=" { found = 1 }
      END { exit found ? 0 : 1 }' "$conf"; then
    return 0
  fi
  if grep -qE "^[[:space:]]*\[$table\][[:space:]]*$" "$conf"; then
    sed -i -E "/^[[:space:]]*\[$table\][[:space:]]*$/a $key = $value" "$conf"
  else
    printf '\n[%s]\n%s = %s\n' "$table" "$key" "$value" >>"$conf"
  fi
  echo "host-setup: set [$table] $key = $value in $conf"
}

mkdir -p "$(dirname "$conf")"
[ -f "$conf" ] || { : >"$conf"; echo "host-setup: created $conf"; }
# Without these, containers fail to start here (rlimit EPERM, crun missing).
ensure_toml_key containers default_ulimits '[]'
ensure_toml_key engine runtime '"runc"'
echo "host-setup: $(podman --version), runc $(runc --version | head -n1 | awk '{print $3}')"
