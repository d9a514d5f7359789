#!/usr/bin/env bash
# STAND-INS, for machines that cannot reach a container registry. Builds local images from local
# material and tags them with the official names pod.yaml/compose.yaml use, so those files stay
# unchanged. Each image is built once and reused (podman's store is the cache); --rebuild redoes them.
# Names after the options build only those (node, mariadb, mosquitto, grafana; `npm run test:containers`
# needs two).
#   localhost/debian:bookworm                 debootstrap --variant=minbase bookworm, podman import
#   docker.io/library/node:24-bookworm-slim   that base + the node binary of the repo's `node` devDependency + npm
#   docker.io/library/mariadb:11.4            that base + Debian's mariadb-server behind an entrypoint that
#                                             honours the official image's interface (see mariadb/README.md)
#   docker.io/library/eclipse-mosquitto:2.0   that base + Debian's mosquitto with the official image's
#                                             folders, user (1883), port and entrypoint (see mosquitto/Containerfile)
#   docker.io/grafana/grafana:<pod.yaml's>    NOT Grafana: the node stand-in + a small server that honours the
#                                             GF_* settings the pod sets (HTTPS with GF_SERVER_CERT_*, admin
#                                             password), user 472, /api/health (see grafana/Containerfile)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
cache="${SEM_SMOKE_CACHE:-/var/tmp/sem-smoke}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

BASE_IMAGE=localhost/debian:bookworm
NODE_IMAGE=docker.io/library/node:24-bookworm-slim
# The versions pod.yaml pins (the tests read them from there too).
pod_image() { sed -nE "s#^[[:space:]]*image:[[:space:]]*(\S*/$1:\S+)[[:space:]]*\$#\1#p" "$repo/pod.yaml" | head -n 1; }
MARIADB_IMAGE=$(pod_image mariadb)
MOSQUITTO_IMAGE=$(pod_image eclipse-mosquitto)
GRAFANA_IMAGE=$(pod_image grafana)
[ -n "$MARIADB_IMAGE" ] && [ -n "$MOSQUITTO_IMAGE" ] && [ -n "$GRAFANA_IMAGE" ] \
  || { echo "stand-ins: pod.yaml names no mariadb, eclipse-mosquitto or grafana image" >&2; exit 1; }

rebuild=0
[ "${1:-}" = "--rebuild" ] && rebuild=1 && shift
wanted=" ${*:-node mariadb mosquitto grafana} "
want() { [[ $wanted == *" $1 "* ]]; }

have_image() { [ "$rebuild" = 0 ] && podman image exists "$1"; }
# An image is one of ours only when it carries the stand-in label; never overwrite a real one.
is_stand_in() { [ "$(podman image inspect --format '{{index .Labels "org.sem.stand-in"}}' "$1" 2>/dev/null)" = "true" ]; }

mkdir -p "$cache"

if have_image "$BASE_IMAGE"; then
  echo "stand-ins: $BASE_IMAGE cached"
else
  rootfs_tar="$cache/debian-bookworm-minbase.tar"
  if [ "$rebuild" = 1 ] || [ ! -s "$rootfs_tar" ]; then
    echo "stand-ins: debootstrap bookworm minbase (about 30 s)"
    rootfs="$cache/rootfs"
    rm -rf "$rootfs"
    debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
      || { tail -n 20 "$cache/debootstrap.log" >&2; exit 1; }
    # Same apt sources as the official debian image, so stand-in builds can apt-get install.
    echo "deb $mirror bookworm main" >"$rootfs/etc/apt/sources.list"
    rm -rf "$rootfs/var/cache/apt/archives/"*.deb "$rootfs/var/lib/apt/lists/"*
    tar -C "$rootfs" -cf "$rootfs_tar.partial" . && mv "$rootfs_tar.partial" "$rootfs_tar"
    rm -rf "$rootfs"
  fi
  podman import -q --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["bash"]' --change 'LABEL org.sem.stand-in=true' \
    "$rootfs_tar" "$BASE_IMAGE" >/dev/null
  echo "stand-ins: imported $BASE_IMAGE"
fi

build_stand_in() {
  local name="$1" dir="$2"
  shift 2
  if have_image "$name"; then
    echo "stand-ins: $name cached (stand-in)"
    return 0
  fi
  if podman image exists "$name" && ! is_stand_in "$name"; then
    echo "stand-ins: $name exists and is not a stand-in; leaving it" >&2
    return 0
  fi
  echo "stand-ins: building $name from $dir"
  podman build --network host --layers -q -t "$name" "$@" "$dir" >/dev/null
}

build_node() {
# The node stand-in needs the binary beside its Containerfile; a hard link costs no space.
node_bin="$repo/node_modules/node/bin/node"
[ -x "$node_bin" ] || { echo "stand-ins: $node_bin missing: run npm ci first" >&2; exit 1; }
npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
[ -f "$npm_dir/package.json" ] || { echo "stand-ins: npm not found on the host" >&2; exit 1; }
ctx="$cache/node-context"
if ! have_image "$NODE_IMAGE"; then
  rm -rf "$ctx" && mkdir -p "$ctx"
  cp "$here/node/Containerfile" "$ctx/"
  ln "$node_bin" "$ctx/node" 2>/dev/null || cp "$node_bin" "$ctx/node"
  cp -a "$npm_dir" "$ctx/npm"
  # This host's CA bundle (it may reach the npm registry through a TLS-inspecting proxy), so
  # `npm ci` inside image builds trusts what the host trusts. Stand-in only; official images skip this.
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$ctx/host-ca.crt"
fi
build_stand_in "$NODE_IMAGE" "$ctx"
}
if want node; then build_node; fi
if want mariadb; then build_stand_in "$MARIADB_IMAGE" "$here/mariadb"; fi
if want mosquitto; then build_stand_in "$MOSQUITTO_IMAGE" "$here/mosquitto"; fi
# FROM the node image (official or stand-in), so node is built first when both are asked for.
if want grafana; then
  podman image exists "$NODE_IMAGE" || build_node
  build_stand_in "$GRAFANA_IMAGE" "$here/grafana"
fi
