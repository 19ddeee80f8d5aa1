#!/usr/bin/env bash
# Smoke test of compose.yaml: builds and starts the stack under a throwaway project name,
# checks the API answers /health from the host and both containers turn healthy, then
# removes everything it made (containers, network, volumes).
# Uses .env when present, else .env.example's values. API_PORT picks the host port (18787).
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT_DIR"

bash scripts/docker/ensure-docker.sh
bash scripts/docker/build-base-image.sh

if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
env_file=.env
[ -f "$env_file" ] || env_file=.env.example
export API_PORT="${API_PORT:-18787}"
project="s3smoke$$"
dc() { "${compose[@]}" -p "$project" --env-file "$env_file" "$@"; }
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { dc down -v --remove-orphans >/dev/null 2>&1 || true; }
trap cleanup EXIT

started=$(date +%s)
dc up --build -d >/dev/null
health() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$1" 2>/dev/null || echo missing; }
for _ in $(seq 1 90); do
  api="$(dc ps -q api)"; gpu="$(dc ps -q gpu-worker)"
  if [ -n "$api" ] && [ -n "$gpu" ] && [ "$(health "$api")" = healthy ] && [ "$(health "$gpu")" = healthy ]; then
    # curl's own timeout: a published port can accept and then hang before the server listens.
    body="$(curl -sf -m 5 "http://127.0.0.1:$API_PORT/health")"
    echo "[compose-smoke] ${compose[*]}: api and gpu-worker healthy after $(( $(date +%s) - started ))s; GET /health → $body"
    exit 0
  fi
  sleep 2
done
echo "[compose-smoke] FAILED: stack not healthy within 180s" >&2
dc ps >&2 || true
dc logs --tail 30 >&2 || true
exit 1
