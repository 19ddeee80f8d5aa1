#!/usr/bin/env bash
# Test of `docker compose up --build` from a clean clone (npm test runs it after the e2e suite,
# whose image build it reuses through Docker's layer cache): copies the working tree's tracked and
# unignored files (no .env, no node_modules, no state) to a temporary folder, builds and starts the
# stack there under a throwaway project name, waits for both containers to turn healthy, checks
# the generated secrets reached the API (a token from /auth/anon), then runs one whole job from
# the host through the API (`npm run demo`: upload, execute, done, results downloaded and decoded
# into a contact sheet) with a webhook receiver started inside the api container (loopback, which
# WEBHOOK_ALLOW_LOOPBACK lets deliveries reach), asserting it got a job.item per photo and a job.end
# through the `webhooks` queue, and removes everything it made (containers, network, volumes, the copy).
# COMPOSE_SMOKE_ENV=1 uses this checkout's .env instead. API_PORT and STORAGE_PORT pick the host
# ports (18787, 19787).
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT_DIR"

bash scripts/docker/ensure-docker.sh
bash scripts/docker/build-base-image.sh

if docker compose version >/dev/null 2>&1; then compose=(docker compose); else compose=(docker-compose); fi
env_args=()
[ "${COMPOSE_SMOKE_ENV:-}" = 1 ] && [ -f .env ] && env_args=(--env-file "$ROOT_DIR/.env")
export API_PORT="${API_PORT:-18787}"
export STORAGE_PORT="${STORAGE_PORT:-19787}"
# Webhook retries within seconds, should the first delivery miss the receiver.
export WEBHOOK_BACKOFF_SCALE="${WEBHOOK_BACKOFF_SCALE:-0.001}"
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
    # A webhook receiver on the api container's loopback: one JSON line per delivery in /tmp/hooks.jsonl.
    dc exec -T -d api node -e '
      require("node:http").createServer((request, response) => {
        let body = "";
        request.on("data", (chunk) => (body += chunk));
        request.on("end", () => {
          require("node:fs").appendFileSync("/tmp/hooks.jsonl", body.replace(/\n/g, " ") + "\n");
          response.end();
        });
      }).listen(9911, "127.0.0.1");'
    # One whole job through the API; the demo exits non-zero unless the job is done.
    if ! npm run --silent demo -- --api "http://127.0.0.1:$API_PORT" --count 2 --out "$out" \
      --webhook http://127.0.0.1:9911/hooks; then
      echo "[compose-smoke] FAILED: the job did not finish done" >&2
      dc logs --tail 40 gpu-worker >&2 || true
      exit 1
    fi
    [ -s "$out/contact-sheet.png" ] && [ -s "$out/0_result.png" ] && [ -s "$out/1_result.png" ]
    echo "[compose-smoke] one job done through the API in $(( $(date +%s) - started ))s since up"
    for _ in $(seq 1 30); do
      hooks="$(dc exec -T api sh -c 'cat /tmp/hooks.jsonl 2>/dev/null' || true)"
      items="$(printf '%s\n' "$hooks" | grep -c '"type":"job.item"' || true)"
      ends="$(printf '%s\n' "$hooks" | grep -c '"type":"job.end"' || true)"
      if [ "$items" -ge 2 ] && [ "$ends" -ge 1 ]; then
        echo "[compose-smoke] webhook receiver got $items job.item and $ends job.end deliveries"
        exit 0
      fi
      sleep 1
    done
    echo "[compose-smoke] FAILED: the webhook receiver got $items job.item and $ends job.end (want 2 and 1)" >&2
    dc logs --tail 40 api >&2 || true
    exit 1
  fi
  sleep 2
done
echo "[compose-smoke] FAILED: stack not healthy within 180s" >&2
dc ps >&2 || true
dc logs --tail 30 >&2 || true
exit 1
