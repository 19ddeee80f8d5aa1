#!/usr/bin/env bash
# The README's test command (`npm test`): every suite, with the set-up a fresh machine needs.
#   bash scripts/test.sh          contract + worker + gpu-worker suites, then the e2e suite
#   bash scripts/test.sh unit     contract + worker + gpu-worker suites only
#   bash scripts/test.sh browser  the console in headless Chromium (chromium installed when missing)
#   bash scripts/test.sh e2e      the e2e suite, then the compose stack from a clean clone (Docker set-up included)
# e2e needs a Docker engine: when none answers and this machine allows it (root on Debian),
# scripts/docker/ensure-docker.sh installs and starts one; the node:22-bookworm-slim base is
# pulled or built offline. Under CI=true a missing engine fails the run; elsewhere the e2e
# suite is skipped with a loud message.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
started=$(date +%s)
skipped=""

# A fresh clone: packages first, the same step as `npm run dev`.
bash scripts/ensure-packages.sh

if [ "$what" = "all" ] || [ "$what" = "unit" ]; then
  echo "[test] lint (eslint, prettier --check) and typecheck"
  npm run lint
  npm run typecheck
  echo "[test] worker Env types match wrangler.jsonc (else: npm run cf-typegen --workspace worker)"
  CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_SEND_METRICS=false npm run cf-typegen:check --workspace worker
  echo "[test] client suite (its generated types match worker/openapi.json, else: npm run generate --workspace client)"
  npm run test --workspace client
  echo "[test] contract suite"
  npm run test --workspace contract
  echo "[test] worker suite"
  npm run test --workspace worker
  echo "[test] gpu-worker suite"
  npm run test --workspace gpu-worker
  echo "[test] SAM 3 export script (its Python tests)"
  bash gpu-worker/scripts/export-sam3/test.sh
fi

if [ "$what" = "all" ] || [ "$what" = "browser" ]; then
  echo "[test] browser suite (the console in headless Chromium, Playwright)"
  npm run test:browser --workspace e2e
fi

if [ "$what" = "all" ] || [ "$what" = "e2e" ]; then
  if bash scripts/docker/ensure-docker.sh; then
    echo "[test] e2e suite (testcontainers)"
    TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost npm run test --workspace e2e
    echo "[test] docker compose up --build from a clean clone, one job to done (scripts/docker/compose-smoke.sh)"
    bash scripts/docker/compose-smoke.sh
  elif [ "${CI:-}" = "true" ]; then
    echo "[test] FAILED: CI=true and no Docker engine, so the e2e suite cannot run (see the reason above)." >&2
    exit 1
  else
    echo "" >&2
    echo "################################################################################" >&2
    echo "## e2e suite SKIPPED: no Docker engine (reason above). It did not run.       ##" >&2
    echo "## Start Docker (or run as root on Debian) and rerun: npm run test:e2e        ##" >&2
    echo "################################################################################" >&2
    skipped=" (e2e SKIPPED: no Docker)"
  fi
fi
echo "[test] suites passed in $(( $(date +%s) - started )) s$skipped"
