// The single error shaper: every error, and every path no route serves, becomes the envelope with a
// catalog code; nothing internal leaks into a 500's message.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import { failure } from "../lib/envelope";
import { ApiError } from "../lib/errors";
import type { AppEnv } from "../lib/openapi";
import { bodyTooLarge } from "./body-limit";

function errorResponse(c: Context<AppEnv>, error: ApiError): Response {
  return c.json(failure(c, error.code, error.message), error.status as 400, error.headers);
}

function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 404) return new ApiError("NOT_FOUND");
    if (error.status === 413) return bodyTooLarge();
    // Hono's own 4xx: malformed JSON, unreadable body.
    if (error.status < 500) return new ApiError("VALIDATION_ERROR", error.message || undefined);
  }
  console.error("unhandled error", error);
  return new ApiError("INTERNAL_ERROR");
}

export const onError: ErrorHandler<AppEnv> = (error, c) => errorResponse(c, toApiError(error));

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  errorResponse(c, new ApiError("NOT_FOUND", `No route for ${c.req.method} ${new URL(c.req.url).pathname}.`));
