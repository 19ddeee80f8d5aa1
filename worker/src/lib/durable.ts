// Typed handles on the two Durable Objects, seen through the RPC contract of
// durable-objects/api.ts, and the one place a Refusal becomes an ApiError.
import type { JobCoordinatorApi, Outcome, UserLimiterApi } from "../durable-objects/api";
import type { Env } from "../env";
import { ApiError } from "./errors";

export function userLimiter(env: Env, userId: string): UserLimiterApi {
  return env.USER_LIMITER.get(env.USER_LIMITER.idFromName(userId)) as unknown as UserLimiterApi;
}

export function jobCoordinator(env: Env, jobId: string): JobCoordinatorApi {
  return env.JOB_COORDINATOR.get(env.JOB_COORDINATOR.idFromName(jobId)) as unknown as JobCoordinatorApi;
}

/** The outcome's value, or the refusal thrown as the catalog error it names. */
export function unwrap<T extends object>(outcome: Outcome<T>): T {
  if (!outcome.ok) throw new ApiError(outcome.code, outcome.message);
  return outcome;
}
