// Exponential backoff shared by storage, callbacks and the adapters' polls and acks.
import { setTimeout as sleep } from "node:timers/promises";
import { TransientError } from "./errors";

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8_000 };

export function backoffMs(policy: RetryPolicy, failures: number): number {
  // Half fixed, half random so many workers retrying the same outage spread out.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failures - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** The wait after `failures` failed polls in a row: doubling from the poll interval, at most 30 s. */
export function pollBackoffMs(pollIntervalMs: number, failures: number): number {
  return backoffMs({ attempts: 0, baseDelayMs: pollIntervalMs, maxDelayMs: 30_000 }, failures);
}

/** Runs `task` until it succeeds, throws a non-transient error, or the attempts run out. */
export async function withRetry<T>(
  policy: RetryPolicy,
  task: (attempt: number) => Promise<T>,
  onRetry?: (error: unknown, attempt: number) => void,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await task(attempt);
    } catch (error) {
      if (!isTransient(error) || attempt >= policy.attempts) throw error;
      onRetry?.(error, attempt);
      await sleep(backoffMs(policy, attempt));
    }
  }
}

export function isTransient(error: unknown): boolean {
  if (error instanceof TransientError) return true;
  // fetch rejects with TypeError on network failure and with TimeoutError/AbortError on timeout.
  return (
    error instanceof Error &&
    (error.name === "TypeError" || error.name === "TimeoutError" || error.name === "AbortError")
  );
}

export function isTransientStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
