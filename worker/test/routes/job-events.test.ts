// Live progress through the real app (docs/events.md): WebSocket and Server-Sent Events order, the
// handshake's auth, hibernation across an eviction, and GET /jobs/{id}'s ETag.
import { env, evictDurableObject, runDurableObjectAlarm, runInDurableObject, SELF } from "cloudflare:test";
import { AwsClient } from "aws4fetch";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ITEM_ERROR_MESSAGES, storageKeys, type JobEvent } from "@s3/contract";
import { issueToken } from "../../src/lib/auth";
import { jobCoordinator } from "../../src/lib/durable";
import { newId } from "../../src/lib/ids";
import { BASE, call, expectError, expectOk, FLOOR_OAK, makePro, newUser, type TestUser } from "./helpers";

afterEach(() => {
  vi.restoreAllMocks();
});

/** A job the GPU worker may report on: created, its inputs in R2, confirmed and executed. */
async function queuedJob(user: TestUser, itemCount: number): Promise<string> {
  const created = expectOk(
    await call("POST", "/jobs", { token: user.token, json: { preset: "interior", item_count: itemCount } }),
  );
  await Promise.all(created.upload.map(({ key }: { key: string }) => env.BUCKET.put(key, new Uint8Array(16).fill(7))));
  expectOk(await call("POST", `/jobs/${created.job_id}/confirm-upload`, { token: user.token }));
  expectOk(await call("POST", `/jobs/${created.job_id}/execute`, { token: user.token, json: { concepts: FLOOR_OAK } }));
  return created.job_id as string;
}

function report(user: TestUser, jobId: string, idx: number, status: "done" | "failed") {
  const body =
    status === "done"
      ? {
          idx,
          status,
          output_key: storageKeys.output(user.user_id, jobId, idx),
          preview_key: storageKeys.preview(user.user_id, jobId, idx),
        }
      : { idx, status, error: "CUDA out of memory at 0x7f", error_code: "SEGMENT_FAILED" };
  return call("POST", `/jobs/${jobId}/callback`, { token: env.GPU_CALLBACK_SECRET, json: body });
}

interface Listener {
  events: JobEvent[];
  /** Resolves once `count` events have arrived. */
  received(count: number): Promise<JobEvent[]>;
  closed: Promise<number>;
}

function listen(onEvent: (handler: (event: JobEvent) => void) => void, closed: Promise<number>): Listener {
  const events: JobEvent[] = [];
  const waiters: { count: number; resolve: (events: JobEvent[]) => void }[] = [];
  onEvent((event) => {
    events.push(event);
    for (const waiter of waiters.filter(({ count }) => events.length >= count)) waiter.resolve(events);
  });
  return {
    events,
    closed,
    received: (count) =>
      events.length >= count ? Promise.resolve(events) : new Promise((resolve) => waiters.push({ count, resolve })),
  };
}

function handshake(jobId: string, protocols: string[], headers: Record<string, string> = {}) {
  return SELF.fetch(`${BASE}/jobs/${jobId}/events`, {
    headers: { Upgrade: "websocket", "Sec-WebSocket-Protocol": protocols.join(", "), ...headers },
  });
}

async function openSocket(jobId: string, token: string): Promise<Listener & { socket: WebSocket }> {
  const response = await handshake(jobId, ["s3.v1", `bearer.${token}`]);
  expect(response.status).toBe(101);
  expect(response.headers.get("Sec-WebSocket-Protocol")).toBe("s3.v1");
  const socket = response.webSocket!;
  socket.accept();
  const closed = new Promise<number>((resolve) => socket.addEventListener("close", (event) => resolve(event.code)));
  const listener = listen(
    (handler) => socket.addEventListener("message", (event) => handler(JSON.parse(event.data as string))),
    closed,
  );
  return { ...listener, socket };
}

async function openStream(jobId: string, token: string): Promise<Listener> {
  const response = await SELF.fetch(`${BASE}/jobs/${jobId}/events`, {
    headers: { Accept: "text/event-stream", Authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("text/event-stream");
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let handler: (event: JobEvent) => void = () => {};
  const closed = (async () => {
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return 1000;
      buffer += value;
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.+)$/m.exec(frame)?.[1];
        const event = JSON.parse(/^data: (.+)$/m.exec(frame)![1]!) as JobEvent;
        expect(event.type).toBe(type);
        handler(event);
      }
    }
  })();
  return listen((set) => (handler = set), closed);
}

const pendingItems = (count: number) =>
  Array.from({ length: count }, (_, idx) => ({
    idx,
    status: "pending",
    error: null,
    report: null,
    needs_review: false,
  }));

describe.each([
  ["WebSocket", openSocket],
  ["Server-Sent Events", openStream],
] as const)("GET /jobs/{id}/events over %s", (_, open) => {
  it("sends the snapshot, one progress per recorded callback, then end, and closes", async () => {
    const user = await newUser();
    const jobId = await queuedJob(user, 3);
    const listener = await open(jobId, user.token);
    expect(await listener.received(1)).toEqual([
      {
        type: "snapshot",
        job_id: jobId,
        status: "queued",
        preset: "interior",
        output_template: null,
        progress: { done: 0, failed: 0, total: 3, needs_review: 0 },
        items: pendingItems(3),
      },
    ]);

    expectOk(await report(user, jobId, 1, "done"));
    await listener.received(2);
    // A repeated report changes nothing, so it sends nothing.
    expectOk(await report(user, jobId, 1, "done"));
    expectOk(await report(user, jobId, 0, "failed"));
    expectOk(await report(user, jobId, 2, "done"));
    expect(await listener.closed).toBe(1000);
    expect(listener.events.slice(1)).toEqual([
      {
        type: "progress",
        job_id: jobId,
        status: "running",
        progress: { done: 1, failed: 0, total: 3, needs_review: 0 },
        item: { idx: 1, status: "done", report: null, needs_review: false },
      },
      {
        type: "progress",
        job_id: jobId,
        status: "running",
        progress: { done: 1, failed: 1, total: 3, needs_review: 0 },
        item: { idx: 0, status: "failed", report: null, needs_review: false },
      },
      {
        type: "progress",
        job_id: jobId,
        status: "done",
        progress: { done: 2, failed: 1, total: 3, needs_review: 0 },
        item: { idx: 2, status: "done", report: null, needs_review: false },
      },
      { type: "end", job_id: jobId, status: "done", progress: { done: 2, failed: 1, total: 3, needs_review: 0 } },
    ]);
  });

  it("on a job that already ended sends the snapshot and end, then closes", async () => {
    const user = await newUser();
    const jobId = await queuedJob(user, 2);
    expectOk(await call("POST", `/jobs/${jobId}/cancel`, { token: user.token }));
    const listener = await open(jobId, user.token);
    expect(await listener.closed).toBe(1000);
    expect(listener.events.map((event) => [event.type, event.status])).toEqual([
      ["snapshot", "canceled"],
      ["end", "canceled"],
    ]);
  });

  it("a cancel while listening sends progress canceled, then end", async () => {
    const user = await newUser();
    const jobId = await queuedJob(user, 2);
    const listener = await open(jobId, user.token);
    await listener.received(1);
    expectOk(await call("POST", `/jobs/${jobId}/cancel`, { token: user.token }));
    expect(await listener.closed).toBe(1000);
    expect(listener.events.slice(1)).toEqual([
      {
        type: "progress",
        job_id: jobId,
        status: "canceled",
        progress: { done: 0, failed: 0, total: 2, needs_review: 0 },
      },
      { type: "end", job_id: jobId, status: "canceled", progress: { done: 0, failed: 0, total: 2, needs_review: 0 } },
    ]);
  });
});

describe("GET /jobs/{id}/events: changes the coordinator makes on its own", () => {
  it("a lease that runs out of retries fails the pending items: progress failed, then end", async () => {
    const user = await newUser();
    const jobId = await queuedJob(user, 2);
    expectOk(await report(user, jobId, 0, "done"));
    const listener = await openSocket(jobId, user.token);
    await listener.received(1);
    const stub = jobCoordinator(env, jobId);
    for (let requeue = 1; requeue <= Number(env.JOB_RETRY_BUDGET); requeue++) await runDurableObjectAlarm(stub);
    // Re-queues change neither status nor progress, so they send nothing.
    expect(listener.events).toHaveLength(1);
    await runDurableObjectAlarm(stub);
    expect(await listener.closed).toBe(1000);
    expect(listener.events.slice(1)).toEqual([
      { type: "progress", job_id: jobId, status: "done", progress: { done: 1, failed: 1, total: 2, needs_review: 0 } },
      { type: "end", job_id: jobId, status: "done", progress: { done: 1, failed: 1, total: 2, needs_review: 0 } },
    ]);
  });

  it("the TTL's cancel of an abandoned job ends the stream", async () => {
    const user = await newUser();
    const jobId = expectOk(
      await call("POST", "/jobs", { token: user.token, json: { preset: "interior", item_count: 1 } }),
    ).job_id as string;
    const listener = await openStream(jobId, user.token);
    await listener.received(1);
    expect(listener.events[0]).toMatchObject({ type: "snapshot", status: "created", items: pendingItems(1) });
    await runDurableObjectAlarm(jobCoordinator(env, jobId));
    await listener.closed;
    expect(listener.events.slice(1).map((event) => [event.type, event.status])).toEqual([
      ["progress", "canceled"],
      ["end", "canceled"],
    ]);
  });
});

describe("GET /jobs/{id}/events: who may listen", () => {
  it(
    "a handshake without a token is 401 AUTH_REQUIRED, " + "with a bad one TOKEN_INVALID, an expired one TOKEN_EXPIRED",
    async () => {
      const user = await newUser();
      const jobId = await queuedJob(user, 1);
      const envelope = async (response: Response) => ({
        status: response.status,
        headers: response.headers,
        body: await response.json<never>(),
      });
      expectError(await envelope(await handshake(jobId, ["s3.v1"])), 401, "AUTH_REQUIRED");
      expectError(await envelope(await handshake(jobId, ["s3.v1", "bearer.not-a-jwt"])), 401, "TOKEN_INVALID");
      const expired = await issueToken(env.JWT_SECRET, user.user_id, Math.floor(Date.now() / 1000) - 31 * 86_400);
      expectError(await envelope(await handshake(jobId, ["s3.v1", `bearer.${expired}`])), 401, "TOKEN_EXPIRED");
      expectError(
        await call("GET", `/jobs/${jobId}/events`, { headers: { Accept: "text/event-stream" } }),
        401,
        "AUTH_REQUIRED",
      );
    },
  );

  it("another user's job, or a job never created, is 404 JOB_NOT_FOUND for both kinds of listener", async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const jobId = await queuedJob(owner, 1);
    for (const id of [jobId, newId("job")]) {
      const response = await handshake(id, ["s3.v1", `bearer.${stranger.token}`]);
      expectError(
        { status: response.status, headers: response.headers, body: await response.json() },
        404,
        "JOB_NOT_FOUND",
      );
      expectError(
        await call("GET", `/jobs/${id}/events`, { token: stranger.token, headers: { Accept: "text/event-stream" } }),
        404,
        "JOB_NOT_FOUND",
      );
    }
  });

  it("a handshake without the s3.v1 subprotocol, or a plain GET, is 400 VALIDATION_ERROR", async () => {
    const user = await newUser();
    const jobId = await queuedJob(user, 1);
    const response = await handshake(jobId, [`bearer.${user.token}`]);
    expectError(
      { status: response.status, headers: response.headers, body: await response.json() },
      400,
      "VALIDATION_ERROR",
    );
    expectError(await call("GET", `/jobs/${jobId}/events`, { token: user.token }), 400, "VALIDATION_ERROR");
  });
});

describe("GET /jobs/{id}/events: hibernation", () => {
  it("a socket keeps receiving events after its JobCoordinator was evicted", async () => {
    const user = await newUser();
    const jobId = await queuedJob(user, 2);
    const listener = await openSocket(jobId, user.token);
    await listener.received(1);
    const stub = jobCoordinator(env, jobId);
    await runInDurableObject(stub, (instance) => {
      (instance as unknown as { marker?: string }).marker = "before eviction";
    });

    await evictDurableObject(stub);
    expectOk(await report(user, jobId, 0, "done"));
    await listener.received(2);
    // A new instance answered the callback, and found the hibernated socket by its tag.
    await runInDurableObject(stub, (instance, state) => {
      expect((instance as unknown as { marker?: string }).marker).toBeUndefined();
      expect(state.getWebSockets()).toHaveLength(1);
    });
    expectOk(await report(user, jobId, 1, "done"));
    expect(await listener.closed).toBe(1000);
    expect(listener.events.map((event) => [event.type, event.progress.done])).toEqual([
      ["snapshot", 0],
      ["progress", 1],
      ["progress", 2],
      ["end", 2],
    ]);
  });
});

describe("GET /jobs/{id}: items and ETag", () => {
  it("a failed item carries its code and the catalog's plain words", async () => {
    const user = await newUser();
    const jobId = await queuedJob(user, 2);
    expectOk(await report(user, jobId, 1, "failed"));
    const job = expectOk(await call("GET", `/jobs/${jobId}`, { token: user.token }));
    expect(job.items).toEqual([
      { idx: 0, status: "pending", error: null, report: null, needs_review: false },
      {
        idx: 1,
        status: "failed",
        error: { code: "SEGMENT_FAILED", message: ITEM_ERROR_MESSAGES.SEGMENT_FAILED },
        report: null,
        needs_review: false,
      },
    ]);
  });

  it("a matching If-None-Match answers 304 with no body and presigns nothing; a change gives a new ETag", async () => {
    const user = await newUser();
    await makePro(user.user_id, 20);
    const jobId = await queuedJob(user, 20);
    for (let idx = 0; idx < 10; idx++) expectOk(await report(user, jobId, idx, "done"));
    const signing = vi.spyOn(AwsClient.prototype, "sign");

    const first = await SELF.fetch(`${BASE}/jobs/${jobId}`, { headers: { Authorization: `Bearer ${user.token}` } });
    expect(first.status).toBe(200);
    await first.arrayBuffer();
    const etag = first.headers.get("ETag")!;
    expect(etag).toMatch(/^W\/".+"$/);
    // Ten done photos, each a result, a preview and its one concept's mask (no report: every concept's).
    expect(signing).toHaveBeenCalledTimes(30);

    signing.mockClear();
    const again = await SELF.fetch(`${BASE}/jobs/${jobId}`, {
      headers: { Authorization: `Bearer ${user.token}`, "If-None-Match": etag },
    });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("ETag")).toBe(etag);
    expect(signing).not.toHaveBeenCalled();

    expectOk(await report(user, jobId, 10, "done"));
    const changed = await SELF.fetch(`${BASE}/jobs/${jobId}`, {
      headers: { Authorization: `Bearer ${user.token}`, "If-None-Match": etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("ETag")).not.toBe(etag);
    expect((await changed.json<{ data: { outputs_ready: unknown[] } }>()).data.outputs_ready).toHaveLength(11);
  });

  it("another user's If-None-Match still answers 404", async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const jobId = await queuedJob(owner, 1);
    const first = await call("GET", `/jobs/${jobId}`, { token: owner.token });
    expectError(
      await call("GET", `/jobs/${jobId}`, {
        token: stranger.token,
        headers: { "If-None-Match": first.headers.get("ETag")! },
      }),
      404,
      "JOB_NOT_FOUND",
    );
  });
});

describe("the OpenAPI document", () => {
  it("documents the events route's 101, text/event-stream, 401 and 404, GET /jobs and the 304", async () => {
    const document = await (
      await SELF.fetch(`${BASE}/openapi.json`)
    ).json<{
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    }>();
    const events = document.paths["/jobs/{id}/events"]!.get!.responses;
    expect(Object.keys(events)).toEqual(expect.arrayContaining(["101", "200", "400", "401", "404"]));
    expect(Object.keys(events["200"]!.content!)).toEqual(["text/event-stream"]);
    expect(Object.keys(document.paths["/jobs"]!.get!.responses)).toEqual(expect.arrayContaining(["200", "400", "401"]));
    expect(Object.keys(document.paths["/jobs/{id}"]!.get!.responses)).toEqual(expect.arrayContaining(["200", "304"]));
  });
});

describe("listener caps per job", () => {
  it("at most 8 WebSockets and 4 event streams per job: a new one past the cap closes the oldest", async () => {
    const user = await newUser();
    const jobId = await queuedJob(user, 2);
    const sockets = [];
    for (let n = 0; n < 9; n++) {
      const listener = await openSocket(jobId, user.token);
      await listener.received(1);
      sockets.push(listener);
    }
    expect(await sockets[0]!.closed).toBe(1008);
    const streams = [];
    for (let n = 0; n < 5; n++) {
      const listener = await openStream(jobId, user.token);
      await listener.received(1);
      streams.push(listener);
    }
    expect(await streams[0]!.closed).toBe(1000);
    // The rest still listen: the next change reaches each of them.
    expectOk(await report(user, jobId, 0, "failed"));
    for (const listener of [...sockets.slice(1), ...streams.slice(1)]) {
      expect((await listener.received(2))[1]).toMatchObject({ type: "progress", item: { idx: 0, status: "failed" } });
    }
    expect(sockets[0]!.events).toHaveLength(1);
    expect(streams[0]!.events).toHaveLength(1);
    for (const { socket } of sockets.slice(1)) socket.close(1000);
  });
});
