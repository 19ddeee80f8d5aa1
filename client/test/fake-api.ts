// A tiny stand-in for the API on loopback: each test says how each route answers, and sees every request.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  body: Buffer;
}

export type Handler = (request: Seen, response: ServerResponse) => void | Promise<void>;

export interface FakeApi {
  url: string;
  seen: Seen[];
  close(): Promise<void>;
}

/** Routes by "METHOD /path" (path without the query); anything else answers 404 JOB_NOT_FOUND. */
export async function fakeApi(routes: Record<string, Handler>): Promise<FakeApi> {
  const seen: Seen[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const entry = {
      method: request.method!,
      path: new URL(request.url!, "http://x").pathname,
      headers: request.headers,
      body: Buffer.concat(chunks),
    };
    seen.push(entry);
    const handler = routes[`${entry.method} ${entry.path}`];
    if (handler) await handler(entry, response);
    else sendError(response, 404, "JOB_NOT_FOUND", "no such job");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const meta = { request_id: "req_test", timestamp: "2026-01-01T00:00:00.000Z" };

export function sendData(response: ServerResponse, data: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(200, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify({ success: true, data, error: null, meta }));
}

export function sendError(response: ServerResponse, status: number, code: string, message: string, details?: object) {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ success: false, data: null, error: { code, message, details }, meta }));
}

/** GET /jobs/{id}'s data for a job of `total` items with `done` of them done. */
export function jobView(jobId: string, status: string, done: number, total: number) {
  return {
    job_id: jobId,
    status,
    preset: "interior",
    progress: { done, failed: 0, total, needs_review: 0 },
    outputs_ready: [],
    items: Array.from({ length: total }, (_, idx) => ({
      idx,
      status: idx < done ? "done" : "pending",
      error: null,
      report: null,
      needs_review: false,
    })),
  };
}
