// The response envelope (docs/architecture.md, Conventions), its zod schema (for OpenAPI) and the builders.
// Its shape is the contract's (Envelope, ApiErrorBody): the builders are typed by it.
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { ERROR_STATUS, type ApiMeta, type ErrorCode, type FailureEnvelope, type SuccessEnvelope } from "@s3/contract";

export const metaSchema = z.object({
  request_id: z.string().openapi({ example: "5f0c9a4e-8a1f-4e0a-9c57-3d3f8e1b2a10" }),
  timestamp: z.string().openapi({ example: "2026-01-01T00:00:00.000Z" }),
});
export type Meta = ApiMeta;

export const errorBodySchema = z.object({
  code: z.enum(Object.keys(ERROR_STATUS) as [ErrorCode, ...ErrorCode[]]),
  message: z.string(),
});

export function successSchema<T extends z.ZodType>(data: T) {
  return z.object({ success: z.literal(true), data, error: z.null(), meta: metaSchema });
}

export const failureSchema = z
  .object({ success: z.literal(false), data: z.null(), error: errorBodySchema, meta: metaSchema })
  .openapi("Error");

export function meta(c: Context): Meta {
  return { request_id: c.get("requestId") ?? crypto.randomUUID(), timestamp: new Date().toISOString() };
}

export function success<T>(c: Context, data: T): SuccessEnvelope<T> {
  return { success: true as const, data, error: null, meta: meta(c) };
}

export function failure(c: Context, code: ErrorCode, message: string): FailureEnvelope {
  return { success: false as const, data: null, error: { code, message }, meta: meta(c) };
}
