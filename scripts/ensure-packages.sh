#!/usr/bin/env bash
# Installs the packages (npm ci) when they are missing, as on a fresh clone, or older than package-lock.json.
# The one install step of the README's two commands: scripts/dev.sh (`npm run dev`) and scripts/test.sh
# (`npm test`) both start here. .npmrc skips onnxruntime-node's CUDA download, so this works offline.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node 22 itself (the `node` package), tsx for the scripts, wrangler for the Worker, testcontainers for e2e.
reason=""
for needed in node_modules/.bin/node node_modules/.bin/tsx node_modules/wrangler node_modules/testcontainers; do
  if [ ! -e "$needed" ]; then
    reason="$needed is missing"
    break
  fi
done
# npm writes node_modules/.package-lock.json last: an older one means the lockfile changed since (a pull).
if [ -z "$reason" ] && [ package-lock.json -nt node_modules/.package-lock.json ]; then
  reason="package-lock.json changed since the last install"
fi
if [ -n "$reason" ]; then
  echo "[packages] installing (npm ci): $reason"
  npm ci --no-audit --no-fund
fi
