#!/usr/bin/env bash
# Smoke test of compose.yaml: builds and starts the stack under a throwaway project name,
# checks the API answers /health from the host and both containers turn healthy, then
# removes everything it made (containers, network, volumes).
# Uses .env when present; without one (a fresh clone) the stack's `secrets` service generates
# the secrets, and the smoke checks they reached the API. API_PORT picks the host port (18787).
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT_DIR"

bash scripts/docker/ensure-docker.sh
bash scripts/docker/build-base-image.sh

if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
env_args=()
[ -f .env ] && env_args=(--env-file .env)
export API_PORT="${API_PORT:-18787}"
project="s3smoke$$"
dc() { "${compose[@]}" -p "$project" "${env_args[@]}" "$@"; }
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { dc down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT

started=$(date +%s)
dc up --build -d >/dev/null
health() {
  docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null || echo missing
}
for _ in $(seq 1 90); do
  api="$(dc ps -q api)"; gpu="$(dc ps -q gpu-worker)"
  if [ -n "$api" ] && [ -n "$gpu" ] && [ "$(health "$api")" = healthy ] && [ "$(health "$gpu")" = healthy ]; then
    # curl's own timeout: a published port can accept and then hang before the server listens.
    body="$(curl -sf -m 5 "http://127.0.0.1:$API_PORT/health")"
    # A token from /auth/anon proves the API has a JWT_SECRET (from .env or the generated volume).
    curl -sf -m 5 -X POST "http://127.0.0.1:$API_PORT/auth/anon" | grep -q '"token"'
    echo "[compose-smoke] ${compose[*]} (${env_args[*]:-no .env}): api and gpu-worker healthy after" \
      "$(( $(date +%s) - started ))s; POST /auth/anon issued a token; GET /health → $body"
    exit 0
  fi
  sleep 2
done
echo "[compose-smoke] FAILED: stack not healthy within 180s" >&2
dc ps >&2 || true
dc logs --tail 30 >&2 || true
exit 1
