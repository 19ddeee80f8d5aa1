import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PLANS } from "@s3/contract";
import { balanceFromBilling, billingRows, freshId, limiterOf, newUser } from "./helpers";

// Job ids are globally unique in production, and billing row ids derive from them.
let jobA = "",
  jobB = "",
  jobC = "",
  jobD = "",
  jobOther = "";
beforeEach(() => {
  [jobA, jobB, jobC, jobD, jobOther] = ["a", "b", "c", "d", "other"].map((name) => freshId(`job_${name}`)) as [
    string,
    string,
    string,
    string,
    string,
  ];
});

describe("UserLimiter ledger", () => {
  it("a new user has plan free, 10 credits, no active job and 2 rule slots; init twice changes nothing", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.reserve(jobA, 3);
    const again = await limiter.init(userId);
    expect(again).toEqual({
      user_id: userId,
      plan: "free",
      credits: 7,
      active_jobs: 1,
      rule_slots: { used: 0, max: 2 },
    });
  });

  it("state is null before init and operations on an unknown user answer TOKEN_INVALID", async () => {
    const limiter = limiterOf(freshId("u"));
    expect(await limiter.state()).toBeNull();
    expect(await limiter.reserve(jobA, 1)).toMatchObject({ ok: false, code: "TOKEN_INVALID" });
  });

  it("reserve takes n credits and a concurrency slot, and books a reserve row", async () => {
    const userId = await newUser();
    const outcome = await limiterOf(userId).reserve(jobA, 4);
    expect(outcome).toMatchObject({ ok: true, state: { credits: 6, active_jobs: 1 } });
    expect(await billingRows(userId)).toEqual([{ id: `${jobA}:reserve`, type: "reserve", amount: 4, ref: jobA }]);
  });

  it("reserving twice for one job reserves once", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.reserve(jobA, 4);
    expect(await limiter.reserve(jobA, 4)).toMatchObject({ ok: true, state: { credits: 6, active_jobs: 1 } });
    expect(await billingRows(userId)).toHaveLength(1);
  });

  it("reserve beyond the credits is refused with CREDITS_EXHAUSTED and takes nothing", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.reserve(jobA, 8);
    await limiter.commit(jobA, 8, 0);
    expect(await limiter.reserve(jobB, 3)).toMatchObject({ ok: false, code: "CREDITS_EXHAUSTED" });
    expect(await limiter.state()).toMatchObject({ credits: 2, active_jobs: 0 });
  });

  it("a second concurrent job for a free user is refused with CONCURRENCY_LIMIT", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.reserve(jobA, 2);
    expect(await limiter.reserve(jobB, 2)).toMatchObject({ ok: false, code: "CONCURRENCY_LIMIT" });
    expect(await limiter.state()).toMatchObject({ credits: 8, active_jobs: 1 });
  });

  it("item counts outside 1..plan maximum are refused with VALIDATION_ERROR", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    for (const n of [0, -1, 1.5, PLANS.free.maxItemsPerJob + 1]) {
      expect(await limiter.reserve(freshId("job"), n)).toMatchObject({ ok: false, code: "VALIDATION_ERROR" });
    }
    expect(await limiter.state()).toMatchObject({ credits: 10, active_jobs: 0 });
  });

  it("commit with partial failure refunds the failed items, charges the done ones and frees the slot", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.reserve(jobA, 5);
    expect(await limiter.commit(jobA, 3, 2)).toMatchObject({ ok: true, state: { credits: 7, active_jobs: 0 } });
    expect(await billingRows(userId)).toEqual(
      expect.arrayContaining([
        { id: `${jobA}:refund`, type: "refund", amount: 2, ref: jobA },
        { id: `${jobA}:charge`, type: "charge", amount: 3, ref: jobA },
      ]),
    );
  });

  it("rollback refunds what it is told and frees the slot", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.reserve(jobA, 5);
    expect(await limiter.rollback(jobA, 5)).toMatchObject({ ok: true, state: { credits: 10, active_jobs: 0 } });
  });

  it("a refund never exceeds what the job reserved", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.reserve(jobA, 2);
    expect(await limiter.rollback(jobA, 50)).toMatchObject({ ok: true, state: { credits: 10 } });
  });

  it("commit or rollback after either commit or rollback changes nothing", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.reserve(jobA, 4);
    await limiter.commit(jobA, 3, 1);
    const settled = await limiter.state();
    expect(await limiter.commit(jobA, 0, 4)).toMatchObject({ ok: true, state: settled });
    expect(await limiter.rollback(jobA, 4)).toMatchObject({ ok: true, state: settled });
    expect(await limiter.reserve(jobA, 4)).toMatchObject({ ok: true, state: settled });
    expect(settled).toMatchObject({ credits: 7, active_jobs: 0 });
    expect(await billingRows(userId)).toHaveLength(3);
  });

  it("commit or rollback for a job never reserved changes nothing", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.reserve(jobA, 4);
    await limiter.commit(jobOther, 0, 4);
    await limiter.rollback(jobOther, 4);
    expect(await limiter.state()).toMatchObject({ credits: 6, active_jobs: 1 });
    expect(await billingRows(userId)).toHaveLength(1);
  });

  it("10 parallel reserves from one free user: exactly one succeeds and the credits are exact", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, at) => limiter.reserve(`${jobA}_${at}`, 3)));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(1);
    expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => (outcome.ok ? null : outcome.code))).toEqual(
      Array(9).fill("CONCURRENCY_LIMIT"),
    );
    expect(await limiter.state()).toMatchObject({ credits: 7, active_jobs: 1 });
    expect(await balanceFromBilling(userId)).toBe(7);
  });

  it("a pro user runs 3 jobs at once and the fourth is refused", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.setPlan("pro", 90);
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, at) => limiter.reserve(`${jobA}_${at}`, 10)));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(3);
    expect(await limiter.state()).toMatchObject({ plan: "pro", credits: 70, active_jobs: 3, rule_slots: { max: 20 } });
  });

  it(
    "the balance rebuilt from billing_events equals the ledger after reserves, " + "commits, rollbacks and a grant",
    async () => {
      const userId = await newUser();
      const limiter = limiterOf(userId);
      await limiter.reserve(jobA, 4);
      await limiter.commit(jobA, 1, 3);
      await limiter.reserve(jobB, 5);
      await limiter.rollback(jobB, 5);
      await limiter.setPlan("pro", 20);
      await limiter.reserve(jobC, 6);
      await limiter.reserve(jobD, 2);
      await limiter.commit(jobC, 6, 0);
      await limiter.rollback(jobD, 1);
      const state = await limiter.state();
      expect(state?.credits).toBe(10 - 1 + 20 - 6 - 1);
      expect(await balanceFromBilling(userId)).toBe(state?.credits);
    },
  );
});

describe("UserLimiter billing rows in D1", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it(
    "a billing row whose D1 write failed is written once by the retry alarm, " + "and the ledger did not wait",
    async () => {
      const userId = await newUser();
      const limiter = limiterOf(userId);
      vi.spyOn(env.DB, "batch").mockRejectedValueOnce(new Error("D1 down"));
      expect(await limiter.reserve(jobA, 3)).toMatchObject({ ok: true, state: { credits: 7 } });
      expect(await billingRows(userId)).toEqual([]);
      expect(await runDurableObjectAlarm(limiter)).toBe(true);
      await runDurableObjectAlarm(limiter);
      expect(await billingRows(userId)).toEqual([{ id: `${jobA}:reserve`, type: "reserve", amount: 3, ref: jobA }]);
    },
  );

  it("the users row in D1 mirrors the ledger's plan and credits", async () => {
    const userId = await newUser();
    await env.DB.prepare("INSERT INTO users (id) VALUES (?)").bind(userId).run();
    const limiter = limiterOf(userId);
    await limiter.setPlan("pro", 5);
    await limiter.reserve(jobA, 4);
    expect(await env.DB.prepare("SELECT plan, credits FROM users WHERE id = ?").bind(userId).first()).toEqual({
      plan: "pro",
      credits: 11,
    });
  });
});

describe("UserLimiter rule slots", () => {
  it("6 parallel rule slot claims from a free user: exactly 2 succeed, the rest RULE_SLOT_FULL", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, at) => limiter.claimRuleSlot(`rule_${at}`)));
    expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(2);
    expect(outcomes.filter((outcome) => !outcome.ok && outcome.code === "RULE_SLOT_FULL")).toHaveLength(4);
    expect(await limiter.state()).toMatchObject({ rule_slots: { used: 2, max: 2 } });
  });

  it("claiming the same rule twice takes one slot, and releasing frees it", async () => {
    const userId = await newUser();
    const limiter = limiterOf(userId);
    await limiter.claimRuleSlot("rule_a");
    expect(await limiter.claimRuleSlot("rule_a")).toMatchObject({ ok: true, state: { rule_slots: { used: 1 } } });
    await limiter.claimRuleSlot("rule_b");
    expect(await limiter.claimRuleSlot("rule_c")).toMatchObject({ ok: false, code: "RULE_SLOT_FULL" });
    await limiter.releaseRuleSlot("rule_a");
    await limiter.releaseRuleSlot("rule_a");
    expect(await limiter.claimRuleSlot("rule_c")).toMatchObject({ ok: true, state: { rule_slots: { used: 2 } } });
  });
});
