#!/usr/bin/env bash
# Builds the stack's images from the repository root and prints each one's build time and size:
#   s3-gpu-worker:cpu  (docker/gpu-worker.Dockerfile, target cpu)
#   s3-api:local       (docker/api.Dockerfile)
# Makes sure of a Docker engine and of the node:22-bookworm-slim base first (offline-capable).
# The cuda target needs a registry for its NVIDIA base: build it with
#   docker build -f docker/gpu-worker.Dockerfile --target cuda -t s3-gpu-worker:cuda .
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT_DIR"

bash scripts/docker/ensure-docker.sh
bash scripts/docker/build-base-image.sh

build() { # tag, dockerfile, extra args…
  local tag=$1 file=$2 started
  shift 2
  started=$(date +%s)
  docker build -q -f "$file" "$@" -t "$tag" . >/dev/null
  echo "[images] $tag built in $(( $(date +%s) - started ))s," \
    "$(docker image inspect -f '{{.Size}}' "$tag" | awk '{printf "%.0f MB", $1/1e6}')"
}
build s3-gpu-worker:cpu docker/gpu-worker.Dockerfile --target cpu
build s3-api:local docker/api.Dockerfile
