// GPU_DISPATCH=runpod: each gpu-jobs message becomes a Runpod serverless job, whose input is
// the queue message itself (docs/messages.md). Runpod's job ids are recorded in the JobCoordinator as dispatch refs,
// so that a cancel can be forwarded and the lease can ask what became of the job.
//   POST {base}/{endpoint}/run            {input, policy: {executionTimeout}}  → {id, status}
//   POST {base}/{endpoint}/cancel/{id}
//   GET  {base}/{endpoint}/status/{id}   → {id, status: IN_QUEUE|IN_PROGRESS|COMPLETED|FAILED|CANCELLED|TIMED_OUT}
import type { QueueMessage } from "@s3/contract";
import type { JobCoordinatorApi } from "../rpc";
import type { Dispatcher, ProviderConfig, ProviderStatus } from "./dispatcher";

const TIMEOUT_MS = 10_000;

type RunpodSettings = ProviderConfig["dispatch"]["runpod"];

/**
 * Runpod's job states as the lease reads them. COMPLETED with items still unreported stays
 * "unknown", so the lease re-sends those items as it does when no answer comes.
 */
const RUNPOD_STATUS: Record<string, ProviderStatus> = {
  IN_QUEUE: "waiting",
  IN_PROGRESS: "running",
  FAILED: "failed",
  TIMED_OUT: "failed",
  CANCELLED: "gone",
};

/** A refusal or failure of Runpod's API; `status` is null when no answer came. */
export class RunpodError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = "RunpodError";
  }

  /** 4xx other than 429: a configuration problem (key, endpoint id, payload) more than an outage. */
  get refused(): boolean {
    return this.status !== null && this.status >= 400 && this.status < 500 && this.status !== 429;
  }
}

export function runpodDispatcher(_env: Env, config: ProviderConfig): Dispatcher {
  const runpod = config.dispatch.runpod;
  return {
    async send(message, delivery) {
      await dispatchToRunpod(runpod, delivery.job, message);
    },
    async cancel(refs) {
      await cancelRunpodJobs(runpod, refs);
    },
    async status(refs) {
      const latest = refs.at(-1);
      if (latest === undefined) return "unknown";
      const status = await runpodJobStatus(runpod, latest);
      if (status === null) return "unavailable";
      return RUNPOD_STATUS[status] ?? "unknown";
    },
    runLimitMs(message) {
      return runpodExecutionTimeoutMs(message.items.length, message.batch_concurrency);
    },
  };
}

function runpodConfigured(runpod: RunpodSettings): runpod is RunpodSettings & { endpointId: string; apiKey: string } {
  return Boolean(runpod.endpointId && runpod.apiKey);
}

async function callRunpod(
  runpod: RunpodSettings,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  if (!runpodConfigured(runpod))
    throw new RunpodError("GPU_DISPATCH=runpod needs the RUNPOD_ENDPOINT_ID and RUNPOD_API_KEY secrets", null);
  const url = `${runpod.apiBase}/${encodeURIComponent(runpod.endpointId)}/${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${runpod.apiKey}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    throw new RunpodError(`Runpod ${method} ${path.split("/")[0]} failed: ${String(error)}`, null);
  }
  const text = await response.text();
  if (!response.ok)
    throw new RunpodError(
      `Runpod ${method} ${path.split("/")[0]} answered ${response.status}: ${text.slice(0, 200)}`,
      response.status,
    );
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new RunpodError(
      `Runpod ${method} ${path.split("/")[0]} answered ${response.status} with a body that is not JSON`,
      response.status,
    );
  }
}

/** Runpod's bounds on a job's executionTimeout: its 600 s default, and 7 days. */
const EXECUTION_TIMEOUT_MIN_MS = 600_000;
const EXECUTION_TIMEOUT_MAX_MS = 604_800_000;

/**
 * How long Runpod may run a job of `items` photos before it times it out: a minute to start,
 * then 30 s per round of `batchConcurrency` photos, so large jobs are not cut at the default.
 */
export function runpodExecutionTimeoutMs(items: number, batchConcurrency: number): number {
  const rounds = Math.ceil(items / Math.max(1, batchConcurrency));
  return Math.min(EXECUTION_TIMEOUT_MAX_MS, Math.max(EXECUTION_TIMEOUT_MIN_MS, 60_000 + rounds * 30_000));
}

/** Submits one queue message as a Runpod job; returns Runpod's job id. */
async function submitToRunpod(runpod: RunpodSettings, message: QueueMessage): Promise<string> {
  const policy = { executionTimeout: runpodExecutionTimeoutMs(message.items.length, message.batch_concurrency) };
  const answer = await callRunpod(runpod, "POST", "run", { input: message, policy });
  if (typeof answer.id !== "string" || answer.id === "")
    throw new RunpodError("Runpod /run answered without a job id", 200);
  return answer.id;
}

/**
 * Submits the message and records Runpod's job id on the job. Throws when the submit fails
 * (the consumer then retries the message). A failed record does not throw: the GPU work is
 * already queued, and sending it again would only run it twice; without the id the job
 * still ends through its lease. null when the job was canceled and nothing was submitted.
 */
async function dispatchToRunpod(
  runpod: RunpodSettings,
  coordinator: JobCoordinatorApi,
  message: QueueMessage,
): Promise<string | null> {
  // A job canceled while its message waited in the queue costs no GPU time.
  const current = await coordinator.get(message.user_id);
  if (current.ok && current.job.status === "canceled") return null;
  let ref: string;
  try {
    ref = await submitToRunpod(runpod, message);
  } catch (error) {
    if (error instanceof RunpodError && error.refused) {
      console.error(
        `Runpod refused job ${message.job_id} (HTTP ${error.status}); ` +
          "check RUNPOD_ENDPOINT_ID and RUNPOD_API_KEY. " +
          `Retried until the dead-letter queue. ${error.message}`,
      );
    }
    throw error;
  }
  try {
    const recorded = await coordinator.recordDispatch(ref);
    if (!recorded.ok) console.error(`Runpod job ${ref} for ${message.job_id} not recorded: ${recorded.code}`);
  } catch (error) {
    console.error(`Runpod job ${ref} for ${message.job_id} not recorded: ${String(error)}`);
  }
  return ref;
}

/** Best effort: asks Runpod to cancel each job; never throws. Returns the ids it cancelled. */
async function cancelRunpodJobs(runpod: RunpodSettings, refs: readonly string[]): Promise<string[]> {
  if (!runpodConfigured(runpod)) return [];
  const outcomes = await Promise.allSettled(
    refs.map((ref) => callRunpod(runpod, "POST", `cancel/${encodeURIComponent(ref)}`)),
  );
  const cancelled: string[] = [];
  outcomes.forEach((outcome, at) => {
    if (outcome.status === "fulfilled") cancelled.push(refs[at]!);
    else console.warn(`Runpod cancel of ${refs[at]} failed: ${String(outcome.reason)}`);
  });
  return cancelled;
}

/** Runpod's status of one job, or null when it cannot be had (unconfigured, outage, unknown id). */
async function runpodJobStatus(runpod: RunpodSettings, ref: string): Promise<string | null> {
  if (!runpodConfigured(runpod)) return null;
  try {
    const answer = await callRunpod(runpod, "GET", `status/${encodeURIComponent(ref)}`);
    return typeof answer.status === "string" ? answer.status : null;
  } catch (error) {
    console.warn(`Runpod status of ${ref} unavailable: ${String(error)}`);
    return null;
  }
}
