# Sourced by deploy/setup.sh and test/smoke/smoke.sh: the stack's generated secrets.
# One file per secret in a 0700 folder (compose mounts these files; pod.yaml reads them through one
# Podman secret). Values are random hex, made once and never overwritten.

# Secret names; each is a file name, a key of the Podman secret, and a compose secret.
SEM_SECRET_NAMES=(
  mariadb-root-password  # MariaDB root: used only by the image's first-start init
  db-owner-password      # sem_owner: schema owner, used by the migrate step
  db-api-password        # sem_api: DML on the API's tables
  db-readonly-password   # sem_grafana: SELECT only, Grafana's datasource
  admin-token            # bearer token for the API's admin routes
  grafana-admin-password # Grafana's `admin` user
  mqtt-ingest-password   # mqtt-ingest's own broker account (sem-ingest)
  mqtt-device-secret     # HMAC key every device's MQTT password derives from (docs/mqtt.md)
  mqtt-homeassistant-password # Home Assistant's broker account `homeassistant` (docs/mqtt.md)
)

sem_random_hex() { # BYTES -> 2*BYTES hex characters
  od -An -tx1 -N"$1" /dev/urandom | tr -d ' \n'
}

# Creates missing secret files in DIR; prints the names it created. Never overwrites.
sem_generate_secrets() {
  local dir="$1" name
  mkdir -p "$dir"
  chmod 0700 "$dir"
  for name in "${SEM_SECRET_NAMES[@]}"; do
    [ -s "$dir/$name" ] && continue
    # 0644 inside a 0700 folder: other host users cannot reach it, container users (mysql,
    # node, grafana) can read the file that compose bind-mounts.
    (umask 022 && sem_random_hex 24 >"$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name")
    echo "$name"
  done
}

# The Podman secret NAME as JSON {key: base64(value)}: the form env.valueFrom.secretKeyRef reads on
# Podman 4.3 and later alike. Recreated from the files, so it always matches them.
sem_podman_secret_create() {
  local secret="$1" dir="$2" name first=1
  if podman secret inspect "$secret" >/dev/null 2>&1; then
    podman secret rm "$secret" >/dev/null
  fi
  {
    printf '{'
    for name in "${SEM_SECRET_NAMES[@]}"; do
      [ "$first" = 1 ] || printf ','
      first=0
      printf '"%s":"%s"' "$name" "$(tr -d '\n' <"$dir/$name" | base64 -w0)"
    done
    printf '}'
  } | podman secret create "$secret" - >/dev/null
}
