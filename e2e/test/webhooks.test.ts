// Webhooks through the whole stack (docs/webhooks.md): a receiver on loopback, verifying with the
// standardwebhooks library, gets job.item for each photo and job.end for a job the GPU worker container
// ran — through the Worker's real webhooks queue and consumer under wrangler dev.
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import sharp from "sharp";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interiorScene } from "@s3/contract/testing";
import { unwrap, waitForJob } from "@s3/client";
import { newUser, submitJob } from "../src/api.ts";
import { GpuWorkerContainer, TestWorker } from "../src/stack.ts";

const worker = new TestWorker({
  port: 8795,
  vars: { GPU_DISPATCH: "bridge", JOB_LEASE_SEC: "60", WEBHOOK_ALLOW_LOOPBACK: "true" },
});
let container: GpuWorkerContainer | null = null;

interface Received {
  headers: Record<string, string>;
  body: string;
}

const received: Received[] = [];
const server = createServer((request: IncomingMessage, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    received.push({ headers: request.headers as Record<string, string>, body: Buffer.concat(chunks).toString() });
    response.writeHead(204).end();
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await worker.start();
  container = await new GpuWorkerContainer(worker, 8895).start();
});

afterAll(async () => {
  server.close();
  await container?.stop().catch(() => {});
  await worker.dispose();
});

describe("webhooks", () => {
  it("a loopback receiver gets a verified job.item per photo and a job.end for a job the GPU worker ran", async () => {
    const { api } = await newUser(worker.url);
    const { secret } = await unwrap(api.GET("/me/webhook-secret"));
    const files = await Promise.all(
      [1, 2].map(async (seed) => {
        const { width, height, data } = interiorScene(160, 120, seed).image;
        return new Uint8Array(
          await sharp(data, { raw: { width, height, channels: 3 } })
            .png()
            .toBuffer(),
        );
      }),
    );
    const { port } = server.address() as AddressInfo;
    const jobId = await submitJob(api, "interior", files, {
      concepts: { Floor: { action: "recolor", value: "oak_a" } },
      webhook: { url: `http://127.0.0.1:${port}/hooks`, events: ["item", "end"] },
    });
    expect((await waitForJob(api, jobId, { timeoutMs: 90_000 })).status).toBe("done");

    const deadline = Date.now() + 30_000;
    while (received.length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    const verifier = new Webhook(secret);
    const events = received.map(({ body, headers }) => verifier.verify(body, headers)) as {
      type: string;
      data: { job_id: string; status: string; item?: { idx: number; status: string } };
    }[];
    expect(events.filter((event) => event.type === "job.item").map((event) => event.data.item)).toEqual(
      // Each job.item carries the item's report, as GET /jobs/{id} does (docs/reports.md).
      expect.arrayContaining(
        [0, 1].map((idx) =>
          expect.objectContaining({ idx, status: "done", report: expect.objectContaining({ segmented: "model" }) }),
        ),
      ),
    );
    expect(events.filter((event) => event.type === "job.end")).toEqual([
      expect.objectContaining({ data: expect.objectContaining({ job_id: jobId, status: "done" }) }),
    ]);
    expect(events).toHaveLength(3);
    expect(new Set(received.map(({ headers }) => headers["webhook-id"])).size).toBe(3);

    const { deliveries } = await unwrap(api.GET("/jobs/{id}/webhooks", { params: { path: { id: jobId } } }));
    expect(deliveries.map(({ status, attempts }) => ({ status, attempts }))).toEqual(
      Array(3).fill({ status: "delivered", attempts: 1 }),
    );
  });
});
