// The API's error catalog: one table, code → HTTP status. The Worker throws these codes and
// clients branch on them.
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
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
} as const;
export type ErrorCode = keyof typeof ERROR_STATUS;
