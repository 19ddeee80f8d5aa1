#!/usr/bin/env bash
# Provides the `node:22-bookworm-slim` base image the Dockerfiles start FROM.
# Online: pulls the official image. Offline (no registry answers): builds a stand-in with
# the same name and layout — Debian bookworm (debootstrap from this machine's Debian mirror),
# the project's own Node 22 binary at /usr/local/bin/node, npm at /usr/local/lib/node_modules/npm,
# a `node` user (uid 1000) — so the unchanged Dockerfiles build either way.
# Idempotent: does nothing when the tag exists (FORCE=1 rebuilds).
#
# The CUDA base of the gpu-worker `cuda` target (nvidia/cuda:12.x-cudnn-runtime-ubuntu22.04)
# cannot be made offline, and a fake would lie about CUDA; without a registry that target is
# simply not buildable.
set -euo pipefail

IMAGE="${BASE_IMAGE:-node:22-bookworm-slim}"
PULL_TIMEOUT_SEC="${PULL_TIMEOUT_SEC:-20}"
SUITE=bookworm
ROOT_DIR="$(cd "$(dirname "$0")/../.." && pwd)"

say() { echo "[base-image] $*" >&2; }
die() { echo "[base-image] ERROR: $*" >&2; exit 1; }

bash "$ROOT_DIR/scripts/docker/ensure-docker.sh"

if [ "${FORCE:-0}" != "1" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "$IMAGE present"
  exit 0
fi

# A pull that hangs on an unreachable registry would waste minutes: bound it.
if [ "${SKIP_PULL:-0}" != "1" ]; then
  say "trying docker pull $IMAGE (${PULL_TIMEOUT_SEC}s)"
  if timeout "$PULL_TIMEOUT_SEC" docker pull -q "$IMAGE" >/dev/null 2>&1; then
    say "pulled $IMAGE"
    exit 0
  fi
  say "no registry reachable: building $IMAGE locally"
fi

[ "$(id -u)" = "0" ] || die "building the base image needs root (debootstrap)"
if ! command -v debootstrap >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null \
    || { apt-get update -qq >/dev/null \
      && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; } \
    || die "cannot install debootstrap"
fi

# The real binary, not the npm shim or a symlink to it.
NODE_BIN="$(readlink -f "$ROOT_DIR/node_modules/node/bin/node" 2>/dev/null || true)"
[ -x "$NODE_BIN" ] || die "no Node binary at node_modules/node/bin/node: run npm ci at the repo root first"
NODE_VERSION="$("$NODE_BIN" --version)"
case "$NODE_VERSION" in v22.*) ;; *) die "node_modules/node is $NODE_VERSION, expected v22" ;; esac

# The official image ships npm; the `node` npm package does not, so take the host's npm
# (the same one that wrote package-lock.json).
NPM_DIR="$(npm root -g 2>/dev/null)/npm"
[ -f "$NPM_DIR/bin/npm-cli.js" ] || die "no npm found at $NPM_DIR"

# The mirror this machine's apt already reaches (deb822 or one-line sources).
mirror="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources \
  | awk '{print $2}' | grep -v security | head -n1 || true)"
[ -n "$mirror" ] || mirror="$(grep -hsE '^deb\s' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
  | awk '{print $2}' | grep -v security | grep -i debian | head -n1 || true)"
MIRROR="${DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}"

work="$(mktemp -d /var/tmp/s3-base-image.XXXXXX)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
started=$(date +%s)

say "debootstrap $SUITE from $MIRROR"
keyring=()
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] \
  && keyring=(--keyring=/usr/share/keyrings/debian-archive-keyring.gpg)
debootstrap --variant=minbase "${keyring[@]}" "$SUITE" "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }

# Slim like the official image: no docs, no package caches.
rm -rf "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* \
  "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/var/log/*.log "$rootfs"/tmp/*

install -m 0755 "$NODE_BIN" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# This machine's trusted CAs (a TLS-intercepting egress proxy's among them), so npm inside
# builds reaches the registry as the host's npm does. Public certificates, not secrets.
CA_BUNDLE="${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}"
ca_env=()
if [ -f "$CA_BUNDLE" ]; then
  mkdir -p "$rootfs/etc/ssl/certs"
  cp "$CA_BUNDLE" "$rootfs/etc/ssl/certs/ca-certificates.crt"
  ca_env=(--change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt'
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt')
fi

# The official image's unprivileged user, which Dockerfiles may name in USER.
grep -q '^node:' "$rootfs/etc/group" || echo 'node:x:1000:' >>"$rootfs/etc/group"
grep -q '^node:' "$rootfs/etc/passwd" || echo 'node:x:1000:1000::/home/node:/bin/sh' >>"$rootfs/etc/passwd"
grep -q '^node:' "$rootfs/etc/shadow" 2>/dev/null || echo 'node:*:19000:0:99999:7:::' >>"$rootfs/etc/shadow"
mkdir -p "$rootfs/home/node" && chown 1000:1000 "$rootfs/home/node"

say "importing as $IMAGE"
tar -C "$rootfs" --numeric-owner -c . | docker import \
  -m "built offline by scripts/docker/build-base-image.sh (Debian $SUITE + Node $NODE_VERSION)" \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=${NODE_VERSION#v}" \
  --change 'CMD ["node"]' \
  "${ca_env[@]}" \
  - "$IMAGE" >/dev/null

docker run --rm "$IMAGE" sh -c 'node --version && npm --version' >"$work/check" 2>&1 \
  || { cat "$work/check" >&2; die "the built image cannot run node and npm"; }
say "built $IMAGE in $(( $(date +%s) - started ))s: node $(sed -n 1p "$work/check"), npm $(sed -n 2p "$work/check")," \
  "$(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{printf "%.0f MB", $1/1e6}')"
