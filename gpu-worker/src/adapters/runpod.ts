// `runpod` adapter: Runpod's serverless worker protocol, as its Python runtime
// (runpod-python: rp_job.py, rp_scale.py, rp_http.py, rp_ping.py, rp_local.py) speaks it.
//   GET  RUNPOD_WEBHOOK_GET_JOB     ($ID / $RUNPOD_POD_ID → pod id) + job_in_progress=0|1
//        200 {id, input} (or a list of them), 204 or 400 (FlashBoot) = no job; with more than
//        one slot free, /job-take/ becomes /job-take-batch/ + batch_size=N, answered by a list
//   POST RUNPOD_WEBHOOK_POST_OUTPUT ($RUNPOD_POD_ID → pod id, $ID → job id) + isStream=false,
//        body {output} or {error}
//   GET  RUNPOD_WEBHOOK_PING every RUNPOD_PING_INTERVAL ms, job_id=<ids in progress, comma-joined>,
//        from its own thread (runpod-ping.worker.mjs) so pixels on the main thread never delay it
// Every request carries `Authorization: <RUNPOD_AI_API_KEY>` (the bare key, no scheme).
// A job's `input` is the queue message of docs/messages.md; the engine runs it and posts per-item
// callbacks to the Worker as with any adapter.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { Config } from "../config";
import { queueMessageSchema } from "@s3/contract";
import type { JobOutcome, Pipeline } from "../engine/pipeline";
import { backoffMs, DEFAULT_RETRY } from "../engine/retry";
import { createTakeLoop } from "./take-loop";
import type { Adapter } from "./types";

/** Runpod's webhooks and ping settings, as config.ts parses them (getJobUrl null: the local test mode). */
export type RunpodEndpoints = Config["runpod"];

export interface RunpodAdapterOptions extends RunpodEndpoints {
  pipeline: Pipeline;
  /** Runpod jobs held at once (MAX_JOBS). */
  capacity: number;
  logger: Logger;
  /** Wait after an empty or failed job fetch. */
  pollIntervalMs?: number;
  /** Process arguments and working directory, for the local test mode. */
  argv?: string[];
  cwd?: string;
  /** Called once the local test job has finished: 0 when it succeeded, 1 when not. */
  onLocalTestDone?: (exitCode: number) => void;
}

/** A ping the heartbeat thread sent: when, and Runpod's answer or the failure. */
export type PingReport = { sentAt: number; status: number } | { sentAt: number; error: string };

export interface RunpodJob {
  id: string;
  input: unknown;
}

/** What a job posts back: the job's tally as output, or an error Runpod marks FAILED. */
export type RunpodResult = { output: JobOutcome } | { error: string };

/** `?` or `&` as the URL needs; the runtime assumes Runpod's templates already carry a query. */
export function appendQuery(url: string, query: string): string {
  return `${url}${url.includes("?") ? "&" : "?"}${query}`;
}

/**
 * The job-take URL for `batchSize` jobs; as rp_job.py, a batch needs the /job-take/ path
 * to become /job-take-batch/.
 */
export function jobTakeUrl(endpoints: RunpodEndpoints, jobInProgress: boolean, batchSize = 1): string {
  let url = endpoints.getJobUrl!.replaceAll("$RUNPOD_POD_ID", endpoints.podId).replaceAll("$ID", endpoints.podId);
  if (batchSize > 1 && url.includes("/job-take/"))
    url = appendQuery(url.replace("/job-take/", "/job-take-batch/"), `batch_size=${batchSize}`);
  return appendQuery(url, `job_in_progress=${jobInProgress ? 1 : 0}`);
}

export function jobDoneUrl(endpoints: RunpodEndpoints, jobId: string): string {
  const url = endpoints
    .postOutputUrl!.replaceAll("$RUNPOD_POD_ID", endpoints.podId)
    .replaceAll("$ID", encodeURIComponent(jobId));
  return appendQuery(url, "isStream=false");
}

export function pingUrl(endpoints: RunpodEndpoints, jobIds: string[]): string {
  const url = endpoints.pingUrl!.replaceAll("$RUNPOD_POD_ID", endpoints.podId);
  return jobIds.length > 0 ? appendQuery(url, `job_id=${encodeURIComponent(jobIds.join(","))}`) : url;
}

/**
 * The local test job, as rp_local.py finds it: `--test_input '<json>'` (or `--test_input=<json>`),
 * else `test_input.json` in the working directory; either holds `{input, id?}`.
 * null when neither is there.
 */
export async function localTestJob(argv: string[], cwd: string): Promise<RunpodJob | null> {
  let text: string | null;
  const at = argv.findIndex((arg) => arg === "--test_input" || arg.startsWith("--test_input="));
  if (at >= 0) {
    text = argv[at]!.includes("=") ? argv[at]!.slice(argv[at]!.indexOf("=") + 1) : (argv[at + 1] ?? null);
    if (text === null) throw new Error("--test_input needs a JSON argument");
  } else {
    text = await readFile(path.join(cwd, "test_input.json"), "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
  }
  if (text === null) return null;
  const job = JSON.parse(text) as { id?: unknown; input?: unknown };
  if (job === null || typeof job !== "object" || job.input === undefined || job.input === null)
    throw new Error("the test job has no input");
  return { id: typeof job.id === "string" ? job.id : "local_test", input: job.input };
}

/** Runs one Runpod job through the engine. Never throws: a bad input or a crash becomes {error}. */
export async function runRunpodJob(pipeline: Pipeline, job: RunpodJob, logger: Logger): Promise<RunpodResult> {
  const parsed = queueMessageSchema.safeParse(job.input);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    logger.error({ runpod_job_id: job.id, issues }, "runpod job input is not a queue message");
    return { error: `input is not a queue message: ${issues.join("; ")}` };
  }
  try {
    // Items the engine could not report (callbacks that gave up, shutdown) are still an
    // output, not an error: the Worker's lease re-sends them, whereas a FAILED Runpod job
    // fails its unfinished items at once.
    return { output: await pipeline.runJob(parsed.data) };
  } catch (error) {
    logger.error({ runpod_job_id: job.id, job_id: parsed.data.job_id, err: String(error) }, "job crashed");
    return { error: `job crashed: ${String(error)}`.slice(0, 1000) };
  }
}

export function createRunpodAdapter(options: RunpodAdapterOptions): Adapter {
  const { pipeline, logger, capacity } = options;
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  /** Aborts a job take still hanging once the shutdown grace is over. */
  const abort = new AbortController();
  const headers = { Authorization: options.apiKey ?? "" };
  let loop: Promise<void> | null = null;
  let pinger: Worker | null = null;
  /** SIGTERM's grace is over: a job that ends unfinished now was cut short, and posts nothing. */
  let graceOver = false;

  async function takeJobs(free: number): Promise<RunpodJob[]> {
    const response = await fetch(jobTakeUrl(options, takes.held.size > 0, free), {
      headers,
      signal: AbortSignal.any([abort.signal, AbortSignal.timeout(300_000)]),
    });
    if (response.status === 204 || response.status === 400) return [];
    if (!response.ok) throw new Error(`job take answered ${response.status}`);
    const text = await response.text();
    if (text.trim() === "") return [];
    const body = JSON.parse(text) as unknown;
    const jobs = (Array.isArray(body) ? body : [body]) as Partial<RunpodJob>[];
    return jobs.filter((job): job is RunpodJob => {
      const valid = typeof job?.id === "string" && job.input !== undefined && job.input !== null;
      if (!valid) logger.error({ job }, "runpod job has missing field(s): id or input");
      return valid;
    });
  }

  async function postResult(job: RunpodJob, result: RunpodResult): Promise<void> {
    const url = jobDoneUrl(options, job.id);
    // The runtime sends the JSON under this content type; Runpod's job-done endpoint expects it.
    const init = {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/x-www-form-urlencoded", charset: "utf-8" },
      body: JSON.stringify(result),
    };
    for (let attempt = 1; attempt <= 3; attempt++) {
      try {
        const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
        if (response.ok) return;
        throw new Error(`job done answered ${response.status}`);
      } catch (error) {
        logger.warn({ runpod_job_id: job.id, attempt, err: String(error) }, "posting the runpod job result failed");
        if (attempt < 3) await sleep(backoffMs(DEFAULT_RETRY, attempt));
      }
    }
    // Runpod then times the job out; the Worker's lease covers its unreported items.
    logger.error({ runpod_job_id: job.id }, "runpod job result never delivered");
  }

  /** The heartbeat thread pings whatever URL it holds; it changes when the jobs in progress do. */
  function startPinger(): void {
    pinger = new Worker(new URL("./runpod-ping.worker.mjs", import.meta.url), {
      workerData: { url: pingUrl(options, []), apiKey: options.apiKey, intervalMs: options.pingIntervalMs },
    });
    pinger.unref();
    pinger.on("message", (report: PingReport) => {
      if ("error" in report) logger.warn({ err: report.error }, "heartbeat failed");
      else logger.debug({ status: report.status }, "heartbeat sent");
    });
    pinger.on("error", (error) => logger.error({ err: String(error) }, "heartbeat thread crashed"));
  }

  function jobsInProgressChanged(): void {
    pinger?.postMessage({
      url: pingUrl(
        options,
        [...takes.held.keys()].map((job) => job.id),
      ),
    });
  }

  async function handle(job: RunpodJob): Promise<void> {
    const log = logger.child({ runpod_job_id: job.id });
    log.info("runpod job started");
    const result = await runRunpodJob(pipeline, job, log);
    // A job cut short by SIGTERM's grace posts nothing, as a job the SDK's process loses: an
    // {output} would read COMPLETED with items missing, an {error} would read FAILED and fail
    // them at the Worker. Runpod keeps it in progress; the Worker's lease sends the rest again.
    if (graceOver && "output" in result && !result.output.complete) {
      log.warn({ unreported: result.output.unreported }, "runpod job cut short by shutdown; no result posted");
      return;
    }
    await postResult(job, result);
  }

  const takes = createTakeLoop<RunpodJob>({
    capacity,
    pollIntervalMs,
    // Whatever a take hands out is run, even past capacity: Runpod has already assigned it.
    take: takeJobs,
    work: handle,
    onHeldChanged: jobsInProgressChanged,
    onTakeFailed: (error, failures) => logger.warn({ err: String(error), failures }, "runpod job take failed"),
  });

  async function runLocalTest(): Promise<void> {
    let exitCode = 1;
    try {
      const job = await localTestJob(options.argv ?? process.argv.slice(2), options.cwd ?? process.cwd());
      if (!job) {
        logger.error("local test mode: no --test_input and no test_input.json; nothing to run");
      } else {
        const result = await runRunpodJob(pipeline, job, logger.child({ runpod_job_id: job.id }));
        if ("error" in result) logger.error({ runpod_job_id: job.id, error: result.error }, "local test job failed");
        else logger.info({ runpod_job_id: job.id, output: result.output }, "local test job finished");
        exitCode = "output" in result && result.output.complete && result.output.failed === 0 ? 0 : 1;
      }
    } catch (error) {
      logger.error({ err: String(error) }, "local test job could not be read");
    }
    options.onLocalTestDone?.(exitCode);
  }

  const local = () =>
    options.getJobUrl === null || (options.argv ?? process.argv.slice(2)).some((arg) => arg.startsWith("--test_input"));

  return {
    async start() {
      if (local()) {
        logger.info("runpod adapter in local test mode: one job, then exit");
        loop = runLocalTest();
        return;
      }
      if (!options.postOutputUrl || !options.apiKey)
        throw new Error("runpod adapter needs RUNPOD_WEBHOOK_POST_OUTPUT and RUNPOD_AI_API_KEY");
      if (options.pingUrl) startPinger();
      logger.info(
        { pod_id: options.podId, capacity, ping_interval_ms: options.pingIntervalMs },
        "runpod adapter started",
      );
      loop = takes.run();
    },
    async stop(graceMs) {
      // As rp_scale.py on SIGTERM: no new jobs, and every job already taken runs to its end
      // (all its items) within the grace. A take in flight is awaited rather than cut:
      // Runpod may already have handed it a job.
      takes.stop();
      const deadline = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
      await Promise.race([loop, deadline]);
      abort.abort();
      await loop;
      await takes.drain(deadline);
      if (takes.held.size > 0) {
        // Grace over: start no more items; what ends unfinished now posts nothing (see handle).
        graceOver = true;
        pipeline.stop();
        logger.warn({ cut_short: [...takes.held.keys()].map((job) => job.id) }, "shutdown grace over");
      }
      await pinger?.terminate();
    },
  };
}
