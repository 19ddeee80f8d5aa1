#!/usr/bin/env bash
# Test of `docker compose up --build` from a clean clone (npm test runs it after the e2e suite,
# whose image build it reuses through Docker's layer cache): copies the working tree's tracked and
# unignored files (no .env, no node_modules, no state) to a temporary folder, builds and starts the
# stack there under a throwaway project name, waits for both containers to turn healthy, checks
# the generated secrets reached the API (a token from /auth/anon), then runs one whole job from
# the host through the API (`npm run demo`: upload, execute, done, results downloaded and decoded
# into a contact sheet) and removes everything it made (containers, network, volumes, the copy).
# COMPOSE_SMOKE_ENV=1 uses this checkout's .env instead. API_PORT picks the host port (18787).
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT_DIR"

bash scripts/docker/ensure-docker.sh
bash scripts/docker/build-base-image.sh

if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
env_args=()
[ "${COMPOSE_SMOKE_ENV:-}" = 1 ] && [ -f .env ] && env_args=(--env-file "$ROOT_DIR/.env")
export API_PORT="${API_PORT:-18787}"
project="s3smoke$$"
clone="$(mktemp -d)"
out="$(mktemp -d)"
git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$clone" 2>/dev/null || true
dc() { (cd "$clone" && "${compose[@]}" -p "$project" "${env_args[@]}" "$@"); }
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  dc down -v --remove-orphans >/dev/null 2>&1 || true
  rm -rf "$clone" "$out"
}
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
    # One whole job through the API; the demo exits non-zero unless the job is done.
    if ! npm run --silent demo -- --api "http://127.0.0.1:$API_PORT" --count 2 --out "$out"; then
      echo "[compose-smoke] FAILED: the job did not finish done" >&2
      dc logs --tail 40 gpu-worker >&2 || true
      exit 1
    fi
    [ -s "$out/contact-sheet.png" ] && [ -s "$out/0_result.png" ] && [ -s "$out/1_result.png" ]
    echo "[compose-smoke] one job done through the API in $(( $(date +%s) - started ))s since up"
    exit 0
  fi
  sleep 2
done
echo "[compose-smoke] FAILED: stack not healthy within 180s" >&2
dc ps >&2 || true
dc logs --tail 30 >&2 || true
exit 1
