#!/usr/bin/env bash
# `npm run test:containers`: the whole suite with its MariaDB and broker in containers (SEM_TEST_DB=container),
# on Docker or Podman. Finds or starts the engine's API socket, makes sure the pinned images exist (pulled,
# or built from local material as stand-ins where no registry answers), runs the tests, and stops the
# Podman API service again if it started it. Arguments go to vitest (e.g. a file filter).
set -euo pipefail
cd "$(dirname "$0")/.."

# The images pod.yaml pins; the tests read them from there too (test/setup/pinned-images.ts).
pod_image() { sed -nE "s#^[[:space:]]*image:[[:space:]]*(\S*/$1:\S+)[[:space:]]*\$#\1#p" pod.yaml | head -n 1; }
images=("$(pod_image mariadb)" "$(pod_image eclipse-mosquitto)")

started_service=""
stop_service() { [ -z "$started_service" ] || { kill "$started_service" 2>/dev/null; wait "$started_service" 2>/dev/null || true; }; }
trap stop_service EXIT

socket_answers() { curl -fsS --max-time 2 --unix-socket "$1" http://d/_ping >/dev/null 2>&1; }

if [ -z "${DOCKER_HOST:-}" ] && ! socket_answers /var/run/docker.sock; then
  command -v podman >/dev/null || { echo "test:containers: no Docker socket and no podman; see README, Test" >&2; exit 1; }
  if [ "$(id -u)" = 0 ]; then sock=/run/podman/podman.sock; else sock="${XDG_RUNTIME_DIR:-/run/user/$(id -u)}/podman/podman.sock"; fi
  if ! socket_answers "$sock"; then
    mkdir -p "$(dirname "$sock")"
    podman system service --time=0 "unix://$sock" &
    started_service=$!
    for _ in $(seq 1 50); do socket_answers "$sock" && break; sleep 0.2; done
    socket_answers "$sock" || { echo "test:containers: podman system service did not answer on $sock" >&2; exit 1; }
  fi
  export DOCKER_HOST="unix://$sock"
fi
echo "test:containers: engine at ${DOCKER_HOST:-unix:///var/run/docker.sock}"

# Podman serves the Docker API; which CLI manages images follows the socket.
if [ -n "${DOCKER_HOST:-}" ] && command -v podman >/dev/null && [[ $DOCKER_HOST == *podman* ]]; then cli=podman
elif command -v docker >/dev/null; then cli=docker
else cli=podman; fi
missing=()
for image in "${images[@]}"; do
  "$cli" image inspect "$image" >/dev/null 2>&1 || "$cli" pull -q "$image" >/dev/null 2>&1 || missing+=("$image")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$cli" = podman ] || { echo "test:containers: cannot pull ${missing[*]}" >&2; exit 1; }
  echo "test:containers: no registry for ${missing[*]}; building the stand-ins (test/smoke/stand-ins)"
  bash test/smoke/stand-ins/build.sh mariadb mosquitto
fi

# Ryuk (testcontainers' reaper) cannot run under Podman; the suite removes its own containers.
export TESTCONTAINERS_RYUK_DISABLED=true
SEM_TEST_DB=container npx vitest run "$@"
