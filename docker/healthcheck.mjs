// HEALTHCHECK probe for both images: exit 0 when healthy, else 1.
// Usage: node healthcheck.mjs [url]   (default http://127.0.0.1:$PORT/health)
// A queue_pull GPU worker serves no HTTP: with nothing listening on PORT it counts as healthy
// while its QUEUE_ENDPOINT answers at all, since without that queue it can do no work.
// Bounded twice: a fetch to a port that is not listening yet can hang past its own abort.
setTimeout(() => process.exit(1), 5_000);

async function answers(url, { anyStatus = false } = {}) {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return anyStatus || response.ok;
}

const explicit = process.argv[2];
const own = explicit ?? `http://127.0.0.1:${process.env.PORT ?? "8080"}/health`;
let healthy = false;
try {
  healthy = await answers(own);
} catch {
  const queue = process.env.QUEUE_ENDPOINT;
  if (!explicit && process.env.ADAPTER === "queue_pull" && queue) {
    healthy = await answers(queue, { anyStatus: true }).catch(() => false);
  }
}
process.exit(healthy ? 0 : 1);
