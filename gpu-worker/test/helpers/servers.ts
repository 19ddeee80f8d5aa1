// In-test stand-ins: an S3-compatible object store and the Worker's callback endpoint.
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

async function body(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface FakeS3 {
  endpoint: string;
  bucket: string;
  objects: Map<string, { body: Buffer; contentType: string }>;
  /** Every request as "METHOD key". */
  requests: string[];
  /** Requests refused for a missing or malformed SigV4 Authorization header. */
  unsigned: number;
  /** Keys whose GET streams chunks without a Content-Length and never ends (an attacker's body). */
  endless: Set<string>;
  /** Keys whose PUT answers 503 for as long as they stay in the set. */
  refusePuts: Set<string>;
  /** The next n requests answer 503. */
  failNext(n: number): void;
  close(): Promise<void>;
}

/** The ETag S3 gives an object: its quoted MD5. */
export const etagOf = (body: Buffer) => `"${createHash("md5").update(body).digest("hex")}"`;

export interface FakeS3Options {
  /** Which PUTs are kept; the others are answered 200 and dropped (a benchmark's outputs). Default: all. */
  store?: (key: string) => boolean;
}

/** Path-style S3: /{bucket}/{key}. Requires a SigV4 Authorization header for the given access key. */
export async function startFakeS3(
  accessKey = "test-access",
  bucket = "s3-test",
  options: FakeS3Options = {},
): Promise<FakeS3> {
  const objects = new Map<string, { body: Buffer; contentType: string }>();
  const endless = new Set<string>();
  const refusePuts = new Set<string>();
  const requests: string[] = [];
  let failures = 0;
  const state = { unsigned: 0 };
  const server = createServer(async (request, response) => {
    const data = await body(request);
    const url = new URL(request.url ?? "/", "http://x");
    const [, bucketName, ...rest] = url.pathname.split("/");
    const key = rest.map(decodeURIComponent).join("/");
    requests.push(`${request.method} ${key}`);
    const auth = request.headers.authorization ?? "";
    if (
      !auth.startsWith(`AWS4-HMAC-SHA256 Credential=${accessKey}/`) ||
      !auth.includes("/auto/s3/aws4_request") ||
      !request.headers["x-amz-date"]
    ) {
      state.unsigned++;
      response.writeHead(403).end("<Error><Code>AccessDenied</Code></Error>");
      return;
    }
    if (failures > 0) {
      failures--;
      response.writeHead(503).end("<Error><Code>SlowDown</Code></Error>");
      return;
    }
    if (bucketName !== bucket) {
      response.writeHead(404).end("<Error><Code>NoSuchBucket</Code></Error>");
      return;
    }
    if (request.method === "PUT" && refusePuts.has(key)) {
      response.writeHead(503).end("<Error><Code>SlowDown</Code></Error>");
    } else if (request.method === "PUT") {
      if (options.store?.(key) ?? true)
        objects.set(key, { body: data, contentType: String(request.headers["content-type"] ?? "") });
      response.writeHead(200).end();
    } else if (request.method === "GET" && endless.has(key)) {
      response.writeHead(200, { "Content-Type": "image/jpeg" });
      const chunk = Buffer.alloc(64 * 1024, 0xff);
      const more = () => {
        while (!response.destroyed && response.write(chunk));
      };
      response.on("drain", more);
      more();
    } else if (request.method === "GET") {
      const object = objects.get(key);
      const ifMatch = request.headers["if-match"];
      if (!object) response.writeHead(404).end("<Error><Code>NoSuchKey</Code></Error>");
      else if (ifMatch !== undefined && ifMatch !== etagOf(object.body))
        response.writeHead(412).end("<Error><Code>PreconditionFailed</Code></Error>");
      else response.writeHead(200, { "Content-Type": object.contentType, ETag: etagOf(object.body) }).end(object.body);
    } else response.writeHead(405).end();
  });
  const endpoint = await listen(server);
  return {
    endpoint,
    bucket,
    objects,
    requests,
    endless,
    refusePuts,
    get unsigned() {
      return state.unsigned;
    },
    failNext(n) {
      failures = n;
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface FakeCallbacks {
  url: (jobId: string) => string;
  /** Bodies received with the right secret, in arrival order (retries included). */
  received: { jobId: string; body: Record<string, unknown> }[];
  /** Requests whose Authorization header was not `Bearer <secret>`. */
  rejected: number;
  /** Answer the next n callbacks with this status (e.g. 503) instead of 200, once `after` more were accepted. */
  failNext(n: number, status?: number, after?: number): void;
  /** Jobs the fake Worker reports as canceled in its 200 answers (as the real one does). */
  canceled: Set<string>;
  /** Jobs the fake Worker reports with another status (e.g. failed at the lease) in its 200 answers. */
  statuses: Map<string, string>;
  close(): Promise<void>;
}

export async function startFakeCallbacks(secret: string): Promise<FakeCallbacks> {
  const received: FakeCallbacks["received"] = [];
  const state = { rejected: 0, failures: 0, status: 503, acceptFirst: 0 };
  const canceled = new Set<string>();
  const statuses = new Map<string, string>();
  const server = createServer(async (request, response) => {
    const data = await body(request);
    if (request.headers.authorization !== `Bearer ${secret}`) {
      state.rejected++;
      response.writeHead(403).end();
      return;
    }
    if (state.acceptFirst > 0) state.acceptFirst--;
    else if (state.failures > 0) {
      state.failures--;
      response.writeHead(state.status).end();
      return;
    }
    const jobId = (request.url ?? "").split("/")[2] ?? "";
    received.push({ jobId, body: JSON.parse(data.toString("utf8")) as Record<string, unknown> });
    const status = canceled.has(jobId) ? "canceled" : (statuses.get(jobId) ?? "running");
    response
      .writeHead(200, { "Content-Type": "application/json" })
      .end(JSON.stringify({ success: true, data: { job_id: jobId, status, recorded: status !== "canceled" } }));
  });
  const base = await listen(server);
  return {
    url: (jobId) => `${base}/jobs/${jobId}/callback`,
    received,
    canceled,
    statuses,
    get rejected() {
      return state.rejected;
    },
    failNext(n, status = 503, after = 0) {
      state.failures = n;
      state.status = status;
      state.acceptFirst = after;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
