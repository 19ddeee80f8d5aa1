// The loop both pulling adapters (queue_pull, runpod) share: take work only while a slot
// is free, wait for a slot when full, back off after a failed take and idle after an
// empty one. What a unit of work is, and how it is taken and settled, is the adapter's.
import { setTimeout as sleep } from "node:timers/promises";
import { pollBackoffMs } from "../engine/retry";

export interface TakeLoopOptions<T> {
  /** Units held at once. */
  capacity: number;
  /** Wait after an empty take, and the base of the backoff after failed ones. */
  pollIntervalMs: number;
  /** Asks the platform for at most `free` units. */
  take(free: number): Promise<T[]>;
  /** Works one unit; its slot frees when the promise settles. */
  work(unit: T): Promise<void>;
  /** A take failed while the loop was not stopping. */
  onTakeFailed(error: unknown, failures: number): void;
  /** The units held changed (some taken, or one settled). */
  onHeldChanged?(): void;
}

export interface TakeLoop<T> {
  /** The units in progress and their work. */
  readonly held: ReadonlyMap<T, Promise<void>>;
  /** Runs until `stop()`: a take in flight then finishes, and what it took is worked. */
  run(): Promise<void>;
  /** No more takes; idle and full waits end at once. */
  stop(): void;
  /** Resolves when every unit in progress has settled, or at `deadline`, whichever is first. */
  drain(deadline: Promise<unknown>): Promise<void>;
}

export function createTakeLoop<T>(options: TakeLoopOptions<T>): TakeLoop<T> {
  const held = new Map<T, Promise<void>>();
  const idle = new AbortController();
  let stopping = false;
  let wake: (() => void) | null = null;
  const wakeUp = () => {
    wake?.();
    wake = null;
  };

  return {
    held,
    async run() {
      let failures = 0;
      while (!stopping) {
        const free = options.capacity - held.size;
        if (free <= 0) {
          await new Promise<void>((resolve) => (wake = resolve));
          continue;
        }
        let units: T[];
        try {
          units = await options.take(free);
          failures = 0;
        } catch (error) {
          if (stopping) break;
          options.onTakeFailed(error, ++failures);
          await sleep(pollBackoffMs(options.pollIntervalMs, failures), undefined, { signal: idle.signal }).catch(
            () => {},
          );
          continue;
        }
        // A unit taken while stopping is ours all the same: it is worked.
        for (const unit of units) {
          held.set(
            unit,
            options.work(unit).finally(() => {
              held.delete(unit);
              options.onHeldChanged?.();
              wakeUp();
            }),
          );
        }
        if (units.length > 0) options.onHeldChanged?.();
        // Short polling: an empty take answers at once, so wait before asking again.
        if (units.length === 0) await sleep(options.pollIntervalMs, undefined, { signal: idle.signal }).catch(() => {});
      }
    },
    stop() {
      stopping = true;
      idle.abort();
      wakeUp();
    },
    async drain(deadline) {
      await Promise.race([Promise.allSettled(held.values()), deadline]);
    },
  };
}
