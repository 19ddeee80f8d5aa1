// Polls a condition the code under test makes true asynchronously (a take, a post, a ping).
import { setTimeout as sleep } from "node:timers/promises";

/** Resolves once `check()` holds; throws naming `what` after 10 s. */
export async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 10) {
    if (waited > 10_000) throw new Error(`gave up waiting for ${what}`);
    await sleep(10);
  }
}
