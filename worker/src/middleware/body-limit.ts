// A request body over MAX_BODY_BYTES is refused with 413 VALIDATION_ERROR before any handler reads it.
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../lib/errors";

export const MAX_BODY_BYTES = 256 * 1024;

/** The refusal of an oversized body, also for Hono's own 413. */
export const bodyTooLarge = () => new ApiError("VALIDATION_ERROR", "The request body is over 256 KB.", 413);

export const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw bodyTooLarge();
  },
});
