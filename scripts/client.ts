// A client of the public API (docs/architecture.md) for the demo, the pipeline benchmark and the e2e
// suite: HTTP only, the envelope unwrapped, presigned URLs for every byte. Every request
// carries its own timeout, since a fetch to a server that is not listening yet can hang.
import {
  isFinalJobStatus,
  type AnonUser,
  type CanceledJob,
  type CreatedJob,
  type DeletedJob,
  type Envelope,
  type Job,
  type Me,
  type Plan,
  type RuleAction,
  type SetManifest,
} from "@s3/contract";

export type { SetManifest };

/** A rule's concepts: concept → {action, value} (docs/architecture.md). */
export type RuleConcepts = Record<string, RuleAction>;

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = "ApiCallError";
  }
}

const TIMEOUT_MS = 30_000;

export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private token: string | null = null,
  ) {}

  async call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const envelope = (await response.json().catch(() => null)) as Envelope<T> | null;
    if (!response.ok || !envelope?.success) {
      throw new ApiCallError(
        response.status,
        envelope?.error?.code,
        (
          `${method} ${path} answered ${response.status} ` +
          `${envelope?.error?.code ?? ""} ${envelope?.error?.message ?? ""}`
        ).trim(),
      );
    }
    return envelope.data as T;
  }

  /** POST /auth/anon; the client then acts as that user. */
  async signInAnonymously(): Promise<string> {
    const { user_id, token } = await this.call<AnonUser>("POST", "/auth/anon");
    this.token = token;
    return user_id;
  }

  me(): Promise<Me> {
    return this.call("GET", "/me");
  }

  /** Operations route (Bearer ADMIN_SECRET): the pro plan for large jobs. */
  async setPlan(userId: string, plan: Plan, adminSecret: string, grantCredits = 0): Promise<void> {
    const admin = new ApiClient(this.baseUrl, adminSecret);
    await admin.call("POST", `/admin/users/${userId}/plan`, { plan, grant_credits: grantCredits });
  }

  createJob(preset: string, itemCount: number): Promise<CreatedJob> {
    return this.call("POST", "/jobs", { preset, item_count: itemCount });
  }

  confirmUpload(jobId: string): Promise<unknown> {
    return this.call("POST", `/jobs/${jobId}/confirm-upload`);
  }

  /** `set`: an output template (id or slug) and its variants (docs/sets.md), and a webhook (docs/webhooks.md). */
  execute(
    jobId: string,
    concepts: RuleConcepts,
    protect: string[],
    set: {
      output_template?: string;
      variants?: { name: string; concepts: RuleConcepts }[];
      webhook?: { url: string; events?: ("item" | "end")[] };
    } = {},
  ): Promise<unknown> {
    return this.call("POST", `/jobs/${jobId}/execute`, { concepts, protect, ...set });
  }

  /** GET /jobs/{id}/set: the finished job's manifest. */
  set(jobId: string): Promise<SetManifest> {
    return this.call("GET", `/jobs/${jobId}/set`);
  }

  job(jobId: string): Promise<Job> {
    return this.call("GET", `/jobs/${jobId}`);
  }

  cancel(jobId: string): Promise<CanceledJob> {
    return this.call("POST", `/jobs/${jobId}/cancel`);
  }

  /** DELETE /jobs/{id}: a finished job's objects leave storage; the job itself still answers. */
  deleteJob(jobId: string): Promise<DeletedJob> {
    return this.call("DELETE", `/jobs/${jobId}`);
  }

  /** Polls GET /jobs/{id} until `until` holds (default: a final status). */
  async waitFor(
    jobId: string,
    options: {
      until?: (job: Job) => boolean;
      timeoutMs?: number;
      intervalMs?: number;
      onProgress?: (job: Job) => void;
    } = {},
  ): Promise<Job> {
    const until = options.until ?? ((job: Job) => isFinalJobStatus(job.status));
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      const job = await this.job(jobId);
      options.onProgress?.(job);
      if (until(job)) return job;
      if (Date.now() > deadline)
        throw new Error(
          `job ${jobId} still ${job.status} (${JSON.stringify(job.progress)}) ` +
            `after ${(options.timeoutMs ?? 120_000) / 1000} s`,
        );
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 250));
    }
  }
}

/** PUT to a presigned URL; retried once, since a local R2 write can race a cold start. */
export async function putPresigned(url: string, body: Uint8Array, contentType = "image/png"): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(url, {
      method: "PUT",
      body: body as Uint8Array<ArrayBuffer>,
      headers: { "Content-Type": contentType },
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const text = await response.text();
    if (attempt >= 2) throw new Error(`presigned PUT answered ${response.status}: ${text.slice(0, 200)}`);
  }
}

export async function getPresigned(url: string): Promise<Uint8Array> {
  const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) throw new Error(`presigned GET answered ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Runs `task` over `inputs` with at most `limit` at a time. */
export async function eachLimited<T>(
  inputs: readonly T[],
  limit: number,
  task: (input: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, inputs.length) }, async () => {
      while (next < inputs.length) {
        const index = next++;
        await task(inputs[index]!, index);
      }
    }),
  );
}
