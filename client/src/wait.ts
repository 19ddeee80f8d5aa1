// Waiting for a job (docs/events.md): the event stream (Server-Sent Events) while it holds, and
// conditional polls of GET /jobs/{id} (If-None-Match, 304 when nothing changed) when it cannot be
// opened or drops before `end`. Either way the answer is the final GET /jobs/{id}, with its URLs.
import { ApiError, apiErrorOf, sleep, unwrap, type ApiClient } from "./client";
import { isFinalStatus, type Job, type JobEvent } from "./types";

type Seen = Pick<Job, "status" | "progress">;

export interface WaitOptions {
  /** When to stop (default: a final status); it sees each event and each poll. */
  until?: (seen: Seen) => boolean;
  /** Each event as it arrives over the stream. */
  onEvent?: (event: JobEvent) => void;
  /** Progress as seen by either path: every event's status and counts, every changed poll. */
  onProgress?: (progress: Seen) => void;
  /** "auto" (default): the stream, polling when it fails; "poll": polling only. */
  transport?: "auto" | "poll";
  pollIntervalMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** The job once it is done, failed or canceled (or `until` holds); rejects after `timeoutMs` (default 10 min). */
export async function waitForJob(api: ApiClient, jobId: string, options: WaitOptions = {}): Promise<Job> {
  const until = options.until ?? ((seen: Seen) => isFinalStatus(seen.status));
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 600_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    if (options.transport !== "poll" && (await streamUntil(api, jobId, until, options, signal))) {
      const job = await unwrap(api.GET("/jobs/{id}", { params: { path: { id: jobId } }, signal }));
      if (until(job)) return job;
    }
    return await pollUntil(api, jobId, until, options, signal);
  } catch (error) {
    if (timeout.aborted)
      throw new Error(`job ${jobId} did not end within ${(options.timeoutMs ?? 600_000) / 1000} s`, { cause: error });
    throw error;
  }
}

/** true once an event satisfied `until`; false when the stream could not be opened or closed before. */
async function streamUntil(
  api: ApiClient,
  jobId: string,
  until: (seen: Seen) => boolean,
  options: WaitOptions,
  signal: AbortSignal,
) {
  const controller = new AbortController();
  const stop = () => controller.abort(signal.reason);
  signal.addEventListener("abort", stop, { once: true });
  try {
    const { response, error } = await api.GET("/jobs/{id}/events", {
      params: { path: { id: jobId } },
      headers: { accept: "text/event-stream" },
      parseAs: "stream",
      signal: controller.signal,
    });
    // A refusal that polling would meet as well (the job is not ours, the token is bad) is thrown.
    if (response.status === 401 || response.status === 404) throw apiErrorOf(response, error);
    if (!response.ok || !response.body) return false;
    for await (const event of serverSentEvents(response.body)) {
      options.onEvent?.(event);
      options.onProgress?.({ status: event.status, progress: event.progress });
      if (until(event)) return true;
      if (event.type === "end") return false;
    }
    return false;
  } catch (error) {
    if (signal.aborted || error instanceof ApiError) throw error;
    return false;
  } finally {
    signal.removeEventListener("abort", stop);
    controller.abort();
  }
}

async function pollUntil(
  api: ApiClient,
  jobId: string,
  until: (seen: Seen) => boolean,
  options: WaitOptions,
  signal: AbortSignal,
) {
  let etag: string | undefined;
  for (;;) {
    const answer = await api.GET("/jobs/{id}", {
      params: { path: { id: jobId }, header: etag ? { "if-none-match": etag } : {} },
      signal,
    });
    if (answer.response.status !== 304) {
      const job = await unwrap(Promise.resolve(answer));
      etag = answer.response.headers.get("etag") ?? undefined;
      options.onProgress?.({ status: job.status, progress: job.progress });
      if (until(job)) return job;
      if (isFinalStatus(job.status)) throw new Error(`job ${jobId} ended ${job.status} before the awaited state`);
    }
    await sleep(options.pollIntervalMs ?? 1_000, signal);
  }
}

/** The events of a text/event-stream body: `data:` lines joined per event, parsed as JSON. */
export async function* serverSentEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<JobEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r?\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer[newline] === "\r" ? 2 : 1));
      if (line === "") {
        if (data.length > 0) yield JSON.parse(data.join("\n")) as JobEvent;
        data = [];
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line[5] === " " ? 6 : 5));
      }
    }
  }
}
