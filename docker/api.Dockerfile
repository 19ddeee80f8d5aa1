# The Worker API under `wrangler dev` (Miniflare: D1, Durable Objects, R2, queues emulated),
# for the containerized local stack. Not a production artifact: production runs on Cloudflare.
# Build from the repository root:  docker build -f docker/api.Dockerfile -t s3-api .
# State lives on the /data volume; D1 migrations are applied at each start.
# Secrets come from the environment (or a worker/.dev.vars mounted at /app/worker/.dev.vars),
# never from the image.

ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY contract/package.json contract/
COPY client/package.json client/
COPY worker/package.json worker/
COPY gpu-worker/package.json gpu-worker/
# wrangler gets a prefix of its own at the locked version: the worker's other devDependencies
# (test pool, drizzle-kit, autocannon) would triple the image and never run here.
RUN node -p "require('./package-lock.json').packages['node_modules/wrangler'].version" > /tmp/wrangler-version \
 && npm install --prefix /opt/wrangler --no-save --no-audit --no-fund "wrangler@$(cat /tmp/wrangler-version)" \
 && npm ci --omit=dev --workspace worker --include-workspace-root=false --no-audit --no-fund \
 && rm -rf /root/.npm

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    PORT=8787 \
    WRANGLER_SEND_METRICS=false \
    CLOUDFLARE_CF_FETCH_ENABLED=false \
    CLOUDFLARE_INCLUDE_PROCESS_ENV=true \
    PATH=/opt/wrangler/node_modules/.bin:$PATH \
    NODE_PATH=/opt/wrangler/node_modules
WORKDIR /app
COPY --from=deps /opt/wrangler /opt/wrangler
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json ./
COPY migrations migrations
COPY contract/package.json contract/
COPY contract/src contract/src
COPY worker/package.json worker/wrangler.jsonc worker/tsconfig.json worker/
COPY worker/src worker/src
# The console's API client (@s3/client, bundled into it).
COPY client/package.json client/
COPY client/src client/src
# The web console: built here (esbuild from wrangler's prefix, through NODE_PATH) and again by
# wrangler's build.command at each start, so its output folder belongs to the node user.
COPY worker/console worker/console
RUN node worker/console/build.mjs && chown -R node:node worker/console
# The storage gate and the local config writer (docs/trust.md, "Local storage"), run by plain node.
COPY scripts/package.json scripts/
COPY scripts/stack/storage-gate.ts scripts/stack/local-wrangler-config.ts scripts/stack/
COPY docker/healthcheck.mjs /usr/local/lib/s3/healthcheck.mjs
COPY docker/api-entrypoint.sh /usr/local/bin/s3-api
COPY docker/with-secrets.sh /usr/local/bin/with-secrets
# wrangler writes its bundle under worker/.wrangler and its settings under $HOME.
# The entrypoint writes worker/.wrangler.local.json (the storage keys) as node.
RUN mkdir -p /data worker/.wrangler && chown node:node /data worker/.wrangler worker
VOLUME /data
USER node
EXPOSE 8787 9787
HEALTHCHECK --interval=10s --timeout=6s --start-period=30s --retries=3 \
  CMD ["node", "/usr/local/lib/s3/healthcheck.mjs", "http://127.0.0.1:8787/health"]
ENTRYPOINT ["/usr/local/bin/with-secrets", "/usr/local/bin/s3-api"]
