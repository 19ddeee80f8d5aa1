import { afterEach, describe, expect, it } from "vitest";
import { createApiClient, waitForJob, type JobEvent } from "../src/index";
import { fakeApi, jobView, sendData, sendError, type FakeApi } from "./fake-api";

const JOB = "job_wait";
let server: FakeApi | undefined;
afterEach(async () => server?.close());

function sse(events: object[]): string {
  return events
    .map((event) => `event: ${(event as { type: string }).type}\ndata: ${JSON.stringify(event)}\n\n`)
    .join("");
}

const progress = (done: number) => ({ done, failed: 0, total: 2, needs_review: 0 });

describe("waitForJob", () => {
  it("follows the event stream to its end, then answers the final GET /jobs/{id}", async () => {
    server = await fakeApi({
      [`GET /jobs/${JOB}/events`]: (_request, response) => {
        response.writeHead(200, { "content-type": "text/event-stream" });
        // Split mid-event: a client must join chunks before it parses.
        const text = sse([
          {
            type: "snapshot",
            job_id: JOB,
            status: "running",
            preset: "interior",
            output_template: null,
            progress: progress(0),
            items: [],
          },
          { type: "progress", job_id: JOB, status: "running", progress: progress(1) },
          { type: "end", job_id: JOB, status: "done", progress: progress(2) },
        ]);
        response.write(text.slice(0, 40));
        setTimeout(() => response.end(text.slice(40)), 20);
      },
      [`GET /jobs/${JOB}`]: (_request, response) => sendData(response, jobView(JOB, "done", 2, 2)),
    });
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    const events: JobEvent["type"][] = [];
    const job = await waitForJob(api, JOB, { onEvent: (event) => events.push(event.type), pollIntervalMs: 10 });
    expect(job.status).toBe("done");
    expect(events).toEqual(["snapshot", "progress", "end"]);
    const stream = server.seen.find((request) => request.path.endsWith("/events"))!;
    expect(stream.headers.accept).toBe("text/event-stream");
    expect(stream.headers.authorization).toBe("Bearer t");
    // One GET after the end, no polling.
    expect(server.seen.filter((request) => request.path === `/jobs/${JOB}`)).toHaveLength(1);
  });

  it("polls with If-None-Match when the stream cannot be opened, and reads a 304 as no change", async () => {
    let polls = 0;
    server = await fakeApi({
      [`GET /jobs/${JOB}/events`]: (_request, response) =>
        sendError(response, 400, "VALIDATION_ERROR", "no streams here"),
      [`GET /jobs/${JOB}`]: (_request, response) => {
        polls += 1;
        if (polls === 2 || polls === 3) {
          response.writeHead(304, { etag: 'W/"v1"' }).end();
        } else if (polls === 1) sendData(response, jobView(JOB, "running", 1, 2), { etag: 'W/"v1"' });
        else sendData(response, jobView(JOB, "done", 2, 2), { etag: 'W/"v2"' });
      },
    });
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    const seen: string[] = [];
    const job = await waitForJob(api, JOB, {
      pollIntervalMs: 10,
      onProgress: ({ status, progress }) => seen.push(`${status} ${progress.done}`),
    });
    expect(job.status).toBe("done");
    expect(polls).toBe(4);
    const tags = server.seen
      .filter((request) => request.path === `/jobs/${JOB}`)
      .map((r) => r.headers["if-none-match"]);
    expect(tags).toEqual([undefined, 'W/"v1"', 'W/"v1"', 'W/"v1"']);
    expect(seen).toEqual(["running 1", "done 2"]);
  });

  it("falls back to polling when the stream drops before its end", async () => {
    server = await fakeApi({
      [`GET /jobs/${JOB}/events`]: (_request, response) => {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.end(sse([{ type: "progress", job_id: JOB, status: "running", progress: progress(1) }]));
      },
      [`GET /jobs/${JOB}`]: (_request, response) => sendData(response, jobView(JOB, "done", 2, 2)),
    });
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    const job = await waitForJob(api, JOB, { pollIntervalMs: 10 });
    expect(job.progress.done).toBe(2);
  });

  it("rejects with the API's code when the job is not the caller's", async () => {
    server = await fakeApi({});
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    await expect(waitForJob(api, JOB, { pollIntervalMs: 10 })).rejects.toMatchObject({
      status: 404,
      code: "JOB_NOT_FOUND",
    });
    // Refused at the stream already: no polling after it.
    expect(server.seen.map((request) => request.path)).toEqual([`/jobs/${JOB}/events`]);
  });

  it("gives up after timeoutMs on a job that never ends", async () => {
    server = await fakeApi({
      [`GET /jobs/${JOB}`]: (_request, response) => sendData(response, jobView(JOB, "running", 0, 2)),
    });
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    await expect(waitForJob(api, JOB, { transport: "poll", pollIntervalMs: 10, timeoutMs: 200 })).rejects.toThrow(
      /did not end within 0.2 s/,
    );
  });
});

describe("waitForJob until", () => {
  it("stops at the first event that satisfies until, and answers the job as GET /jobs/{id} has it then", async () => {
    let streamClosed = false;
    server = await fakeApi({
      [`GET /jobs/${JOB}/events`]: (request, response) => {
        response.writeHead(200, { "content-type": "text/event-stream" });
        response.write(sse([{ type: "progress", job_id: JOB, status: "running", progress: progress(1) }]));
        // The stream stays open: the job goes on, the caller has what it waited for.
        response.on("close", () => (streamClosed = true));
      },
      [`GET /jobs/${JOB}`]: (_request, response) => sendData(response, jobView(JOB, "running", 1, 2)),
    });
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    const job = await waitForJob(api, JOB, { until: ({ progress }) => progress.done >= 1, timeoutMs: 5_000 });
    expect([job.status, job.progress.done]).toEqual(["running", 1]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(streamClosed).toBe(true);
  });

  it("rejects when the job ends short of what until waits for", async () => {
    server = await fakeApi({
      [`GET /jobs/${JOB}`]: (_request, response) => sendData(response, jobView(JOB, "canceled", 1, 2)),
    });
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    await expect(
      waitForJob(api, JOB, { transport: "poll", until: ({ progress }) => progress.done >= 2, pollIntervalMs: 10 }),
    ).rejects.toThrow(/ended canceled before the awaited state/);
  });
});
