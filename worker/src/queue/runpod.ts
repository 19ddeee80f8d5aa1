// GPU_DISPATCH=runpod: each gpu-jobs message becomes a Runpod serverless job, whose input is
// the SPEC §11 message itself. Runpod's job ids are recorded in the JobCoordinator so that a
// cancel can be forwarded and a job Runpod gave up on can fail its unfinished items.
//   POST {base}/{endpoint}/run            {input}  → {id, status}
//   POST {base}/{endpoint}/cancel/{id}
//   GET  {base}/{endpoint}/status/{id}             → {id, status: IN_QUEUE|IN_PROGRESS|COMPLETED|FAILED|CANCELLED|TIMED_OUT}
import type { QueueMessage } from "@s3/contract";
import type { JobCoordinatorApi } from "../durable-objects/api";

export const RUNPOD_DEFAULT_API_BASE = "https://api.runpod.ai/v2";
/** Runpod job states after which it will never run the job's items. */
export const RUNPOD_GAVE_UP = ["FAILED", "TIMED_OUT", "CANCELLED"] as const;
const TIMEOUT_MS = 10_000;

export interface RunpodEnv {
  /** A var; tests and staging point it elsewhere. */
  RUNPOD_API_BASE?: string;
  /** Secrets. */
  RUNPOD_ENDPOINT_ID?: string;
  RUNPOD_API_KEY?: string;
}

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

export function runpodConfigured(env: RunpodEnv): boolean {
  return Boolean(env.RUNPOD_ENDPOINT_ID && env.RUNPOD_API_KEY);
}

async function callRunpod(
  env: RunpodEnv,
  method: "GET" | "POST",
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  if (!runpodConfigured(env))
    throw new RunpodError("GPU_DISPATCH=runpod needs the RUNPOD_ENDPOINT_ID and RUNPOD_API_KEY secrets", null);
  const base = (env.RUNPOD_API_BASE || RUNPOD_DEFAULT_API_BASE).replace(/\/+$/, "");
  const url = `${base}/${encodeURIComponent(env.RUNPOD_ENDPOINT_ID!)}/${path}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: {
        authorization: `Bearer ${env.RUNPOD_API_KEY}`,
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

/** Submits one queue message as a Runpod job; returns Runpod's job id. */
export async function submitToRunpod(env: RunpodEnv, message: QueueMessage): Promise<string> {
  const answer = await callRunpod(env, "POST", "run", { input: message });
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
export async function dispatchToRunpod(
  env: RunpodEnv,
  coordinator: JobCoordinatorApi,
  message: QueueMessage,
): Promise<string | null> {
  // A job canceled while its message waited in the queue costs no GPU time.
  const current = await coordinator.get(message.user_id);
  if (current.ok && current.job.status === "canceled") return null;
  let ref: string;
  try {
    ref = await submitToRunpod(env, message);
  } catch (error) {
    if (error instanceof RunpodError && error.refused) {
      console.error(
        `Runpod refused job ${message.job_id} (HTTP ${error.status}); check RUNPOD_ENDPOINT_ID and RUNPOD_API_KEY. Retried until the dead-letter queue. ${error.message}`,
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
export async function cancelRunpodJobs(env: RunpodEnv, refs: readonly string[]): Promise<string[]> {
  if (!runpodConfigured(env)) return [];
  const outcomes = await Promise.allSettled(
    refs.map((ref) => callRunpod(env, "POST", `cancel/${encodeURIComponent(ref)}`)),
  );
  const cancelled: string[] = [];
  outcomes.forEach((outcome, at) => {
    if (outcome.status === "fulfilled") cancelled.push(refs[at]!);
    else console.warn(`Runpod cancel of ${refs[at]} failed: ${String(outcome.reason)}`);
  });
  return cancelled;
}

/** Runpod's status of one job, or null when it cannot be had (unconfigured, outage, unknown id). */
export async function runpodJobStatus(env: RunpodEnv, ref: string): Promise<string | null> {
  if (!runpodConfigured(env)) return null;
  try {
    const answer = await callRunpod(env, "GET", `status/${encodeURIComponent(ref)}`);
    return typeof answer.status === "string" ? answer.status : null;
  } catch (error) {
    console.warn(`Runpod status of ${ref} unavailable: ${String(error)}`);
    return null;
  }
}

export function runpodGaveUp(status: string | null): boolean {
  return status !== null && (RUNPOD_GAVE_UP as readonly string[]).includes(status);
}
