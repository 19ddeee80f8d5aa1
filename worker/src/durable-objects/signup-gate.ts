// One per client IP: how many anonymous users it created this minute (docs/trust.md, "Signups").
// A Durable Object rather than the Workers rate-limiting binding, because the binding's limit is
// fixed in wrangler.jsonc at deploy time while ANON_PER_MINUTE is a var each stack sets.
import { DurableObject } from "cloudflare:workers";

const WINDOW_MS = 60_000;

interface Window {
  start: number;
  count: number;
}

export type SignupVerdict = { ok: true } | { ok: false; retryAfterSec: number };

export class SignupGate extends DurableObject<Env> {
  /** Counts one signup in the current minute, or refuses it once `limit` were counted. */
  async take(limit: number): Promise<SignupVerdict> {
    const now = Date.now();
    const start = now - (now % WINDOW_MS);
    const stored = await this.ctx.storage.get<Window>("window");
    const window = stored && stored.start === start ? stored : { start, count: 0 };
    if (window.count >= limit)
      return { ok: false, retryAfterSec: Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000)) };
    await this.ctx.storage.put("window", { start, count: window.count + 1 });
    // A quiet IP keeps nothing: the window is dropped once it has passed.
    await this.ctx.storage.setAlarm(start + WINDOW_MS);
    return { ok: true };
  }

  override async alarm(): Promise<void> {
    const stored = await this.ctx.storage.get<Window>("window");
    if (stored && stored.start + WINDOW_MS <= Date.now()) await this.ctx.storage.deleteAll();
  }
}
