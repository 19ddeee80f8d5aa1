// HEALTHCHECK probe for both images: exit 0 when healthy, else 1.
// Usage: node healthcheck.mjs [url]   (default http://127.0.0.1:$PORT/health)
// Every GPU worker adapter answers GET /health on PORT (503 while it drains), as does the API.
// Bounded twice: a fetch to a port that is not listening yet can hang past its own abort.
setTimeout(() => process.exit(1), 5_000);

async function answers(url) {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  return response.ok;
}

const explicit = process.argv[2];
const own = explicit ?? `http://127.0.0.1:${process.env.PORT ?? "8080"}/health`;
const healthy = await answers(own).catch(() => false);
process.exit(healthy ? 0 : 1);
