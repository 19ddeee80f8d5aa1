import { afterEach, describe, expect, it } from "vitest";
import { createApiClient, uploadAlbum, type UploadProgress } from "../src/index";
import { fakeApi, sendData, sendError, type FakeApi } from "./fake-api";

let server: FakeApi | undefined;
afterEach(async () => server?.close());

/** POST /jobs answers one PUT URL per item on the same server; PUTs of another length are refused, as storage does. */
async function albumApi(): Promise<FakeApi> {
  let sizes: number[] = [];
  const api = await fakeApi({
    "POST /jobs": (request, response) => {
      const body = JSON.parse(request.body.toString()) as { item_count: number; sizes: number[] };
      sizes = body.sizes;
      sendData(response, {
        job_id: "job_up",
        upload: Array.from({ length: body.item_count }, (_, idx) => ({
          idx,
          url: `${api.url}/put/${idx}`,
          key: `inputs/job_up/${idx}`,
        })),
        confirm_url: "/jobs/job_up/confirm-upload",
      });
    },
    "POST /jobs/job_up/confirm-upload": (_request, response) =>
      sendData(response, { job_id: "job_up", status: "uploaded" }),
    ...Object.fromEntries(
      [0, 1, 2].map((idx) => [
        `PUT /put/${idx}`,
        (request: { body: Buffer }, response: Parameters<typeof sendData>[0]) => {
          if (request.body.length !== sizes[idx]) sendError(response, 403, "SIGNATURE", "content-length not signed");
          else response.writeHead(200).end();
        },
      ]),
    ),
  });
  return api;
}

describe("uploadAlbum", () => {
  it("sends each photo's size, puts every photo, confirms, and counts the bytes as they go", async () => {
    server = await albumApi();
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    const photos = [10, 2000, 300].map((size) => ({ bytes: new Uint8Array(size).fill(1), contentType: "image/jpeg" }));
    const progress: UploadProgress[] = [];
    const job = await uploadAlbum(api, {
      preset: "interior",
      photos,
      concurrency: 1,
      idempotencyKey: "run-1",
      onProgress: (step) => progress.push(step),
    });
    expect(job.job_id).toBe("job_up");
    const create = server.seen.find((request) => request.path === "/jobs")!;
    expect(JSON.parse(create.body.toString())).toEqual({ preset: "interior", item_count: 3, sizes: [10, 2000, 300] });
    expect(create.headers["idempotency-key"]).toBe("run-1:create");
    const puts = server.seen.filter((request) => request.method === "PUT");
    expect(puts.map((put) => put.headers["content-type"])).toEqual(["image/jpeg", "image/jpeg", "image/jpeg"]);
    const confirm = server.seen.at(-1)!;
    expect([confirm.path, confirm.headers["idempotency-key"]]).toEqual([
      "/jobs/job_up/confirm-upload",
      "run-1:confirm",
    ]);
    expect(progress.map((step) => step.sentBytes)).toEqual([0, 10, 2010, 2310]);
    expect(progress.at(-1)).toEqual({ sentBytes: 2310, totalBytes: 2310, sentPhotos: 3, totalPhotos: 3 });
  });

  it("stops before confirming when storage refuses a photo", async () => {
    server = await albumApi();
    const api = createApiClient({ baseUrl: server.url, token: "t" });
    const photos = [{ bytes: new Uint8Array(5) }];
    // A PUT of the wrong length, as if the photo changed on disk after its size was sent.
    const shrinking = async (url: string | URL | Request, init?: RequestInit) =>
      fetch(url, String(url).includes("/put/") ? { ...init, body: new Uint8Array(4) } : init);
    await expect(uploadAlbum(api, { preset: "interior", photos, fetch: shrinking })).rejects.toThrow(
      /PUT answered 403/,
    );
    expect(server.seen.some((request) => request.path.endsWith("/confirm-upload"))).toBe(false);
  });
});
