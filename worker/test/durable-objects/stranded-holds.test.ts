// A request that dies between UserLimiter.reserve and JobCoordinator.create (docs/trust.md):
// the UserLimiter's own alarm releases the hold once its job has not appeared within the grace.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { balanceFromBilling, billingRows, coordinatorOf, freshId, limiterOf, newUser } from "./helpers";

/** Moves every watched hold's time back past the grace, as if the alarm came minutes later. */
async function ageHolds(userId: string): Promise<void> {
  await runInDurableObject(limiterOf(userId), (_instance, state) => {
    state.storage.sql.exec("UPDATE hold_watch SET reserved_at = reserved_at - 10 * 60000");
  });
}

describe("stranded reservations", () => {
  it("a reserve whose create never came: the alarm refunds it and frees the only slot", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    const stranded = freshId("job");
    expect(await limiter.reserve(stranded, 4)).toMatchObject({ ok: true, state: { credits: 6, active_jobs: 1 } });
    // The free plan's one slot is held: a second job is refused until the hold goes.
    expect(await limiter.reserve(freshId("job"), 1)).toMatchObject({ ok: false, code: "CONCURRENCY_LIMIT" });
    const alarmAt = await runInDurableObject(limiter, (_instance, state) => state.storage.getAlarm());
    expect(alarmAt).not.toBeNull();
    expect(alarmAt! - Date.now()).toBeLessThanOrEqual(5 * 60_000);

    // Within the grace the alarm leaves the hold alone (the create may still be on its way).
    await runDurableObjectAlarm(limiter);
    expect(await limiter.state()).toMatchObject({ credits: 6, active_jobs: 1 });

    await ageHolds(userId);
    expect(await runDurableObjectAlarm(limiter)).toBe(true);
    expect(await limiter.state()).toMatchObject({ credits: 10, active_jobs: 0 });
    expect((await billingRows(userId)).map(({ type, amount, ref }) => ({ type, amount, ref }))).toEqual([
      { type: "reserve", amount: 4, ref: stranded },
      { type: "refund", amount: 4, ref: stranded },
    ]);
    expect(await balanceFromBilling(userId)).toBe(10);
    // Asking about the missing job woke no storage in its JobCoordinator.
    await runInDurableObject(coordinatorOf(stranded), (_instance, state) => {
      expect(state.storage.sql.exec("SELECT name FROM sqlite_master WHERE name = 'job'").toArray()).toEqual([]);
    });
    expect(await limiter.reserve(freshId("job"), 1)).toMatchObject({ ok: true });
  });

  it("a hold whose job was created stays held: its JobCoordinator settles it", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    const jobId = freshId("job");
    await limiter.reserve(jobId, 2);
    expect(
      await coordinatorOf(jobId).create({
        job_id: jobId,
        user_id: userId,
        preset: "interior",
        item_count: 2,
        watermark: true,
      }),
    ).toMatchObject({ ok: true });
    await ageHolds(userId);
    await runDurableObjectAlarm(limiter);
    expect(await limiter.state()).toMatchObject({ credits: 8, active_jobs: 1 });
    expect(await coordinatorOf(jobId).cancel(userId)).toMatchObject({ ok: true, refunded: 2 });
    expect(await limiter.state()).toMatchObject({ credits: 10, active_jobs: 0 });
  });
});
