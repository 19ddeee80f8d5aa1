// Preloaded by the GPU worker image (node --import); does nothing unless LOOPBACK_FORWARD is set.
// Runs once per process, on the main thread only: the render pool's threads start with their own
// execArgv (gpu-worker/src/engine/render-pool.ts), and a thread that loads this anyway does nothing,
// since the main thread already holds the port.
// LOOPBACK_FORWARD="8787=api:8787": listen on 127.0.0.1:8787 inside this container and pipe each
// connection to api:8787. Why: wrangler's local R2 S3 endpoint (/cdn-cgi/local/r2/s3) refuses
// any Host but localhost, and SigV4 signs the Host, so a GPU worker in another container must
// address storage as 127.0.0.1:<port> — the same URL clients on the host use.
import net from "node:net";
import { isMainThread } from "node:worker_threads";

const spec = process.env.LOOPBACK_FORWARD;
if (spec && isMainThread) {
  // One or more `port=host:port`, comma-separated (compose forwards the API's port and the storage gate's).
  for (const one of spec.split(",")) await forward(one.trim());
}

async function forward(one) {
  const match = /^(\d+)=([^:\s]+):(\d+)$/.exec(one);
  if (!match) {
    process.stderr.write(`LOOPBACK_FORWARD must look like 8787=api:8787[,9787=api:9787], not "${spec}"\n`);
    process.exit(1);
  }
  const [, listenPort, host, port] = match;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(port), host);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
    client.pipe(upstream).pipe(client);
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(Number(listenPort), "127.0.0.1", resolve);
  }).catch((error) => {
    process.stderr.write(`LOOPBACK_FORWARD: cannot listen on 127.0.0.1:${listenPort}: ${error.message}\n`);
    process.exit(1);
  });
  // Never the reason the process stays alive.
  server.unref();
}
