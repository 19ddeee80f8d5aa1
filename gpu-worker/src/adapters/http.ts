// `http` adapter: a job posted directly. POST /jobs (Bearer QUEUE_TOKEN) with a queue message → 202 (400 when
// it fails the contract schema, 503 while full or shutting down); GET /health.
import { createHash, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Logger } from "pino";
import { queueMessageSchema } from "@s3/contract";
import type { Pipeline } from "../engine/pipeline";
import type { Adapter } from "./types";

export interface HttpAdapterOptions {
  pipeline: Pipeline;
  segmenterName: string;
  /** The execution provider and model version /health reports beside the segmenter's name. */
  segmenterDetails?: { provider: string; model_version: string | null };
  port: number;
  /** Jobs held at once (MAX_JOBS). */
  capacity: number;
  logger: Logger;
  host?: string;
  /** POST /jobs needs `Authorization: Bearer <token>` (QUEUE_TOKEN, which the Worker sends); never open. */
  token: string;
}

const BODY_LIMIT = 1024 * 1024;

/** Constant-time check of a Bearer header; hashing first makes the lengths equal. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = header?.match(/^Bearer +(\S+)\s*$/i)?.[1] ?? "";
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(presented), digest(token));
}

function reply(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "Content-Type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_LIMIT) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

export function createHttpAdapter(options: HttpAdapterOptions): Adapter & { readonly port: number } {
  const { pipeline, logger, capacity } = options;
  const jobs = new Set<Promise<unknown>>();
  let stopping = false;
  let server: Server | null = null;
  let boundPort = options.port;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (request.method === "GET" && path === "/health") {
      return reply(response, 200, {
        ok: !stopping,
        segmenter: options.segmenterName,
        ...options.segmenterDetails,
        in_flight: pipeline.activeJobs,
        capacity,
        items_in_flight: pipeline.activeItems,
        ...pipeline.segmentCounts,
      });
    }
    if (request.method === "POST" && path === "/jobs") {
      if (!options.token || !bearerMatches(request.headers.authorization, options.token))
        return reply(response, 401, { error: "missing or wrong Bearer token" });
      const text = await readBody(request);
      if (text === null) return reply(response, 413, { error: "body over 1 MB" });
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        return reply(response, 400, { error: "body is not JSON" });
      }
      const parsed = queueMessageSchema.safeParse(json);
      if (!parsed.success)
        return reply(response, 400, {
          error: "not a queue message",
          issues: parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`),
        });
      if (stopping) return reply(response, 503, { error: "shutting down" }, { "Retry-After": "30" });
      if (pipeline.activeJobs >= capacity)
        return reply(response, 503, { error: "at capacity" }, { "Retry-After": "5" });
      const job = pipeline
        .runJob(parsed.data)
        .catch((error: unknown) => logger.error({ job_id: parsed.data.job_id, err: String(error) }, "job crashed"));
      jobs.add(job);
      void job.finally(() => jobs.delete(job));
      return reply(response, 202, { accepted: true, job_id: parsed.data.job_id, items: parsed.data.items.length });
    }
    return reply(response, 404, { error: "not found" });
  }

  return {
    get port() {
      return boundPort;
    },
    async start() {
      server = createServer((request, response) => {
        handle(request, response).catch((error: unknown) => {
          logger.error({ err: String(error) }, "request failed");
          if (!response.headersSent) reply(response, 500, { error: "internal error" });
        });
      });
      await new Promise<void>((resolve) => server!.listen(options.port, options.host ?? "0.0.0.0", resolve));
      const address = server.address();
      if (address && typeof address === "object") boundPort = address.port;
      logger.info({ port: boundPort }, "http adapter listening");
    },
    async stop(graceMs) {
      stopping = true;
      pipeline.stop();
      // In-flight items finish and report; items not started are left to the Worker's lease re-queue.
      const drained = Promise.allSettled([...jobs]);
      await Promise.race([drained, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
      await new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
