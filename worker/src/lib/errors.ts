// The error catalog of docs/architecture.md: one table, code → HTTP status.
export const ERROR_STATUS = {
  VALIDATION_ERROR: 400,
  AUTH_REQUIRED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  CREDITS_EXHAUSTED: 402,
  RULE_SLOT_FULL: 403,
  CALLBACK_UNAUTHORIZED: 403,
  NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  RULE_NOT_FOUND: 404,
  INVALID_TRANSITION: 409,
  ALREADY_CANCELED: 409,
  CONCURRENCY_LIMIT: 429,
  INTERNAL_ERROR: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;

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
  CONCURRENCY_LIMIT: "Your plan's concurrent job limit is reached.",
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
  ) {
    super(message);
    this.status = status ?? ERROR_STATUS[code];
  }
}
