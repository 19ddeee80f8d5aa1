// Request helpers for the route tests: every call goes through SELF.fetch, the real app.
import { env, SELF } from "cloudflare:test";
import { expect } from "vitest";
import type { ErrorCode } from "@s3/contract";

export const BASE = "http://127.0.0.1:8787";

/** Answers are read loosely: each test asserts the fields it depends on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export interface Envelope<T = Loose> {
  success: boolean;
  data: T;
  error: { code: ErrorCode; message: string } | null;
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
