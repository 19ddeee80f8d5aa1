// The lease of a queued or running job (docs/state-machine.md): progress pushes it forward; when it runs
// out, the unfinished items are sent again, waited on while the provider still runs them, or failed once
// the retry budget is spent or the provider will never run them.
import type { QueueMessage } from "@s3/contract";
import type { Config } from "../../config";
import { dispatcherFor, type ProviderStatus } from "../../dispatch";
import { queueMessageOf } from "./message";
import type { JobRow, JobStore } from "./store";

/** Storage key: until when the lease waits on a provider job that can still report (see `held`). */
const LEASE_HELD_UNTIL = "lease_held_until";

/** What the lease asks of the coordinator when it ends items. */
export interface LeaseHost {
  /** Ends the job once every item is final; true when it just ended. */
  finishIfComplete(): boolean;
  publish(): void;
  settle(): Promise<void>;
}

export class Lease {
  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly store: JobStore,
    private readonly env: Env,
    private readonly config: () => Config,
    private readonly host: LeaseHost,
  ) {}

  /** The alarm one lease from now. */
  async extend(): Promise<void> {
    await this.storage.setAlarm(Date.now() + this.leaseMs());
  }

  /** No progress within the lease: re-send the unfinished items, or fail them. */
  async expired(job: JobRow): Promise<void> {
    const status = await this.providerStatus(job);
    if (status === "failed" || status === "gone") {
      // The provider will never run the rest. Callbacks may have landed while it answered;
      // only items still pending fail.
      if (!this.stillLeased()) return;
      await this.failPending("GPU_JOB_FAILED");
      return;
    }
    const pending = this.store.items().filter((item) => item.status === "pending");
    const message = queueMessageOf(this.store, this.config(), { ...job, attempt: job.attempt + 1 }, pending);
    if (await this.held(status, message)) return;
    if (job.requeues >= this.config().jobs.retryBudget) {
      await this.failPending("LEASE_EXPIRED");
      return;
    }
    // A failed send throws, and the runtime retries the alarm with the job unchanged.
    await this.env.GPU_JOBS.send(message);
    await this.storage.delete(LEASE_HELD_UNTIL);
    if (!this.stillLeased()) return;
    this.store.markRequeued(message.attempt);
    await this.extend();
  }

  private async failPending(error: "GPU_JOB_FAILED" | "LEASE_EXPIRED"): Promise<void> {
    this.store.failPending(error);
    this.host.finishIfComplete();
    this.host.publish();
    await this.host.settle();
  }

  private stillLeased(): boolean {
    const status = this.store.current().status;
    return status === "queued" || status === "running";
  }

  /** The one place the lease reads what the provider knows of the job's latest dispatch. */
  private async providerStatus(job: JobRow): Promise<ProviderStatus> {
    const refs = this.store.dispatchRefs(job);
    return refs.length === 0 ? "unknown" : dispatcherFor(this.env).status(refs);
  }

  /**
   * A provider job still queued or running (or whose status is unavailable) can still report:
   * the lease is extended instead of sending the items a second time, up to the job's
   * execution timeout plus one lease from the first extension. True when extended.
   */
  private async held(status: ProviderStatus, message: QueueMessage): Promise<boolean> {
    if (status !== "waiting" && status !== "running" && status !== "unavailable") return false;
    const now = Date.now();
    let until = await this.storage.get<number>(LEASE_HELD_UNTIL);
    if (until === undefined) {
      until = now + dispatcherFor(this.env).runLimitMs(message) + this.leaseMs();
      await this.storage.put(LEASE_HELD_UNTIL, until);
    }
    if (now >= until) return false;
    await this.storage.setAlarm(Math.min(until, now + this.leaseMs()));
    return true;
  }

  private leaseMs(): number {
    return this.config().jobs.leaseSec * 1000;
  }
}
