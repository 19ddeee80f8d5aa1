// Each documented way to start the GPU worker outside a container runs a real job to done:
// `npm start` in gpu-worker (the tsx CLI) against a Worker, and `npm run dev` (the whole stack).
// The images' command is proved by the other e2e files (containers) and by
// scripts/docker/compose-smoke.sh (`docker compose up --build` from a clean clone), both in `npm test`.
import { spawn, type ChildProcess } from "node:child_process";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { interiorScene } from "@s3/contract/testing";
import { getPresigned, waitForJob } from "@s3/client";
import { API_URL, GPU_WORKER_DIR, GPU_WORKER_PORT, gpuWorkerEnv, isApiUp, ROOT } from "@s3/scripts/stack";
import { newUser, submitJob } from "../src/api.ts";
import { TestWorker } from "../src/stack.ts";

const children: ChildProcess[] = [];
const output = new Map<ChildProcess, string>();

/** A command in its own process group (npm → sh → tsx → node), so the whole tree can be stopped. */
function start(command: string, args: string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, detached: true, stdio: "pipe" });
  output.set(child, "");
  const keep = (chunk: Buffer) => output.set(child, (output.get(child)! + chunk.toString()).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  process.kill(-child.pid!, "SIGTERM");
  const timer = setTimeout(() => process.kill(-child.pid!, "SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}

async function healthy(child: ChildProcess, url: string, timeoutMs = 240_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`exited (${child.exitCode}) before ${url} answered:\n${output.get(child)}`);
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => null);
    if (response?.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s:\n${output.get(child)}`);
}

/** Two photos through the public API to a done job; each result downloaded and decoded at the photo's size. */
async function oneJobDone(baseUrl: string): Promise<void> {
  const scenes = [1, 2].map((seed) => interiorScene(320, 240, seed));
  const files = await Promise.all(
    scenes.map(
      async ({ image }) =>
        new Uint8Array(
          await sharp(image.data, { raw: { width: 320, height: 240, channels: 3 } })
            .png()
            .toBuffer(),
        ),
    ),
  );
  const { api } = await newUser(baseUrl);
  const jobId = await submitJob(api, "interior", files, {
    concepts: { Floor: { action: "recolor", value: "oak_a" } },
    protect: ["Grout"],
  });
  const done = await waitForJob(api, jobId, { timeoutMs: 150_000 });
  expect(done.status).toBe("done");
  expect(done.progress).toEqual({ done: 2, failed: 0, total: 2, needs_review: 0 });
  for (const ready of done.outputs_ready) {
    const meta = await sharp(await getPresigned(ready.result_url)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(["png", 320, 240]);
  }
}

afterAll(async () => {
  await Promise.all(children.map(stop));
});

describe("documented start paths run a job to done", () => {
  it("npm start in gpu-worker (tsx src/main.ts) against a Worker", async () => {
    const worker = new TestWorker({ port: 8799, vars: { GPU_DISPATCH: "bridge" } });
    await worker.start();
    try {
      const healthPort = 8893;
      const gpu = start("npm", ["start"], GPU_WORKER_DIR, gpuWorkerEnv(worker.url, healthPort));
      await healthy(gpu, `http://127.0.0.1:${healthPort}/health`);
      await oneJobDone(worker.url);
      await stop(gpu);
    } finally {
      await worker.dispose();
    }
  });

  it("npm run dev (the Worker and the GPU worker on 127.0.0.1:8787)", async () => {
    expect(await isApiUp(), `something already answers on ${API_URL}; stop it first`).toBe(false);
    const dev = start("npm", ["run", "dev"], ROOT);
    await healthy(dev, `${API_URL}/health`);
    await healthy(dev, `http://127.0.0.1:${GPU_WORKER_PORT}/health`);
    await oneJobDone(API_URL);
    await stop(dev);
  });
});
