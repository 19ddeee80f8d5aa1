// The s3 CLI (client/src/cli/) runs a whole job against a local stack — a Worker and a GPU worker
// process, as `npm run dev` runs them — exactly as the README shows it: `npm run s3 -- run ./photos …`,
// typed in the photos' parent folder, with its token kept in the user's config folder.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { interiorScene } from "@s3/contract/testing";
import { ROOT, startGpuWorker, type Service } from "@s3/scripts/stack";
import { TestWorker } from "../src/stack.ts";

const worker = new TestWorker({ port: 8801, vars: { GPU_DISPATCH: "bridge", JOB_LEASE_SEC: "60" } });
const home = mkdtempSync(path.join(tmpdir(), "s3-cli-"));
const config = path.join(home, "config");
let gpu: Service | undefined;

/** `npm --prefix <repo> run s3 -- …` in `home`; its exit code and what it printed. */
function s3(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["--prefix", ROOT, "run", "--silent", "s3", "--", "--api", worker.url, ...args], {
      cwd: home,
      env: { ...process.env, XDG_CONFIG_HOME: config, S3_TOKEN: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  await worker.start();
  gpu = await startGpuWorker({ apiUrl: worker.url, port: 8898, quiet: true, name: "e2e-cli-gpu" });
  mkdirSync(path.join(home, "photos"));
  for (const seed of [1, 2, 3]) {
    const { image } = interiorScene(320, 240, seed);
    const png = await sharp(image.data, { raw: { width: 320, height: 240, channels: 3 } })
      .png()
      .toBuffer();
    writeFileSync(path.join(home, "photos", `room-${seed}.png`), png);
  }
  writeFileSync(path.join(home, "notes.txt"), "not a photo");
  writeFileSync(
    path.join(home, "rule.json"),
    JSON.stringify({ concepts: { Floor: { action: "recolor", value: "oak_a" } }, protect: ["Grout"] }),
  );
});

afterAll(async () => {
  await gpu?.stop();
  await worker.dispose();
  rmSync(home, { recursive: true, force: true });
});

describe("s3 run", () => {
  it("uploads the folder, edits it with the rule and template, and writes the set", async () => {
    const run = await s3(
      "run",
      "./photos",
      "--preset",
      "interior",
      "--rule",
      "rule.json",
      "--template",
      "before_after",
      "--out",
      "set",
    );
    expect(run.code, run.stderr).toBe(0);
    // Not a terminal: one progress line per change, the upload's last one counting every photo.
    expect(run.stdout).toMatch(/^upload +\[#{30}\] 3\/3 photos/m);
    expect(run.stdout).toMatch(/^edit +\[#{30}\] 3\/3 done/m);
    expect(run.stderr).toMatch(/signed in as a new anonymous user/);
    const jobId = /job (job_\w+): 3 photos/.exec(run.stderr)?.[1];
    expect(jobId).toBeDefined();

    const set = path.join(home, "set");
    const manifest = JSON.parse(readFileSync(path.join(set, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ job_id: jobId, template: "before_after" });
    expect(manifest.inputs).toEqual([0, 1, 2].map((idx) => ({ idx, name: `room-${idx + 1}.png` })));
    expect(JSON.stringify(manifest)).not.toMatch(/X-Amz-Signature|zip_url/);
    const pairs = readdirSync(path.join(set, "before_after"));
    expect(pairs).toHaveLength(3);
    for (const file of manifest.files as { name: string; width: number | null }[]) {
      expect(existsSync(path.join(set, file.name)), file.name).toBe(true);
    }
    const pair = await sharp(path.join(set, "before_after", pairs[0]!)).metadata();
    expect(pair.width).toBeGreaterThan(320);

    // The same user (token from the config folder) sees the job in `s3 jobs` and `s3 get`.
    const jobs = await s3("jobs");
    expect(jobs.code, jobs.stderr).toBe(0);
    expect(jobs.stdout).toMatch(new RegExp(`^${jobId} +done +interior +3/3 +before_after`, "m"));
    expect(jobs.stderr).not.toMatch(/signed in/);
    const got = await s3("get", jobId!);
    expect(JSON.parse(got.stdout)).toMatchObject({ job_id: jobId, status: "done", progress: { done: 3, total: 3 } });
  });

  it("names the API's refusal and exits non-zero: a done job cannot be canceled", async () => {
    const jobs = await s3("jobs", "--limit", "1");
    const jobId = jobs.stdout.split(" ")[0]!;
    const cancel = await s3("cancel", jobId);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toMatch(/^s3: .*409 INVALID_TRANSITION/m);
  });

  it("gives the webhook secret, the same until rotated", async () => {
    const first = JSON.parse((await s3("webhook-secret")).stdout) as { secret: string };
    expect(first.secret).toMatch(/^whsec_/);
    expect(JSON.parse((await s3("webhook-secret")).stdout).secret).toBe(first.secret);
    const rotated = JSON.parse((await s3("webhook-secret", "--rotate")).stdout) as { secret: string };
    expect(rotated.secret).not.toBe(first.secret);
  });
});
