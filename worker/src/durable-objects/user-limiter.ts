// One per user: the credit ledger, the concurrency slots and the rule slots (docs/credits.md).
// Every operation reads and writes its balance synchronously in the DO's SQLite, with no
// await in between, so concurrent calls serialize; D1 billing rows follow through an outbox.
import { DurableObject } from "cloudflare:workers";
import { NEW_USER, PLANS, PLAN_IDS, type Plan } from "@s3/contract";
import type { Outcome, UserLimiterApi, UserState } from "../rpc";
import { BillingOutbox, type PendingBillingEvent } from "./billing-outbox";
import { IdempotencyKeys, type IdempotencyStart } from "./idempotency-keys";
import { WebhookSecrets, type WebhookSecretView } from "./webhook-secrets";
import { StrandedHolds } from "./stranded-holds";
import { CacheRefs } from "./cache-refs";

type JobPhase = "active" | "committed" | "rolled_back";

interface LedgerRow extends Record<string, SqlStorageValue> {
  user_id: string;
  plan: string;
  credits: number;
}

interface HeldJobRow extends Record<string, SqlStorageValue> {
  reserved: number;
  phase: string;
}

const UNKNOWN_USER = { ok: false, code: "TOKEN_INVALID", message: "unknown user" } as const;

export class UserLimiter extends DurableObject<Env> implements UserLimiterApi {
  private readonly sql: SqlStorage;
  private readonly outbox: BillingOutbox;
  private readonly holds: StrandedHolds;
  private readonly idempotency: IdempotencyKeys;
  private readonly webhookSecrets: WebhookSecrets;
  private readonly cacheRefs: CacheRefs;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS ledger (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        user_id TEXT NOT NULL, plan TEXT NOT NULL, credits INTEGER NOT NULL
      );
      -- Every job this user ever reserved for: a reserve, commit or rollback repeated later is a no-op.
      CREATE TABLE IF NOT EXISTS jobs (
        job_id TEXT PRIMARY KEY, reserved INTEGER NOT NULL, phase TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS rule_slots (rule_id TEXT PRIMARY KEY);
    `);
    this.outbox = new BillingOutbox(ctx, env, () => this.ledger());
    this.holds = new StrandedHolds(ctx, env);
    this.idempotency = new IdempotencyKeys(this.sql);
    this.webhookSecrets = new WebhookSecrets(this.sql);
    this.cacheRefs = new CacheRefs(this.sql);
  }

  async addCacheRefs(jobId: string, sha256s: string[]): Promise<void> {
    this.cacheRefs.add(jobId, sha256s);
  }

  async releaseCacheRefs(jobId: string, sha256s: string[]): Promise<string[]> {
    return this.cacheRefs.release(jobId, sha256s);
  }

  async init(userId: string): Promise<UserState> {
    const created = this.ctx.storage.transactionSync(() => {
      if (this.ledger()) return null;
      this.sql.exec(
        "INSERT INTO ledger (id, user_id, plan, credits) VALUES (1, ?, ?, ?)",
        userId,
        NEW_USER.plan,
        NEW_USER.credits,
      );
      return this.stateNow();
    });
    return created ?? this.stateNow()!;
  }

  async state(): Promise<UserState | null> {
    return this.stateNow();
  }

  async reserve(jobId: string, n: number): Promise<Outcome<{ state: UserState }>> {
    const ledger = this.ledger();
    if (!ledger) return UNKNOWN_USER;
    const plan = PLANS[ledger.plan as Plan];
    if (!Number.isInteger(n) || n < 1 || n > plan.maxItemsPerJob) {
      return {
        ok: false,
        code: "VALIDATION_ERROR",
        message: `item_count must be 1..${plan.maxItemsPerJob} on the ${ledger.plan} plan`,
      };
    }
    if (this.heldJob(jobId)) return { ok: true, state: this.stateNow()! };
    if (ledger.credits < n) return { ok: false, code: "CREDITS_EXHAUSTED" };
    if (this.activeJobs() >= plan.maxConcurrentJobs) {
      // Which jobs to cancel or wait for (docs/retries.md); waiting alone never helps, so no Retry-After.
      return { ok: false, code: "CONCURRENCY_LIMIT", details: { active_job_ids: this.activeJobIds() } };
    }

    this.ctx.storage.transactionSync(() => {
      this.sql.exec("UPDATE ledger SET credits = credits - ? WHERE id = 1", n);
      this.sql.exec("INSERT INTO jobs (job_id, reserved, phase) VALUES (?, ?, 'active')", jobId, n);
      this.outbox.add([{ type: "reserve", amount: n, ref: jobId }], ledger.user_id);
      this.holds.watch(jobId);
    });
    await this.holds.schedule();
    await this.outbox.flush();
    return { ok: true, state: this.stateNow()! };
  }

  async commit(jobId: string, done: number, failed: number): Promise<Outcome<{ state: UserState }>> {
    return this.release(jobId, "committed", failed, done);
  }

  async rollback(jobId: string, refund: number): Promise<Outcome<{ state: UserState }>> {
    return this.release(jobId, "rolled_back", refund);
  }

  async claimRuleSlot(ruleId: string): Promise<Outcome<{ state: UserState }>> {
    const ledger = this.ledger();
    if (!ledger) return UNKNOWN_USER;
    const held = this.sql.exec("SELECT 1 FROM rule_slots WHERE rule_id = ?", ruleId).toArray().length > 0;
    if (!held) {
      if (this.ruleSlotsUsed() >= PLANS[ledger.plan as Plan].ruleSlots) return { ok: false, code: "RULE_SLOT_FULL" };
      this.sql.exec("INSERT INTO rule_slots (rule_id) VALUES (?)", ruleId);
    }
    return { ok: true, state: this.stateNow()! };
  }

  async releaseRuleSlot(ruleId: string): Promise<Outcome<{ state: UserState }>> {
    if (!this.ledger()) return UNKNOWN_USER;
    this.sql.exec("DELETE FROM rule_slots WHERE rule_id = ?", ruleId);
    return { ok: true, state: this.stateNow()! };
  }

  async startIdempotent(key: string, fingerprint: string, resourceId: string | null): Promise<IdempotencyStart> {
    return this.idempotency.start(key, fingerprint, resourceId);
  }

  async finishIdempotent(key: string, fingerprint: string, status: number, dataJson: string): Promise<void> {
    this.idempotency.finish(key, fingerprint, status, dataJson);
  }

  async releaseIdempotent(key: string, fingerprint: string): Promise<void> {
    this.idempotency.release(key, fingerprint);
  }

  async webhookSecret(): Promise<Outcome<{ secret: WebhookSecretView }>> {
    if (!this.ledger()) return UNKNOWN_USER;
    return { ok: true, secret: this.webhookSecrets.view() };
  }

  async rotateWebhookSecret(): Promise<Outcome<{ secret: WebhookSecretView }>> {
    if (!this.ledger()) return UNKNOWN_USER;
    return { ok: true, secret: this.webhookSecrets.rotate() };
  }

  async webhookSigningSecrets(): Promise<string[]> {
    return this.webhookSecrets.signing();
  }

  async setPlan(plan: Plan, grantCredits = 0): Promise<Outcome<{ state: UserState }>> {
    const ledger = this.ledger();
    if (!ledger) return UNKNOWN_USER;
    if (!PLAN_IDS.includes(plan) || !Number.isInteger(grantCredits) || grantCredits < 0) {
      return {
        ok: false,
        code: "VALIDATION_ERROR",
        message: "plan must be free or pro, grantCredits a non-negative integer",
      };
    }
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("UPDATE ledger SET plan = ?, credits = credits + ? WHERE id = 1", plan, grantCredits);
      // A grant is booked as a refund so that balance = NEW_USER.credits − Σreserve + Σrefund holds.
      if (grantCredits > 0)
        this.outbox.add(
          [{ type: "refund", amount: grantCredits, ref: `grant:${crypto.randomUUID()}` }],
          ledger.user_id,
        );
    });
    await this.outbox.flush();
    return { ok: true, state: this.stateNow()! };
  }

  /** Retries billing rows whose D1 write failed, and releases holds whose job never appeared. */
  override async alarm(): Promise<void> {
    await this.outbox.flush();
    await this.holds.sweep(
      (jobId) => this.heldJob(jobId)?.phase === "active",
      async (jobId) => {
        const refusal = await this.rollback(jobId, this.heldJob(jobId)!.reserved);
        if (!refusal.ok) throw new Error(`stranded hold ${jobId} not released: ${refusal.code}`);
      },
    );
  }

  /**
   * Ends a job's hold: refunds `refund` (at most what was reserved), charges the rest and
   * frees the concurrency slot. Unknown or already ended jobs change nothing.
   */
  private async release(
    jobId: string,
    phase: JobPhase,
    refund: number,
    done?: number,
  ): Promise<Outcome<{ state: UserState }>> {
    const ledger = this.ledger();
    if (!ledger) return UNKNOWN_USER;
    const counts = done === undefined ? [refund] : [refund, done];
    if (counts.some((count) => !Number.isInteger(count) || count < 0)) {
      return { ok: false, code: "VALIDATION_ERROR", message: "counts must be non-negative integers" };
    }
    const job = this.heldJob(jobId);
    if (!job || job.phase !== "active") return { ok: true, state: this.stateNow()! };

    const refunded = Math.min(refund, job.reserved);
    const charged = job.reserved - refunded;
    this.ctx.storage.transactionSync(() => {
      this.sql.exec("UPDATE ledger SET credits = credits + ? WHERE id = 1", refunded);
      this.sql.exec("UPDATE jobs SET phase = ? WHERE job_id = ?", phase, jobId);
      const events: PendingBillingEvent[] = [];
      if (refunded > 0) events.push({ type: "refund", amount: refunded, ref: jobId });
      if (charged > 0) events.push({ type: "charge", amount: charged, ref: jobId });
      this.outbox.add(events, ledger.user_id);
    });
    await this.outbox.flush();
    return { ok: true, state: this.stateNow()! };
  }

  private ledger(): LedgerRow | undefined {
    return this.sql.exec<LedgerRow>("SELECT user_id, plan, credits FROM ledger WHERE id = 1").toArray()[0];
  }

  private heldJob(jobId: string): HeldJobRow | undefined {
    return this.sql.exec<HeldJobRow>("SELECT reserved, phase FROM jobs WHERE job_id = ?", jobId).toArray()[0];
  }

  private activeJobIds(): string[] {
    return this.sql
      .exec<{ job_id: string }>("SELECT job_id FROM jobs WHERE phase = 'active' ORDER BY job_id")
      .toArray()
      .map((row) => row.job_id);
  }

  private activeJobs(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM jobs WHERE phase = 'active'").one().n;
  }

  private ruleSlotsUsed(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM rule_slots").one().n;
  }

  private stateNow(): UserState | null {
    const ledger = this.ledger();
    if (!ledger) return null;
    const plan = ledger.plan as Plan;
    return {
      user_id: ledger.user_id,
      plan,
      credits: ledger.credits,
      active_jobs: this.activeJobs(),
      rule_slots: { used: this.ruleSlotsUsed(), max: PLANS[plan].ruleSlots },
    };
  }
}
