// The benchmarks' small JSON client of a local API: the envelope unwrapped, a refusal thrown with its code.
import type { Envelope } from "@s3/contract";
import { ensureDevVars } from "./stack";

/** A secret from the environment, else from worker/.dev.vars (as `npm run dev` made it). */
export function devSecret(name: "ADMIN_SECRET" | "GPU_CALLBACK_SECRET"): string {
  const value = process.env[name] || ensureDevVars()[name];
  if (!value) throw new Error(`${name} is neither in the environment nor in worker/.dev.vars`);
  return value;
}

/** `api(method, route, token?, body?)` against `baseUrl`: the answer's data, or an Error naming the code. */
export function apiAt(baseUrl: string) {
  return async function api<T>(method: string, route: string, token?: string, body?: unknown): Promise<T> {
    const response = await fetch(`${baseUrl}${route}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body ? { "Content-Type": "application/json" } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    const envelope = (await response.json()) as Envelope<T>;
    if (!envelope.success) throw new Error(`${method} ${route}: ${response.status} ${envelope.error?.code}`);
    return envelope.data;
  };
}
