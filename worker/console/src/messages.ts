// Every error code of the catalog (the contract's error catalog, @s3/contract) in words a person understands.
// Typed by the catalog, so a code added there without a sentence here fails the typecheck.
import type { ErrorCode } from "@s3/contract";
import { ApiFailure } from "./api";

export const SENTENCES: Record<ErrorCode, string> = {
  VALIDATION_ERROR: "Something in the request was not accepted",
  AUTH_REQUIRED: "Please start a session first.",
  TOKEN_EXPIRED: "Your session has expired. Start a new one to continue.",
  TOKEN_INVALID: "Your session is no longer valid. Start a new one to continue.",
  CREDITS_EXHAUSTED: "You do not have enough credits for this many photos. Remove some photos or add credits.",
  RULE_SLOT_FULL: "All the rule slots of your plan are used. Delete a saved rule to save a new one.",
  CALLBACK_UNAUTHORIZED: "The processing service was refused by the API.",
  NOT_FOUND: "That was not found.",
  JOB_NOT_FOUND: "That job no longer exists.",
  RULE_NOT_FOUND: "That rule no longer exists.",
  INVALID_TRANSITION: "The job is not at a step where this can be done.",
  ALREADY_CANCELED: "The job was already canceled.",
  IDEMPOTENCY_CONFLICT: "This step was already sent with different settings. Reload and try again.",
  CONCURRENCY_LIMIT:
    "Your plan's limit of jobs at once is reached: a job is still open. " +
    "Wait for it to finish or cancel it, then try again.",
  RATE_LIMITED: "Too many requests in a short time. Wait a moment and try again.",
  INTERNAL_ERROR: "Something went wrong on our side. Please try again in a moment.",
};

/** Failures the console itself names: the API was never reached, or a presigned upload failed. */
const OTHER_SENTENCES: Record<string, string> = {
  NETWORK_ERROR: "The API could not be reached. Check that it is running.",
  UPLOAD_FAILED: "A photo could not be uploaded",
};

/** A sentence for the error; a validation error keeps the server's detail, which names the field. */
export function explain(error: unknown): string {
  if (!(error instanceof ApiFailure)) return "Something unexpected happened in the console.";
  const sentence = (SENTENCES as Record<string, string>)[error.code] ?? OTHER_SENTENCES[error.code];
  if (!sentence) return error.message;
  if (error.code === "VALIDATION_ERROR" || error.code === "UPLOAD_FAILED") return `${sentence}: ${error.message}`;
  return sentence;
}
