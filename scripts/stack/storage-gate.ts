// The local stacks' storage origin (docs/trust.md, "Local storage"): wrangler serves R2's S3 API at
// /cdn-cgi/local/r2/s3 on the API's own port, which is the console's origin. Presigned URLs are
// signed for this listener instead, on a port of its own, and every object it passes on is served
// so that no browser runs it as a page: sandboxed, never sniffed, downloaded unless a photo.
// Plain Node (no imports beyond node:): `npm run dev` and the other stacks import it, and the
// compose API image runs it as `node storage-gate.ts <listen host:port> <upstream host:port>`.
import http from "node:http";
import { pathToFileURL } from "node:url";

/** The only path the gate forwards: wrangler's local S3 endpoint. */
export const S3_PATH = "/cdn-cgi/local/r2/s3";

/** The storage origin's port for an API on `apiPort` (9787 for 8787). */
export const storagePortFor = (apiPort: number): number => apiPort + 1000;

/** Types shown inline (the console's previews and results); anything else is a download. */
const INLINE_TYPES = new Set(["image/jpeg", "image/png", "image/webp"]);

/** The headers every storage answer carries, whatever the object's stored metadata says. */
export function storageHeaders(contentType: string | undefined): Record<string, string> {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return {
    // A sandboxed document has an opaque origin and runs no script, whatever it is.
    "Content-Security-Policy": "sandbox; default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    ...(INLINE_TYPES.has(type) ? {} : { "Content-Disposition": "attachment" }),
  };
}

export interface StorageGate {
  url: string;
  close(): Promise<void>;
}

const hostPort = (spec: string) => {
  const match = /^(.+):(\d+)$/.exec(spec);
  if (!match) throw new Error(`expected host:port, got "${spec}"`);
  return { host: match[1]!, port: Number(match[2]) };
};

/** Listens on `listen` and forwards S3 requests to the API's port, Host kept (SigV4 signs it). */
export async function startStorageGate(listen: string, upstream: string): Promise<StorageGate> {
  const from = hostPort(listen);
  const to = hostPort(upstream);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const url = request.url ?? "/";
    if (url !== S3_PATH && !url.startsWith(`${S3_PATH}/`) && !url.startsWith(`${S3_PATH}?`)) {
      response.writeHead(404, { "Content-Type": "text/plain", ...storageHeaders("text/plain") }).end("not storage");
      return;
    }
    // The body is read whole before it is passed on: wrangler answers a refused PUT (a length other
    // than the signed one) before reading it and closes, and a body still streaming would turn that
    // 403 into a broken pipe here, a 502 for the client.
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const forward = http.request(
        { host: to.host, port: to.port, method: request.method, path: url, headers: request.headers, agent },
        (answer) => {
          const headers = { ...answer.headers };
          delete headers["content-disposition"];
          response.writeHead(answer.statusCode ?? 502, {
            ...headers,
            ...storageHeaders(answer.headers["content-type"]),
          });
          answer.pipe(response);
        },
      );
      forward.on("error", () => {
        if (!response.headersSent) response.writeHead(502, storageHeaders("text/plain"));
        response.end();
      });
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(from.port, from.host, () => resolve());
  });
  return {
    url: `http://${listen}`,
    close: () =>
      new Promise<void>((resolve) => {
        agent.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [listen, upstream] = process.argv.slice(2);
  if (!listen || !upstream) {
    process.stderr.write("usage: node storage-gate.ts <listen host:port> <upstream host:port>\n");
    process.exit(2);
  }
  const gate = await startStorageGate(listen, upstream);
  process.stdout.write(`storage gate: ${gate.url}${S3_PATH} → ${upstream}\n`);
  process.on("SIGTERM", () => void gate.close().then(() => process.exit(0)));
}
