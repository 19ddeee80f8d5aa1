// The id shapes of the API (docs/architecture.md, Conventions): what it hands out, and what a
// storage key may hold (docs/trust.md).

/** The shape of every id this API hands out (16 random bytes in lowercase base32); path params are checked by it. */
export const ID_PATTERN = {
  u: /^u_[a-z2-7]{26}$/,
  rule: /^rule_[a-z2-7]{26}$/,
  job: /^job_[a-z2-7]{26}$/,
} as const;

/** Ids that may appear in a key: the API's `u_…`/`job_…` shapes, never a `/` or `.` (docs/trust.md). */
export const KEY_ID_PATTERN = {
  user: /^u_[A-Za-z0-9_-]{1,64}$/,
  job: /^job_[A-Za-z0-9_-]{1,64}$/,
} as const;
