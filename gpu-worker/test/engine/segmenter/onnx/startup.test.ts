// Start-up proves the model: model.json's tensors, the checksums and a warm-up photo, before any job;
// and the main process exits non-zero with the reason when it does not hold.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RgbImage } from "@s3/contract";
import { createOnnxSegmenter } from "../../../../src/engine/segmenter/onnx";
import { loaderExecArgv } from "../../../../src/engine/segmenter/thread-client";
import { buildTinySam3, type TinyModelOptions } from "./build-models";

const OBJECTNESS: TinyModelOptions["objectness"] = { wall: [6, -6], floor: [-6, 6], door: [5, 6] };
const quiet = { info: () => {}, warn: () => {}, debug: () => {} };

let root: string;
let count = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "sam3-startup-"));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function exportWith(options: Partial<TinyModelOptions> = {}): Promise<string> {
  const dir = join(root, `export-${count++}`);
  await buildTinySam3(dir, { objectness: OBJECTNESS, ...options });
  return dir;
}

const open = (modelDir: string) => createOnnxSegmenter({ modelDir, provider: "cpu", logger: quiet });

function photo(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3).fill(128);
  for (let y = 20; y < 60; y++) data.fill(255, (y * width + 20) * 3, (y * width + 90) * 3);
  for (let y = 70; y < 100; y++) data.fill(0, (y * width + 120) * 3, (y * width + 180) * 3);
  return { width, height, data };
}

describe("onnx segmenter start-up", () => {
  it("opens a matching export, warms it up once and reports the model version", async () => {
    const segmenter = await open(await exportWith());
    try {
      expect(segmenter.stats.imageEncoder.runs).toBe(1);
      expect(segmenter.stats.maskDecoder.runs).toBeGreaterThan(0);
      expect(segmenter.modelVersion).toBe("tiny-sam3-stand-in (test/engine/segmenter/onnx/build-models.ts)");
      expect(segmenter.health).toEqual({
        segmenter: "onnx sam3 (provider cpu)",
        provider: "cpu",
        model_version: "tiny-sam3-stand-in (test/engine/segmenter/onnx/build-models.ts)",
      });
    } finally {
      await segmenter.close();
    }
  });

  it("refuses an export at another input size, naming the tensor and both shapes", async () => {
    // A 504×896 export with a model.json true to it: the files agree, the segmenter's contract does not.
    const dir = await exportWith({
      editManifest: (m) => (m.tensors.imageEncoder.inputs[0]!.shape = [1, 3, 504, 896]),
    });
    await expect(open(dir)).rejects.toThrow(/image input images is \[1, 3, 504, 896\], not \[1, 3, 64, 64\]/);
  });

  it("refuses an export whose decoder outputs are not float32", async () => {
    const dir = await exportWith({
      editManifest: (m) => {
        m.tensors.maskDecoder.outputs.find((t) => t.name === "pred_masks")!.type = "float16";
      },
    });
    await expect(open(dir)).rejects.toThrow(/decoder output pred_masks is float16, not float32/);
  });

  it("refuses a model.json whose tensors are not the graph's", async () => {
    // Both sides of text_features declared 16 wide, consistently: only the session shows the graph's 8.
    const dir = await exportWith({
      editManifest: (m) => {
        for (const t of [...m.tensors.textEncoder.outputs, ...m.tensors.maskDecoder.inputs])
          if (t.name === "text_features") t.shape = [1, 32, 16];
      },
    });
    await expect(open(dir)).rejects.toThrow(
      /text encoder text_features has shape \[1, 32, 8\], model\.json declares \[1, 32, 16\]/,
    );
  });

  it("refuses a file whose SHA-256 is not model.json's", async () => {
    const dir = await exportWith();
    await writeFile(join(dir, "mask_decoder.onnx"), Buffer.from("not the decoder"));
    await expect(open(dir)).rejects.toThrow(/mask_decoder\.onnx has SHA-256 [0-9a-f]{64}, model\.json says/);
  });

  it("refuses a model directory without model.json", async () => {
    const dir = await exportWith();
    await rm(join(dir, "model.json"));
    await expect(open(dir)).rejects.toThrow(/model\.json is missing/);
  });

  it("exits the worker non-zero with the reason when the model does not hold", async () => {
    const dir = await exportWith();
    await writeFile(join(dir, "text_encoder.onnx"), Buffer.from("torn copy"));
    const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
      env: workerEnv(dir, 0),
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toMatch(/the segmenter did not start: .*text_encoder\.onnx has SHA-256/);
  });

  it("reports the segmenter, the provider in use and the model version on GET /health", async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ["--import", "tsx", MAIN], {
      env: workerEnv(await exportWith(), port),
      stdio: "ignore",
    });
    try {
      const health = await waitForHealth(`http://127.0.0.1:${port}/health`, child);
      expect(health).toMatchObject({
        ok: true,
        segmenter: "onnx sam3 (provider cpu)",
        provider: "cpu",
        model_version: "tiny-sam3-stand-in (test/engine/segmenter/onnx/build-models.ts)",
      });
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    }
  });
});

const MAIN = fileURLToPath(new URL("../../../../src/main.ts", import.meta.url));

function workerEnv(modelDir: string, port: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "",
    SEGMENTER: "onnx",
    ONNX_PROVIDER: "cpu",
    MODEL_CACHE_DIR: modelDir,
    STORAGE_S3_ENDPOINT: "http://127.0.0.1:9",
    STORAGE_ACCESS_KEY: "a",
    STORAGE_SECRET_KEY: "s",
    STORAGE_BUCKET: "b",
    GPU_CALLBACK_SECRET: "x".repeat(32),
    QUEUE_TOKEN: "q".repeat(32),
    CALLBACK_BASE_URL: "http://127.0.0.1:9",
    PORT: String(port),
    RENDER_THREADS: "0",
    LOG_LEVEL: "silent",
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** GET /health until the worker answers (it proves the model first), or fails if it exits. */
async function waitForHealth(url: string, child: ReturnType<typeof spawn>): Promise<unknown> {
  for (let tries = 0; tries < 200; tries++) {
    if (child.exitCode !== null) throw new Error(`the worker exited ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return await response.json();
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("no /health answer in 20 s");
}

describe("prompt batching", () => {
  it("runs the decoder once per photo for all concepts when the export has a prompt batch axis", async () => {
    const batched = await open(await exportWith({ batchedDecoder: true }));
    const single = await open(await exportWith());
    try {
      expect(batched.batchedDecoder).toBe(true);
      expect(single.batchedDecoder).toBe(false);
      const concepts = ["Wall", "Floor", "Door"];
      const image = photo(200, 120);
      const before = batched.stats.maskDecoder.runs;
      const fromBatch = await (await batched.forJob(concepts)).segment(image);
      expect(batched.stats.maskDecoder.runs - before).toBe(1);
      const fromSingle = await (await single.forJob(concepts)).segment(image);
      for (const concept of concepts) {
        const [a, b] = [fromBatch.get(concept)!, fromSingle.get(concept)!];
        expect(a.length).toBeGreaterThan(0);
        expect(a.map((i) => [i.bbox, i.area, i.score])).toEqual(b.map((i) => [i.bbox, i.area, i.score]));
      }
    } finally {
      await Promise.all([batched.close(), single.close()]);
    }
  });
});

describe("candidates selected on the device", () => {
  it("fetches only the kept candidates when the export has kept_* outputs, with the same instances", async () => {
    const kept = await open(await exportWith({ batchedDecoder: true, keptOutputs: true }));
    const all = await open(await exportWith({ batchedDecoder: true }));
    try {
      expect([kept.keptOnDevice, all.keptOnDevice]).toEqual([true, false]);
      const concepts = ["Wall", "Floor", "Door"];
      const image = photo(200, 120);
      const [keptBefore, allBefore] = [kept.stats.decoderOutputBytes, all.stats.decoderOutputBytes];
      const fromKept = await (await kept.forJob(concepts)).segment(image);
      const fromAll = await (await all.forJob(concepts)).segment(image);
      // 3 prompts × 2 queries of 16×16 float masks, against the 4 kept rows (Wall 1, Floor 1, Door 2).
      expect(all.stats.decoderOutputBytes - allBefore).toBeGreaterThanOrEqual(3 * 2 * 16 * 16 * 4);
      expect(kept.stats.decoderOutputBytes - keptBefore).toBeLessThan(5 * 16 * 16 * 4);
      for (const concept of concepts) {
        const [a, b] = [fromKept.get(concept)!, fromAll.get(concept)!];
        expect(a.map((i) => [i.bbox, i.area])).toEqual(b.map((i) => [i.bbox, i.area]));
        // The device computes the score in float32, the main path in float64.
        a.forEach((instance, at) => expect(instance.score).toBeCloseTo(b[at]!.score, 6));
      }
      expect(fromKept.get("Door")).toHaveLength(2);
    } finally {
      await Promise.all([kept.close(), all.close()]);
    }
  });
});

describe("segmenter thread start", () => {
  it("gives the thread the main thread's TypeScript loader and none of its other preloads", () => {
    const docker = [
      "--import",
      "/usr/local/lib/s3/loopback-forward.mjs",
      "--import",
      "/opt/tsx/node_modules/tsx/dist/loader.mjs",
    ];
    expect(loaderExecArgv(docker)).toEqual(["--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs"]);
    const cli = ["--require", "/x/node_modules/tsx/dist/preflight.cjs", "--import=file:///x/tsx/dist/loader.mjs"];
    expect(loaderExecArgv(cli)).toEqual([
      "--require",
      "/x/node_modules/tsx/dist/preflight.cjs",
      "--import",
      "file:///x/tsx/dist/loader.mjs",
    ]);
    expect(loaderExecArgv(["--max-old-space-size=4096", "--import", "/app/other.mjs"])).toEqual([]);
  });
});
