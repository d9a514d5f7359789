#!/usr/bin/env bash
# One-time (and after every update) set-up of the SEM stack for Podman:
#   1. generates the secrets into deploy/secrets/ on first run (random; gitignored; never printed),
#      a local CA with the MQTT broker's certificate into deploy/secrets/mqtt-tls/ and the HTTPS
#      certificate of the API and Grafana, signed by the same CA, into deploy/secrets/https-tls/
#      (all kept once made; devices trust deploy/secrets/mqtt-tls/ca.crt for both),
#   2. loads them into the Podman secret `sem-secrets` that pod.yaml reads,
#   3. builds the images localhost/sem-ingest-api and localhost/sem-device-sim.
# Then start the stack from the repo root with:  podman kube play --replace pod.yaml
#
# Options:
#   --show-admin-token        print the API admin token and exit
#   --show-grafana-password   print Grafana's admin password and exit
#   --show-homeassistant-password  print the broker password of Home Assistant's account and exit
#   --secrets-only            only step 1 (e.g. for docker compose, which builds its own images)
#   --no-build                steps 1 and 2 only
#   --without grafana|mqtt    leave Grafana, or Mosquitto with mqtt-ingest, out of the stack (repeatable)
#   --with demo               add the demo meter simulator
#                             With either, the pod to play is written to pod.local.yaml (pod.yaml minus
#                             or plus those parts) and compose's profiles to .env (COMPOSE_PROFILES).
#   --tls-cert FILE --tls-key FILE
#                             use your own HTTPS certificate (full chain, PEM) and key for the API and
#                             Grafana instead of the local CA's; copied into deploy/secrets/https-tls/
# Environment: SEM_TLS_NAMES="sem.example.org 192.0.2.7" adds the host names/IPs devices and browsers
# use to the broker's and the HTTPS certificates (localhost, 127.0.0.1, this host's name, `mosquitto`
# and `ingest-api` are always in them); SEM_MQTT_TLS_NAMES is read too, as before.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
secrets_dir="${SEM_SECRETS_DIR:-$root/deploy/secrets}"
podman_secret="${SEM_PODMAN_SECRET:-sem-secrets}"
# shellcheck source=deploy/lib/secrets.sh
. "$root/deploy/lib/secrets.sh"
# shellcheck source=deploy/lib/images.sh
. "$root/deploy/lib/images.sh"
# shellcheck source=deploy/lib/pod-variant.sh
. "$root/deploy/lib/pod-variant.sh"

show_secret() {
  [ -s "$secrets_dir/$1" ] || { echo "no $1 yet: run deploy/setup.sh first" >&2; exit 1; }
  cat "$secrets_dir/$1"
  echo
  exit 0
}

mode=all
own_cert=""
own_key=""
without=""
with=""
choice() { # OPTION VALUE ALLOWED...: the value when allowed, else a usage error
  local option="$1" value="${2:-}" a
  shift 2
  for a in "$@"; do [ "$value" = "$a" ] && { echo "$value"; return; }; done
  echo "$option: one of $*, not '$value'" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --show-admin-token) show_secret admin-token ;;
    --show-grafana-password) show_secret grafana-admin-password ;;
    --show-homeassistant-password) show_secret mqtt-homeassistant-password ;;
    --secrets-only) mode=secrets ;;
    --no-build) mode=no-build ;;
    --without) without="$without $(choice --without "${2:-}" grafana mqtt)"; shift ;;
    --with) with="$with $(choice --with "${2:-}" demo)"; shift ;;
    --tls-cert) own_cert=${2:?--tls-cert needs a file}; shift ;;
    --tls-key) own_key=${2:?--tls-key needs a file}; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -n "$own_cert$own_key" ] && { [ ! -s "$own_cert" ] || [ ! -s "$own_key" ]; }; then
  echo "--tls-cert and --tls-key go together and must name readable files" >&2
  exit 2
fi

created="$(sem_generate_secrets "$secrets_dir")"
if [ -n "$created" ]; then
  echo "generated secrets in ${secrets_dir#"$root/"}/: $(echo "$created" | tr '\n' ' ')"
else
  echo "secrets: keeping the existing ones in ${secrets_dir#"$root/"}/"
fi

# TLS material: made here, never committed (deploy/secrets is gitignored). Devices get ca.crt.
command -v openssl >/dev/null 2>&1 || { echo "openssl is needed for the TLS certificates (apt-get install openssl)" >&2; exit 1; }
tls_names="$(hostname -f 2>/dev/null || hostname) ${SEM_TLS_NAMES:-} ${SEM_MQTT_TLS_NAMES:-}"
# shellcheck disable=SC2086 # a list of names
bash "$root/deploy/mosquitto/gen-certs.sh" "$secrets_dir/mqtt-tls" $tls_names mosquitto | sed "s|$root/||g"
if [ -n "$own_cert" ]; then
  mkdir -p "$secrets_dir/https-tls"
  cp "$own_cert" "$secrets_dir/https-tls/server.crt"
  cp "$own_key" "$secrets_dir/https-tls/server.key"
  # The probes and the demo simulator verify with ca.crt: the chain's last certificate is its root or issuer.
  awk '/BEGIN CERTIFICATE/ { b = "" } { b = b $0 "\n" } END { printf "%s", b }' "$own_cert" >"$secrets_dir/https-tls/ca.crt"
  chmod 644 "$secrets_dir/https-tls/"*
  echo "HTTPS: your certificate ${own_cert} is in ${secrets_dir#"$root/"}/https-tls/"
else
  # shellcheck disable=SC2086 # a list of names
  CA_DIR="$secrets_dir/mqtt-tls" bash "$root/deploy/mosquitto/gen-certs.sh" "$secrets_dir/https-tls" \
    $tls_names ingest-api | sed "s|$root/||g"
fi

# Choices, given at each run (none: everything): a pod file without (or with) the optional parts,
# and compose's profiles to match.
run_yaml=pod.yaml
if [ -n "$without$with" ]; then
  sem_pod_variant "$root/pod.yaml" "$root/pod.local.yaml" "$without" "${with//demo/device-sim}"
  run_yaml=pod.local.yaml
fi
profiles=""
for part in grafana mqtt; do case " $without " in *" $part "*) ;; *) profiles="$profiles,$part" ;; esac; done
case " $with " in *" demo "*) profiles="$profiles,demo" ;; esac
touch "$root/.env"
sed -i '/^COMPOSE_PROFILES=/d' "$root/.env"
echo "COMPOSE_PROFILES=${profiles#,}" >>"$root/.env"
echo "stack: $run_yaml; compose: COMPOSE_PROFILES=${profiles#,} (in .env)"
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
echo "  podman kube play --replace $run_yaml"
echo "Ingest API: https://localhost:8443 (plain http://localhost:8080 for readers without TLS)"
echo "Grafana: https://localhost:3000 (user admin; password: deploy/setup.sh --show-grafana-password)"
echo "MQTT over TLS: localhost:8883. CA for devices and browsers: ${secrets_dir#"$root/"}/mqtt-tls/ca.crt"
