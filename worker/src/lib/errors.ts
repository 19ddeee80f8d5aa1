// The API's domain error; the code → HTTP status catalog is declared once in @s3/contract (docs/architecture.md).
import { ERROR_STATUS, type ErrorCode, type ErrorDetails } from "@s3/contract";

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  VALIDATION_ERROR: "The request is not valid.",
  AUTH_REQUIRED: "An Authorization: Bearer token is required.",
  TOKEN_EXPIRED: "The token has expired.",
  TOKEN_INVALID: "The token is not valid.",
  CREDITS_EXHAUSTED: "Not enough credits for this job.",
  RULE_SLOT_FULL: "All rule slots of your plan are in use.",
  CALLBACK_UNAUTHORIZED: "The callback secret is missing or wrong.",
  NOT_FOUND: "Not found.",
  JOB_NOT_FOUND: "Job not found.",
  RULE_NOT_FOUND: "Rule not found.",
  INVALID_TRANSITION: "The job's state does not allow this step.",
  ALREADY_CANCELED: "The job is already canceled.",
  IDEMPOTENCY_CONFLICT: "This Idempotency-Key was used with a different request.",
  NOTHING_TO_RETRY: "The job has no failed or needs-review items to retry.",
  JOB_DELETED: "The job's photos were deleted; upload them again in a new job.",
  CONCURRENCY_LIMIT: "Your plan's concurrent job limit is reached.",
  RATE_LIMITED: "Too many requests from your address; try again after Retry-After seconds.",
  INTERNAL_ERROR: "Something went wrong on our side.",
};

/** A domain error; the app's single onError turns it into the envelope. */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string = DEFAULT_MESSAGE[code],
    /** Overrides the catalog status only where docs/architecture.md says so (413 for an oversized body). */
    status?: number,
    /** Response headers the error carries (Retry-After for RATE_LIMITED). */
    readonly headers: Record<string, string> = {},
    /** Machine-readable specifics beside the message (docs/retries.md): `field`, `active_job_ids`. */
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.status = status ?? ERROR_STATUS[code];
  }
}
