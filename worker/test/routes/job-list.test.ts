// GET /jobs through the real app (docs/events.md): newest first, active jobs included, paged by cursor,
// and only ever the caller's own jobs.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { storageKeys } from "@s3/contract";
import { call, expectError, expectOk, FLOOR_OAK, makePro, newUser, type TestUser } from "./helpers";

async function createJob(user: TestUser, itemCount: number): Promise<string> {
  const created = expectOk(
    await call("POST", "/jobs", { token: user.token, json: { preset: "interior", item_count: itemCount } }),
  );
  // Distinct creation times, so "newest first" has one answer.
  await new Promise((resolve) => setTimeout(resolve, 3));
  return created.job_id as string;
}

async function executed(user: TestUser, jobId: string, itemCount: number): Promise<void> {
  await Promise.all(
    Array.from({ length: itemCount }, (_, idx) =>
      env.BUCKET.put(storageKeys.input(user.user_id, jobId, idx), new Uint8Array(8)),
    ),
  );
  expectOk(await call("POST", `/jobs/${jobId}/confirm-upload`, { token: user.token }));
  expectOk(
    await call("POST", `/jobs/${jobId}/execute`, {
      token: user.token,
      json: { concepts: FLOOR_OAK, output_template: "전후비교" },
    }),
  );
}

function done(user: TestUser, jobId: string, idx: number) {
  return call("POST", `/jobs/${jobId}/callback`, {
    token: env.GPU_CALLBACK_SECRET,
    json: {
      idx,
      status: "done",
      output_key: storageKeys.output(user.user_id, jobId, idx),
      preview_key: storageKeys.preview(user.user_id, jobId, idx),
    },
  });
}

const page = (user: TestUser, query = "") => call("GET", `/jobs${query}`, { token: user.token });

describe("GET /jobs", () => {
  it("lists finished and active jobs newest first, each with its status, template and progress", async () => {
    const user = await newUser();
    await makePro(user.user_id, 50);
    const finished = await createJob(user, 2);
    await executed(user, finished, 2);
    expectOk(await done(user, finished, 0));
    expectOk(await done(user, finished, 1));
    const canceled = await createJob(user, 1);
    expectOk(await call("POST", `/jobs/${canceled}/cancel`, { token: user.token }));
    const running = await createJob(user, 3);
    await executed(user, running, 3);
    expectOk(await done(user, running, 1));
    const fresh = await createJob(user, 4);

    const { jobs, next_cursor } = expectOk(await page(user));
    expect(next_cursor).toBeNull();
    expect(jobs).toEqual([
      {
        job_id: fresh,
        status: "created",
        preset: "interior",
        output_template: null,
        output_template_slug: null,
        created_at: expect.any(String),
        progress: { done: 0, failed: 0, total: 4, needs_review: 0 },
      },
      {
        job_id: running,
        status: "running",
        preset: "interior",
        output_template: "전후비교",
        output_template_slug: "before_after",
        created_at: expect.any(String),
        progress: { done: 1, failed: 0, total: 3, needs_review: 0 },
      },
      {
        job_id: canceled,
        status: "canceled",
        preset: "interior",
        output_template: null,
        output_template_slug: null,
        created_at: expect.any(String),
        progress: { done: 0, failed: 0, total: 1, needs_review: 0 },
      },
      {
        job_id: finished,
        status: "done",
        preset: "interior",
        output_template: "전후비교",
        output_template_slug: "before_after",
        created_at: expect.any(String),
        progress: { done: 2, failed: 0, total: 2, needs_review: 0 },
      },
    ]);
    const times = jobs.map((job: { created_at: string }) => job.created_at);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it("pages by cursor with limit, every job once, and the last page has no cursor", async () => {
    const user = await newUser();
    await makePro(user.user_id, 50);
    const created: string[] = [];
    for (let n = 0; n < 5; n++) {
      const jobId = await createJob(user, 1);
      // Canceled, so the pro plan's three concurrent jobs never refuse the next one.
      if (n < 4) expectOk(await call("POST", `/jobs/${jobId}/cancel`, { token: user.token }));
      created.push(jobId);
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const data: { jobs: { job_id: string }[]; next_cursor: string | null } = expectOk(await page(user, query));
      sizes.push(data.jobs.length);
      seen.push(...data.jobs.map((job) => job.job_id));
      cursor = data.next_cursor;
    } while (cursor !== null);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([...created].reverse());
    expect(expectOk(await page(user)).jobs).toHaveLength(5);
  });

  it("never shows another user's jobs, even with their cursor", async () => {
    const owner = await newUser();
    const stranger = await newUser();
    const ownerJob = await createJob(owner, 1);
    expectOk(await call("POST", `/jobs/${ownerJob}/cancel`, { token: owner.token }));
    await createJob(owner, 1);
    expect(expectOk(await page(stranger))).toEqual({ jobs: [], next_cursor: null });
    const cursor = expectOk(await page(owner, "?limit=1")).next_cursor as string;
    expect(expectOk(await page(stranger, `?cursor=${encodeURIComponent(cursor)}`))).toEqual({
      jobs: [],
      next_cursor: null,
    });
  });

  it(
    "refuses a limit outside 1..100 or a cursor it never " + "issued with VALIDATION_ERROR, and no token with 401",
    async () => {
      const user = await newUser();
      for (const query of ["?limit=0", "?limit=101", "?limit=two", "?cursor=bm9wZQ", "?cursor=%%%"]) {
        expectError(await page(user, query), 400, "VALIDATION_ERROR");
      }
      expectError(await call("GET", "/jobs"), 401, "AUTH_REQUIRED");
    },
  );
});
