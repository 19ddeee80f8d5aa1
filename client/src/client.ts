// The typed client: openapi-fetch over the generated paths, a bearer token, retries that are safe
// (only GETs and requests carrying an Idempotency-Key, docs/retries.md), and one way to unwrap an answer.
import createClient, { type Client } from "openapi-fetch";
import type { ErrorCode, ErrorDetails, ErrorEnvelope, paths } from "./types";

export type ApiClient = Client<paths>;

export interface ApiClientOptions {
  baseUrl: string;
  /** The bearer token, read before each request (so a client can sign in after it was made). */
  token?: string | (() => string | undefined);
  /** Attempts per request in all (default 3); only safe requests are retried. */
  attempts?: number;
  /** Per-attempt timeout (default 30 s); event streams have none. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** A refusal: the HTTP status and the envelope's code, message and details. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | undefined,
    message: string,
    readonly details: ErrorDetails | undefined = undefined,
    readonly requestId: string | undefined = undefined,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A fresh Idempotency-Key (docs/retries.md): 1–255 visible ASCII characters. */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl.replace(/\/+$/, ""),
    fetch: retryingFetch(options.fetch ?? globalThis.fetch, options.attempts ?? 3, options.timeoutMs ?? 30_000),
  });
  client.use({
    onRequest({ request }) {
      const token = typeof options.token === "function" ? options.token() : options.token;
      if (token && !request.headers.has("authorization")) request.headers.set("authorization", `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

/** POST /auth/anon (dev auth): a new anonymous user, and a client that acts as it. */
export async function signInAnonymously(
  options: Omit<ApiClientOptions, "token">,
): Promise<{ api: ApiClient; user_id: string; token: string }> {
  const anonymous = createApiClient(options);
  const user = await unwrap(anonymous.POST("/auth/anon"));
  return { api: createApiClient({ ...options, token: user.token }), ...user };
}

interface Answer<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The answer's `data`, or an ApiError carrying the envelope's code. */
export async function unwrap<T extends { data: unknown }>(call: Promise<Answer<T>>): Promise<T["data"]> {
  const { data, error, response } = await call;
  if (response.ok && data !== undefined) return data.data;
  throw apiErrorOf(response, error);
}

export function apiErrorOf(response: Response, body: unknown): ApiError {
  const envelope = typeof body === "object" && body !== null ? (body as Partial<ErrorEnvelope>) : undefined;
  const { code, message, details } = envelope?.error ?? {};
  const route = new URL(response.url || "http://unknown/").pathname;
  return new ApiError(
    response.status,
    code,
    `${route} answered ${response.status}${code ? ` ${code}` : ""}${message ? `: ${message}` : ""}`,
    details,
    envelope?.meta?.request_id,
  );
}

const RETRIED_STATUSES = new Set([500, 502, 503, 504]);

/**
 * A fetch that retries what can be repeated without a second effect: a GET, or a request that
 * carries an Idempotency-Key, after a network error, a timeout, a 5xx or a 429 with Retry-After.
 */
export function retryingFetch(base: typeof fetch, attempts: number, timeoutMs: number) {
  return async (request: Request): Promise<Response> => {
    const retriable = request.method === "GET" || request.headers.has("idempotency-key");
    const streaming = request.headers.get("accept") === "text/event-stream";
    for (let attempt = 1; ; attempt++) {
      const last = !retriable || attempt >= attempts;
      const signal = streaming ? request.signal : AbortSignal.any([request.signal, AbortSignal.timeout(timeoutMs)]);
      try {
        const response = await base(new Request(last ? request : request.clone(), { signal }));
        const retryAfter = response.status === 429 ? Number(response.headers.get("retry-after")) : NaN;
        if (last || !(RETRIED_STATUSES.has(response.status) || retryAfter > 0)) return response;
        await response.body?.cancel();
        await sleep(retryAfter > 0 ? retryAfter * 1000 : backoffMs(attempt), request.signal);
      } catch (error) {
        if (last || request.signal.aborted) throw error;
        await sleep(backoffMs(attempt), request.signal);
      }
    }
  };
}

function backoffMs(attempt: number): number {
  return 250 * 2 ** (attempt - 1);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });
}
