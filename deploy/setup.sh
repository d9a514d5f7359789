#!/usr/bin/env bash
# One-time (and after every update) set-up of the SEM stack for Podman:
#   1. generates the secrets into deploy/secrets/ on first run (random; gitignored; never printed),
#      and the MQTT broker's TLS CA and certificate into deploy/secrets/mqtt-tls/ (kept once made),
#   2. loads them into the Podman secret `sem-secrets` that pod.yaml reads,
#   3. builds the images localhost/sem-ingest-api and localhost/sem-device-sim.
# Then start the stack from the repo root with:  podman kube play --replace pod.yaml
#
# Options:
#   --show-admin-token        print the API admin token and exit
#   --show-grafana-password   print Grafana's admin password and exit
#   --secrets-only            only step 1 (e.g. for docker compose, which builds its own images)
#   --no-build                steps 1 and 2 only
# Environment: SEM_MQTT_TLS_NAMES="mqtt.example.org 192.0.2.7" adds host names/IPs devices use to
# the broker certificate (localhost, 127.0.0.1, this host's name and `mosquitto` are always in it).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
secrets_dir="${SEM_SECRETS_DIR:-$root/deploy/secrets}"
podman_secret="${SEM_PODMAN_SECRET:-sem-secrets}"
# shellcheck source=deploy/lib/secrets.sh
. "$root/deploy/lib/secrets.sh"
# shellcheck source=deploy/lib/images.sh
. "$root/deploy/lib/images.sh"

show_secret() {
  [ -s "$secrets_dir/$1" ] || { echo "no $1 yet: run deploy/setup.sh first" >&2; exit 1; }
  cat "$secrets_dir/$1"
  echo
  exit 0
}

mode=all
for arg in "$@"; do
  case "$arg" in
    --show-admin-token) show_secret admin-token ;;
    --show-grafana-password) show_secret grafana-admin-password ;;
    --secrets-only) mode=secrets ;;
    --no-build) mode=no-build ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $arg (see --help)" >&2; exit 2 ;;
  esac
done

created="$(sem_generate_secrets "$secrets_dir")"
if [ -n "$created" ]; then
  echo "generated secrets in ${secrets_dir#"$root/"}/: $(echo "$created" | tr '\n' ' ')"
else
  echo "secrets: keeping the existing ones in ${secrets_dir#"$root/"}/"
fi

# The broker's TLS material: made here, never committed (deploy/secrets is gitignored). Devices get ca.crt.
command -v openssl >/dev/null 2>&1 || { echo "openssl is needed for the MQTT certificates (apt-get install openssl)" >&2; exit 1; }
# shellcheck disable=SC2086 # SEM_MQTT_TLS_NAMES is a list
bash "$root/deploy/mosquitto/gen-certs.sh" "$secrets_dir/mqtt-tls" \
  "$(hostname -f 2>/dev/null || hostname)" mosquitto ${SEM_MQTT_TLS_NAMES:-} | sed "s|$root/||g"
[ "$mode" = secrets ] && exit 0

if ! command -v podman >/dev/null 2>&1; then
  echo "podman is not installed (Debian/Ubuntu: sudo apt-get install podman; Fedora: sudo dnf install podman)." >&2
  echo "With docker compose instead: deploy/setup.sh --secrets-only && docker compose up -d --build" >&2
  exit 1
fi

sem_podman_secret_create "$podman_secret" "$secrets_dir"
echo "podman secret $podman_secret: loaded from ${secrets_dir#"$root/"}/"
[ "$mode" = no-build ] && exit 0

sem_build_images "$root" --layers
echo
echo "Set-up done. Start (or upgrade) the stack from $root with:"
echo "  podman kube play --replace pod.yaml"
echo "Ingest API: http://localhost:8080   Grafana: http://localhost:3000 (user admin;"
echo "password: deploy/setup.sh --show-grafana-password)   MQTT over TLS: localhost:8883"
echo "(CA for devices: ${secrets_dir#"$root/"}/mqtt-tls/ca.crt; credentials: docs/deploy.md)"
