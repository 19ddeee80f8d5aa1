#!/bin/sh
# The Worker API under `wrangler dev`, state (D1, Durable Objects, R2, queues) on /data.
# Configuration: the Worker's vars and secrets come from this process's environment
# (CLOUDFLARE_INCLUDE_PROCESS_ENV=true in the image), overriding wrangler.jsonc's vars;
# a worker/.dev.vars mounted at /app/worker/.dev.vars takes precedence over the environment.
set -eu
cd /app/worker

# Idempotent: applies only migrations the volume has not seen.
wrangler d1 migrations apply DB --local --persist-to /data

# The local S3 endpoint's keys (STORAGE_ACCESS_KEY/STORAGE_SECRET_KEY) go into a config of this
# container's own, and storage is served on its own port, another origin than the console's
# (docs/trust.md, "Local storage"); the gate forwards to wrangler's S3 endpoint on this port.
config="$(node /app/scripts/stack/local-wrangler-config.ts /app/worker)"
node /app/scripts/stack/storage-gate.ts "0.0.0.0:${STORAGE_GATE_PORT:-9787}" "127.0.0.1:${PORT:-8787}" &

# exec: wrangler receives the container's stop signal directly.
exec wrangler dev --config "$config" --local --ip 0.0.0.0 --port "${PORT:-8787}" --persist-to /data \
  --show-interactive-dev-session=false "$@"
