# Sourced by deploy/setup.sh and test/smoke/smoke.sh: builds the stack's own images from the repo root.
SEM_API_IMAGE=localhost/sem-ingest-api:latest
SEM_SIM_IMAGE=localhost/sem-device-sim:latest

# sem_build_images REPO_ROOT [podman build flags...]
sem_build_images() {
  local root="$1"
  shift
  echo "building $SEM_API_IMAGE"
  podman build --format docker "$@" -f "$root/services/ingest-api/Containerfile" -t "$SEM_API_IMAGE" "$root"
  echo "building $SEM_SIM_IMAGE"
  podman build --format docker "$@" -f "$root/services/device-sim/Containerfile" -t "$SEM_SIM_IMAGE" "$root"
}
