// Request helpers for the route tests: every call goes through SELF.fetch, the real app.
import { env, SELF } from "cloudflare:test";
import { expect, vi } from "vitest";
import type { ErrorCode, QueueMessage } from "@s3/contract";

export const BASE = "http://127.0.0.1:8787";

/** Answers are read loosely: each test asserts the fields it depends on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export interface Envelope<T = Loose> {
  success: boolean;
  data: T;
  error: { code: ErrorCode; message: string; details?: Loose } | null;
  meta: { request_id: string; timestamp: string };
}

export interface Answer<T = Loose> {
  status: number;
  headers: Headers;
  body: Envelope<T>;
}

interface CallOptions {
  token?: string;
  /** A value to send as JSON, or a raw string body. */
  json?: unknown;
  raw?: BodyInit;
  headers?: Record<string, string>;
}

export async function call<T = Loose>(method: string, path: string, options: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let body: BodyInit | undefined = options.raw;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers["Content-Type"] ??= "application/json";
  }
  const response = await SELF.fetch(`${BASE}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: Envelope<T>;
  try {
    parsed = JSON.parse(text) as Envelope<T>;
  } catch {
    throw new Error(`${method} ${path} answered ${response.status} with a non-JSON body: ${text.slice(0, 200)}`);
  }
  return { status: response.status, headers: response.headers, body: parsed };
}

export function expectOk<T>(answer: Answer<T>): T {
  expect(answer.body.error, JSON.stringify(answer.body.error)).toBeNull();
  expect(answer.status).toBe(200);
  expect(answer.body.success).toBe(true);
  return answer.body.data;
}

export function expectError(answer: Answer, status: number, code: ErrorCode): void {
  expect({ status: answer.status, code: answer.body.error?.code }).toEqual({ status, code });
  expect(answer.body.success).toBe(false);
  expect(answer.body.data).toBeNull();
  expect(answer.body.meta.request_id).toBe(answer.headers.get("X-Request-Id"));
}

export interface TestUser {
  user_id: string;
  token: string;
}

export async function newUser(): Promise<TestUser> {
  return expectOk(await call<TestUser>("POST", "/auth/anon"));
}

export async function makePro(userId: string, grantCredits = 0): Promise<void> {
  expectOk(
    await call("POST", `/admin/users/${userId}/plan`, {
      token: env.ADMIN_SECRET,
      json: { plan: "pro", grant_credits: grantCredits },
    }),
  );
}

export const FLOOR_OAK = { Floor: { action: "recolor", value: "oak_a" } } as const;

export function ruleBody(overrides: Record<string, unknown> = {}) {
  return { name: "Oak floors", preset_id: "interior", concepts: FLOOR_OAK, protect: ["Grout"], ...overrides };
}

export interface CreatedJob {
  job_id: string;
  upload: { idx: number; url: string; key: string }[];
  confirm_url: string;
}

export async function createJob(
  user: TestUser,
  itemCount: number,
  preset = "interior",
  names?: string[],
): Promise<CreatedJob> {
  const json = { preset, item_count: itemCount, ...(names ? { names } : {}) };
  return expectOk(await call<CreatedJob>("POST", "/jobs", { token: user.token, json }));
}

/** The inputs as a client would PUT them (`bytes` long each, by idx); SELF cannot reach wrangler's S3
 *  endpoint, so straight into R2. */
export async function uploadInputs(job: CreatedJob, bytes: (idx: number) => number = () => 16): Promise<void> {
  await Promise.all(job.upload.map(({ key }, idx) => env.BUCKET.put(key, new Uint8Array(bytes(idx)).fill(7))));
}

/** A job created, its inputs uploaded and confirmed: `uploaded`, ready to execute. */
export async function uploadedJob(
  user: TestUser,
  itemCount: number,
  options: { preset?: string; bytes?: (idx: number) => number; names?: string[] } = {},
): Promise<CreatedJob> {
  const job = await createJob(user, itemCount, options.preset, options.names);
  await uploadInputs(job, options.bytes);
  expectOk(await call("POST", `/jobs/${job.job_id}/confirm-upload`, { token: user.token }));
  return job;
}

/**
 * Captures what the JobCoordinator sends to GPU_JOBS. The Durable Objects run in the test's
 * isolate, so spying on the queue binding's prototype sees the real send (restore with vi.restoreAllMocks).
 */
export function captureQueue(): QueueMessage[] {
  const sent: QueueMessage[] = [];
  const prototype = Object.getPrototypeOf(env.GPU_JOBS) as Queue<QueueMessage>;
  const original = prototype.send;
  vi.spyOn(prototype, "send").mockImplementation(function (this: Queue<QueueMessage>, body, options) {
    sent.push(structuredClone(body));
    return original.call(this, body, options);
  });
  return sent;
}
