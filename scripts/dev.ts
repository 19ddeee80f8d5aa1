// `npm run dev`: the local stack. Creates worker/.dev.vars when absent, applies the D1
// migrations locally, starts `wrangler dev` on 127.0.0.1:8787 (GPU_DISPATCH=bridge) and a
// GPU worker process (queue_pull adapter, cpu segmenter) pulling from the Worker's queue
// bridge, and prints one line once both answer. Ctrl-C stops every process it started.
// State (D1, DOs incl. the bridge's messages, R2) persists in worker/.wrangler/.
// The services themselves are started by the stack library (stack/, `@s3/scripts/stack`).
import { API_PORT, API_URL, isApiUp, log, startApi, startGpuWorker, stopAll, storageEndpointFor } from "./stack";

async function main(): Promise<void> {
  if (await isApiUp()) throw new Error(`something already answers on ${API_URL}; stop it first`);
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await stopAll();
    process.exit(code);
  };
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  const api = await startApi();
  const services = [api, await startGpuWorker()];
  for (const service of services) {
    void service.exited.then((code) => {
      if (!stopping) {
        log("dev", `${service.name} exited (${code}); stopping`);
        void shutdown(code ?? 1);
      }
    });
  }
  log(
    "dev",
    `ready: API on ${API_URL} (docs ${API_URL}/docs), storage on ${new URL(storageEndpointFor(API_PORT)).origin}, ` +
      "GPU worker (cpu segmenter) pulling from its queue bridge; " +
      "Ctrl-C stops everything",
  );
}

main().catch(async (error: unknown) => {
  process.stderr.write(`dev: ${error instanceof Error ? error.message : String(error)}\n`);
  await stopAll();
  process.exit(1);
});
