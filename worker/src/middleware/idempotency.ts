// Idempotency-Key on the five client POSTs (docs/retries.md): the first request with a key runs, a
// repeat with the same body answers what it answered (Idempotent-Replayed: true), a concurrent one
// waits for it, and the same key with another body is IDEMPOTENCY_CONFLICT. The UserLimiter decides.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { userLimiter } from "../lib/durable";
import { success } from "../lib/envelope";
import { ApiError } from "../lib/errors";
import { newId, type IdPrefix } from "../lib/ids";
import type { AppEnv } from "../lib/openapi";
import { IDEMPOTENCY_LEASE_MS } from "../durable-objects/idempotency-keys";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
export const REPLAYED_HEADER = "Idempotent-Replayed";
/** 1–255 visible ASCII characters. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
const WAIT_STEP_MS = 25;

/** The request header, as the OpenAPI document declares it. */
export const idempotencyRequest = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: "Makes a retry safe: a repeat answers what the first answered (kept 24 h)." }),
});

/** Declares Idempotent-Replayed on a 2xx response. */
export function replayable<R extends object>(response: R) {
  return {
    ...response,
    headers: {
      [REPLAYED_HEADER]: {
        description: "true when this is the kept answer of an earlier request with the same Idempotency-Key.",
        schema: { type: "string" as const, enum: ["true"] },
      },
    },
  };
}

interface IdempotencyOptions {
  /** The kind of id the request creates: minted here and kept with the key, so a takeover makes the same one. */
  creates?: IdPrefix;
  /** Rewrites a kept answer's data before it is replayed (POST /jobs presigns its upload URLs afresh). */
  replay?: (c: Context<AppEnv>, data: unknown) => Promise<unknown>;
}

/** The id a creating route should use: the one kept with the request's Idempotency-Key, else a new one. */
export function idToCreate(c: Context<AppEnv>, prefix: IdPrefix): string {
  return c.get("idToCreate") ?? newId(prefix);
}

/** What "the same request" means for a key: method, path and the body's exact bytes. */
export async function requestFingerprint(method: string, path: string, body: string): Promise<string> {
  const request = `${method} ${path}\n${body}`;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(request));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export function idempotency(options: IdempotencyOptions = {}) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header(IDEMPOTENCY_HEADER);
    if (key === undefined) return next();
    if (!KEY_PATTERN.test(key)) {
      throw new ApiError(
        "VALIDATION_ERROR",
        `${IDEMPOTENCY_HEADER} must be 1–255 visible ASCII characters.`,
        undefined,
        {},
        { field: IDEMPOTENCY_HEADER },
      );
    }
    const limiter = userLimiter(c.env, c.get("userId"));
    const fingerprint = await requestFingerprint(c.req.method, new URL(c.req.url).pathname, await c.req.text());
    const candidate = options.creates ? newId(options.creates) : null;
    // A concurrent twin waits for the first answer; past the lease the first is taken to have died.
    const giveUpAt = Date.now() + IDEMPOTENCY_LEASE_MS + 2_000;
    let start = await limiter.startIdempotent(key, fingerprint, candidate);
    while (start.kind === "in_flight" && Date.now() < giveUpAt) {
      await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
      start = await limiter.startIdempotent(key, fingerprint, candidate);
    }
    if (start.kind === "conflict") throw new ApiError("IDEMPOTENCY_CONFLICT");
    if (start.kind === "in_flight") {
      throw new ApiError("IDEMPOTENCY_CONFLICT", "A request with this Idempotency-Key is still in progress.");
    }
    if (start.kind === "replay") {
      let data: unknown = JSON.parse(start.data_json);
      if (options.replay) data = await options.replay(c, data);
      c.header(REPLAYED_HEADER, "true");
      return c.json(success(c, data), start.status as 200);
    }
    if (start.resource_id !== null) c.set("idToCreate", start.resource_id);
    try {
      await next();
    } catch (error) {
      await limiter.releaseIdempotent(key, fingerprint);
      throw error;
    }
    if (c.res.status >= 200 && c.res.status < 300) {
      const answer: { data: unknown } = await c.res.clone().json();
      await limiter.finishIdempotent(key, fingerprint, c.res.status, JSON.stringify(answer.data));
    } else {
      await limiter.releaseIdempotent(key, fingerprint);
    }
  });
}
