// Typed handles on the two Durable Objects (RPC stubs typed by the generated Env), and the
// one place a Refusal becomes an ApiError.
import type { Outcome } from "../rpc";
import { ApiError } from "./errors";

export function userLimiter(env: Env, userId: string) {
  return env.USER_LIMITER.get(env.USER_LIMITER.idFromName(userId));
}

export function jobCoordinator(env: Env, jobId: string) {
  return env.JOB_COORDINATOR.get(env.JOB_COORDINATOR.idFromName(jobId));
}

/** The outcome's value, or the refusal thrown as the catalog error it names. */
export function unwrap<O extends Outcome>(outcome: O): Extract<O, { ok: true }> {
  const answer: Outcome = outcome;
  if (!answer.ok) throw new ApiError(answer.code, answer.message);
  return outcome as Extract<O, { ok: true }>;
}
