// Runpod heartbeat on its own thread, as runpod-python pings from its own process: the
// interval holds while the main thread is busy with pixels. Plain JS so it loads without
// a TypeScript loader. workerData: {url, apiKey, intervalMs}; a message {url} replaces the
// URL (the jobs in progress changed). Reports each ping sent; the adapter terminates it.
import { parentPort, workerData } from "node:worker_threads";

let url = workerData.url;
const { apiKey, intervalMs } = workerData;

async function ping() {
  const sentAt = Date.now();
  try {
    const response = await fetch(url, {
      headers: { Authorization: apiKey },
      signal: AbortSignal.timeout(intervalMs * 2),
    });
    await response.arrayBuffer();
    parentPort.postMessage({ sentAt, status: response.status });
  } catch (error) {
    parentPort.postMessage({ sentAt, error: String(error) });
  }
}

setInterval(() => void ping(), intervalMs);
void ping();
parentPort.on("message", (message) => {
  if (typeof message.url === "string") url = message.url;
});
