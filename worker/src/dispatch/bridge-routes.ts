// The bridge's pull-consumer HTTP API, shaped like Cloudflare's
// (POST …/queues/{queue}/messages/pull and …/messages/ack), for local GPU workers.
// It answers in Cloudflare's API envelope, not S3's, because its clients speak Cloudflare's.
import { Hono } from "hono";
import { z } from "zod";
import { configOf } from "../config";
import { bearerToken, secretMatches } from "../lib/auth";
import { BRIDGE_QUEUE, bridgeStub } from "./bridge";

const pullSchema = z.object({
  batch_size: z.number().int().min(0).max(100).default(10),
  visibility_timeout_ms: z
    .number()
    .int()
    .min(1)
    .max(12 * 3600 * 1000)
    .default(30_000),
});
const ackSchema = z.object({
  acks: z.array(z.object({ lease_id: z.string().min(1) })).default([]),
  retries: z
    .array(z.object({ lease_id: z.string().min(1), delay_seconds: z.number().min(0).max(86_400).optional() }))
    .default([]),
});

function cloudflareEnvelope(result: unknown, errors: { code: number; message: string }[] = []) {
  return { success: errors.length === 0, errors, messages: [], result: errors.length === 0 ? result : null };
}

export const bridgeRoutes = new Hono<{ Bindings: Env }>().basePath("/bridge/queues");

bridgeRoutes.use("/:queue/*", async (c, next) => {
  const { mode, queueToken } = configOf(c.env).dispatch;
  if (mode !== "bridge" || !queueToken) {
    return c.json(cloudflareEnvelope(null, [{ code: 10_000, message: "the queue bridge is not enabled" }]), 404);
  }
  if (c.req.param("queue") !== BRIDGE_QUEUE) {
    return c.json(cloudflareEnvelope(null, [{ code: 11_000, message: "no such queue" }]), 404);
  }
  if (!(await secretMatches(bearerToken(c.req.header("authorization")), queueToken))) {
    return c.json(cloudflareEnvelope(null, [{ code: 10_001, message: "unauthorized" }]), 403);
  }
  await next();
});

async function readBody<T>(request: Request, schema: z.ZodType<T>): Promise<T | null> {
  const parsed = schema.safeParse(await request.json().catch(() => undefined));
  return parsed.success ? parsed.data : null;
}

bridgeRoutes.post("/:queue/messages/pull", async (c) => {
  const body = await readBody(c.req.raw, pullSchema);
  if (!body) return c.json(cloudflareEnvelope(null, [{ code: 10_002, message: "invalid pull body" }]), 400);
  const result = await bridgeStub(c.env).pull(body.batch_size, body.visibility_timeout_ms);
  return c.json(cloudflareEnvelope(result));
});

bridgeRoutes.post("/:queue/messages/ack", async (c) => {
  const body = await readBody(c.req.raw, ackSchema);
  if (!body) return c.json(cloudflareEnvelope(null, [{ code: 10_002, message: "invalid ack body" }]), 400);
  const result = await bridgeStub(c.env).ack(body.acks, body.retries);
  return c.json(cloudflareEnvelope(result));
});

bridgeRoutes.get("/:queue/stats", async (c) => c.json(cloudflareEnvelope(await bridgeStub(c.env).stats())));
