#!/bin/sh
# The Worker API under `wrangler dev`, state (D1, Durable Objects, R2, queues) on /data.
# Configuration: the Worker's vars and secrets come from this process's environment
# (CLOUDFLARE_INCLUDE_PROCESS_ENV=true in the image), overriding wrangler.jsonc's vars;
# a worker/.dev.vars mounted at /app/worker/.dev.vars takes precedence over the environment.
set -eu
cd /app/worker

# Idempotent: applies only migrations the volume has not seen.
wrangler d1 migrations apply DB --local --persist-to /data

# exec: wrangler receives the container's stop signal directly.
exec wrangler dev --local --ip 0.0.0.0 --port "${PORT:-8787}" --persist-to /data \
  --show-interactive-dev-session=false "$@"
