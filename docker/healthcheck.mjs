// HEALTHCHECK probe for both images: exit 0 when GET <url> answers 2xx, else 1.
// Usage: node healthcheck.mjs [url]   (default http://127.0.0.1:$PORT/health)
// Bounded twice: a fetch to a port that is not listening yet can hang past its own abort.
const url = process.argv[2] ?? `http://127.0.0.1:${process.env.PORT ?? "8080"}/health`;
setTimeout(() => process.exit(1), 5_000);
try {
  const response = await fetch(url, { signal: AbortSignal.timeout(4_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
