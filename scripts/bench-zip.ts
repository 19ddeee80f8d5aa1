// `npm run bench:zip` (the second part of `npm run bench:sets`): GET /jobs/{id}/set.zip of a finished
// thumbnails set (docs/sets.md) through the Worker on its own Miniflare (scripts/miniflare-server.ts),
// at two set sizes: throughput on loopback, and workerd's resident memory while it streams, which
// should stay flat as the set grows. The set is synthetic: inputs, results, previews and the eight
// thumbnails per photo are random bytes PUT straight into the local R2 (its S3 endpoint), and the
// callbacks report them as the GPU worker would.
//   npm run bench:zip -- --photos 200 --small 50 --result-kib 1536
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { AwsClient } from "aws4fetch";
import { storageKeys, THUMBNAIL_SIZES, type SetFile } from "@s3/contract";
import { eachLimited, getPresigned, signInAnonymously, unwrap } from "@s3/client";
import { setZip, type ObjectReader } from "../worker/src/lib/set-zip";
import { startDirectApi } from "./miniflare-server";
import { API_HOST, ensureDevVars, setPlan } from "./stack";

const PORT = 8799;
const MiB = 1024 * 1024;

/** Resident memory of every workerd under this process, in bytes (Linux /proc). */
function workerdRss(): number {
  let pids: string[];
  try {
    pids = execFileSync("pgrep", ["-f", "workerd"], { encoding: "utf8" }).split("\n").filter(Boolean);
  } catch {
    return 0;
  }
  let total = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, "utf8");
      const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1]);
      // Only workerd processes this benchmark started (children of this node process).
      if (ppid !== process.pid) continue;
      total += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      photos: { type: "string", default: "200" },
      small: { type: "string", default: "50" },
      "result-kib": { type: "string", default: "1536" },
    },
  });
  const sizes = [Number(values.small), Number(values.photos)];
  const resultBytes = Number(values["result-kib"]) * 1024;
  const secrets = ensureDevVars();
  const persistTo = mkdtempSync(path.join(tmpdir(), "s3-bench-zip-"));
  console.log(`starting the Worker on Miniflare at http://${API_HOST}:${PORT} …`);
  const api = await startDirectApi({ port: PORT, persistTo, vars: { GPU_DISPATCH: "bridge" } });
  const s3 = new AwsClient({
    accessKeyId: secrets.STORAGE_ACCESS_KEY ?? "local-dev-access-key",
    secretAccessKey: secrets.STORAGE_SECRET_KEY ?? "local-dev-secret-key",
    service: "s3",
    region: "auto",
  });
  const bucketUrl = `${api.url}/cdn-cgi/local/r2/s3/${secrets.STORAGE_BUCKET ?? "s3-images"}`;
  const put = async (key: string, bytes: Uint8Array) => {
    const response = await s3.fetch(`${bucketUrl}/${key}`, { method: "PUT", body: bytes as Uint8Array<ArrayBuffer> });
    if (!response.ok) throw new Error(`PUT ${key} answered ${response.status}: ${await response.text()}`);
  };
  // One random buffer per size, reused: the bytes only need to be incompressible, not distinct.
  const result = new Uint8Array(randomBytes(resultBytes));
  const preview = new Uint8Array(randomBytes(96 * 1024));
  const thumbnail = (w: number, h: number) => new Uint8Array(randomBytes(Math.round((w * h) / 12)));
  const thumbnails = THUMBNAIL_SIZES.map(([w, h]) => ({ part: `${w}x${h}`, w, h, bytes: thumbnail(w, h) }));

  // The ZIP writer alone (the Worker's set-zip module in Node, objects in memory): its CPU ceiling.
  {
    const perPhoto = [result, preview, ...thumbnails.map((thumb) => thumb.bytes)];
    const entries = Array.from({ length: sizes[1]! * perPhoto.length }, (_, i) => ({ name: `f/${i}`, key: String(i) }));
    const memory: ObjectReader = {
      async get(key) {
        const bytes = perPhoto[Number(key) % perPhoto.length]!;
        return {
          body: new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
          size: bytes.length,
          uploaded: new Date(),
        };
      },
    };
    const started = performance.now();
    const reader = setZip(memory, entries).getReader();
    let total = 0;
    for (let read = await reader.read(); !read.done; read = await reader.read()) total += read.value.length;
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `ZIP writer alone (Node, in memory, ${sizes[1]} photos): ` +
        `${(total / MiB).toFixed(0)} MiB in ${seconds.toFixed(2)} s = ${(total / MiB / seconds).toFixed(0)} MiB/s`,
    );
  }

  const rows: string[] = [];
  try {
    const { api: client, user_id: userId } = await signInAnonymously({ baseUrl: api.url });
    await setPlan(
      api.url,
      userId,
      "pro",
      sizes.reduce((a, b) => a + b, 0),
    );
    for (const photos of sizes) {
      const job = await unwrap(client.POST("/jobs", { body: { preset: "seller", item_count: photos } }));
      await eachLimited(job.upload, 8, (slot) => put(slot.key, new Uint8Array(64)));
      const id = { params: { path: { id: job.job_id } } };
      await unwrap(client.POST("/jobs/{id}/confirm-upload", id));
      await unwrap(
        client.POST("/jobs/{id}/execute", {
          ...id,
          body: { concepts: { Body: { action: "recolor", value: "navy_a" } }, output_template: "thumbnails" },
        }),
      );
      const indices = Array.from({ length: photos }, (_, idx) => idx);
      await eachLimited(indices, 8, async (idx) => {
        const files: SetFile[] = thumbnails.map(({ part, w, h, bytes }) => ({
          role: "thumbnail",
          part,
          variant: null,
          key: storageKeys.set(userId, job.job_id, idx, "thumbnails", part, "jpg"),
          width: w,
          height: h,
          bytes: bytes.length,
          content_type: "image/jpeg",
        }));
        await put(storageKeys.output(userId, job.job_id, idx), result);
        await put(storageKeys.preview(userId, job.job_id, idx), preview);
        for (const [i, file] of files.entries()) await put(file.key, thumbnails[i]!.bytes);
        const response = await fetch(`${api.url}/jobs/${job.job_id}/callback`, {
          method: "POST",
          headers: { Authorization: `Bearer ${secrets.GPU_CALLBACK_SECRET}`, "Content-Type": "application/json" },
          body: JSON.stringify({
            idx,
            status: "done",
            output_key: storageKeys.output(userId, job.job_id, idx),
            preview_key: storageKeys.preview(userId, job.job_id, idx),
            files,
          }),
        });
        if (!response.ok) throw new Error(`callback ${idx} answered ${response.status}: ${await response.text()}`);
      });
      const manifest = await unwrap(client.GET("/jobs/{id}/set", id));

      const before = workerdRss();
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, workerdRss());
      }, 50);
      const started = performance.now();
      const response = await fetch(manifest.zip_url);
      if (!response.ok || !response.body) throw new Error(`set.zip answered ${response.status}`);
      let total = 0;
      const reader = response.body.getReader();
      for (let read = await reader.read(); !read.done; read = await reader.read()) total += read.value.length;
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      peak = Math.max(peak, workerdRss());
      // The floor the local R2 sets: the same objects through presigned GETs, LOOKAHEAD at a time.
      // Its memory too: what the emulator itself grows by serving the same bytes, with no ZIP.
      const directBefore = workerdRss();
      let directPeak = directBefore;
      const directSampler = setInterval(() => {
        directPeak = Math.max(directPeak, workerdRss());
      }, 50);
      const directStarted = performance.now();
      let direct = 0;
      await eachLimited(manifest.files, 4, async (file) => {
        direct += (await getPresigned(file.url)).length;
      });
      const directRate = direct / MiB / ((performance.now() - directStarted) / 1000);
      clearInterval(directSampler);
      directPeak = Math.max(directPeak, workerdRss());
      rows.push(
        `| ${photos} | ${manifest.files.length} | ${(total / MiB).toFixed(0)} | ${seconds.toFixed(2)}` +
          ` | ${(total / MiB / seconds).toFixed(0)} | ${directRate.toFixed(0)} | ` +
          `${(before / MiB).toFixed(0)} | ${(peak / MiB).toFixed(0)} | ${((peak - before) / MiB).toFixed(0)} | ` +
          `${((directPeak - directBefore) / MiB).toFixed(0)} |`,
      );
      console.log(rows.at(-1));
    }
  } finally {
    await api.stop();
    rmSync(persistTo, { recursive: true, force: true });
  }
  console.log("\nGET /jobs/{id}/set.zip through zip_url (Miniflare direct, loopback, thumbnails template)");
  console.log(
    "| photos | files | ZIP MiB | s | ZIP MiB/s | " +
      "presigned GETs MiB/s | workerd RSS before MiB | peak MiB | growth MiB | growth, presigned GETs MiB |",
  );
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench-zip: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
