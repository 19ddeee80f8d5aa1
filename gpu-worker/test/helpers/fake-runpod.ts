// In-test stand-in for Runpod's serverless job API, the side the Python runtime talks to:
//   GET  /job-take/{pod}?gpu=test&job_in_progress=0|1   → a queued job, else 204
//   GET  /job-take-batch/{pod}?gpu=test&batch_size=N&job_in_progress=0|1 → up to N queued jobs (a list), else 204
//   POST /job-done/{pod}/{job}?gpu=test&isStream=false  → records the body
//   GET  /ping/{pod}?gpu=test&job_id=a,b                → records the job ids
// Every request must carry `Authorization: <apiKey>`.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeRunpod {
  /** The three webhook templates as Runpod sets them in a worker's environment. */
  env: { getJob: string; postOutput: string; ping: string };
  queue(job: { id: string; input: unknown }): void;
  /** Drops the queued jobs no worker took. */
  clear(): void;
  /** job-done bodies by Runpod job id, with the query the worker sent. */
  results: Map<string, { body: Record<string, unknown>; contentType: string; isStream: string | null }>;
  /** job_id values of every ping, in order ("" for a ping without jobs). */
  pings: string[];
  /** job_in_progress values of every take. */
  takes: string[];
  /** Jobs asked for by every take: 1 for /job-take, batch_size for /job-take-batch. */
  batchSizes: number[];
  /** Requests whose Authorization header was not the bare key. */
  unauthorized: number;
  /** Resolves once a result for `jobId` has arrived. */
  resultFor(jobId: string): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

async function read(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

export async function startFakeRunpod(apiKey: string, podId: string): Promise<FakeRunpod> {
  const pending: { id: string; input: unknown }[] = [];
  const results: FakeRunpod["results"] = new Map();
  const waiters = new Map<string, (body: Record<string, unknown>) => void>();
  const state = { unauthorized: 0 };
  const pings: string[] = [];
  const takes: string[] = [];
  const batchSizes: number[] = [];
  const server = createServer(async (request, response) => {
    const body = await read(request);
    const url = new URL(request.url ?? "/", "http://x");
    const [, route, pod, jobId] = url.pathname.split("/");
    if (request.headers.authorization !== apiKey || pod !== podId || url.searchParams.get("gpu") !== "test") {
      state.unauthorized++;
      response.writeHead(401).end();
      return;
    }
    if (request.method === "GET" && route === "job-take") {
      takes.push(url.searchParams.get("job_in_progress") ?? "");
      batchSizes.push(1);
      const job = pending.shift();
      if (!job) response.writeHead(204).end();
      else response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(job));
    } else if (request.method === "GET" && route === "job-take-batch") {
      takes.push(url.searchParams.get("job_in_progress") ?? "");
      const size = Number(url.searchParams.get("batch_size"));
      batchSizes.push(size);
      const jobs = pending.splice(0, size);
      if (jobs.length === 0) response.writeHead(204).end();
      else response.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(jobs));
    } else if (request.method === "POST" && route === "job-done" && jobId) {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      results.set(jobId, {
        body: parsed,
        contentType: String(request.headers["content-type"] ?? ""),
        isStream: url.searchParams.get("isStream"),
      });
      waiters.get(jobId)?.(parsed);
      response.writeHead(200).end();
    } else if (request.method === "GET" && route === "ping") {
      pings.push(url.searchParams.get("job_id") ?? "");
      response.writeHead(200).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    env: {
      getJob: `${base}/job-take/$RUNPOD_POD_ID?gpu=test`,
      postOutput: `${base}/job-done/$RUNPOD_POD_ID/$ID?gpu=test`,
      ping: `${base}/ping/$RUNPOD_POD_ID?gpu=test`,
    },
    queue: (job) => pending.push(job),
    clear: () => void pending.splice(0),
    results,
    pings,
    takes,
    batchSizes,
    get unauthorized() {
      return state.unauthorized;
    },
    resultFor(jobId) {
      const known = results.get(jobId);
      if (known) return Promise.resolve(known.body);
      return new Promise((resolve) => waiters.set(jobId, resolve));
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
