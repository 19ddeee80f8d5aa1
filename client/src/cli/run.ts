// `s3 run <folder>`: the whole job — upload with a progress bar, execute, follow it, write the set.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { downloadSet, unwrap, uploadAlbum, waitForJob, type ApiClient, type ExecuteJob, type Photo } from "../index";
import { formatBytes, progressLine } from "./progress";

const CONTENT_TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
};

export interface RunOptions {
  folder: string;
  preset: string;
  /** A rule file ({concepts, protect, variants?} or {rule_id}) or a saved rule's id. */
  rule: string;
  template?: string;
  /** Where the set goes, given the job's id. */
  out: (jobId: string) => string;
  /** One key for the run's steps: running the same command again with it continues the same job. */
  idempotencyKey: string;
  log: (line: string) => void;
}

export function readPhotos(folder: string): { names: string[]; photos: Photo[] } {
  const names = readdirSync(folder)
    .filter((name) => CONTENT_TYPES[path.extname(name).toLowerCase()])
    .sort();
  if (names.length === 0) throw new Error(`no .png, .jpg or .webp photos in ${folder}`);
  const photos = names.map((name) => ({
    bytes: new Uint8Array(readFileSync(path.join(folder, name))),
    contentType: CONTENT_TYPES[path.extname(name).toLowerCase()],
  }));
  return { names, photos };
}

/** The execute body a rule names: a JSON file's object, or `{rule_id}` for a saved rule. */
export function readRule(rule: string): ExecuteJob {
  if (!existsSync(rule) && /^[A-Za-z0-9_-]+$/.test(rule)) return { rule_id: rule };
  const parsed: unknown = JSON.parse(readFileSync(rule, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${rule}: a rule file holds one object, {concepts, protect} or {rule_id}`);
  }
  // The API refuses an unknown field by name, so the file is sent as written.
  return parsed as ExecuteJob;
}

export async function runJob(api: ApiClient, options: RunOptions): Promise<{ status: string }> {
  const { names, photos } = readPhotos(options.folder);
  const template = options.template ? { output_template: options.template } : {};
  const body: ExecuteJob = { ...readRule(options.rule), ...template };
  const bar = progressLine();
  const job = await uploadAlbum(api, {
    preset: options.preset,
    photos,
    idempotencyKey: options.idempotencyKey,
    onProgress: ({ sentBytes, totalBytes, sentPhotos, totalPhotos }) =>
      bar.update("upload", sentBytes, totalBytes, `${sentPhotos}/${totalPhotos} photos, ${formatBytes(sentBytes)}`),
  });
  bar.finish();
  options.log(`job ${job.job_id}: ${photos.length} photos from ${options.folder}, preset ${options.preset}`);
  await unwrap(
    api.POST("/jobs/{id}/execute", {
      params: { path: { id: job.job_id }, header: { "idempotency-key": `${options.idempotencyKey}:execute` } },
      body,
    }),
  );
  const finished = await waitForJob(api, job.job_id, {
    onProgress: ({ status, progress }) =>
      bar.update(
        "edit",
        progress.done + progress.failed,
        progress.total,
        `${progress.done + progress.failed}/${progress.total} ${status}` +
          (progress.failed ? `, ${progress.failed} failed` : ""),
      ),
  });
  bar.finish();
  const { done, failed, needs_review } = finished.progress;
  options.log(`job ${finished.status}: ${done} done, ${failed} failed, ${needs_review} to review`);
  if (done === 0) return finished;

  const out = options.out(job.job_id);
  mkdirSync(out, { recursive: true });
  let files = 0;
  const manifest = await downloadSet(api, job.job_id, {
    onFile: (file, bytes) => {
      const target = path.join(out, file.name);
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, bytes);
      bar.update("download", ++files, files, `${files} files`);
    },
  });
  bar.finish();
  // The manifest without its links (they expire), with each input's file name, for whoever reads the set later.
  const { zip_url: _zip, files: setFiles, ...rest } = manifest;
  const kept = { ...rest, inputs: names.map((name, idx) => ({ idx, name })), files: setFiles.map(withoutUrl) };
  writeFileSync(path.join(out, "manifest.json"), `${JSON.stringify(kept, null, 2)}\n`);
  options.log(`wrote ${manifest.files.length} files and manifest.json to ${path.relative(process.cwd(), out) || "."}`);
  for (const item of manifest.items.filter((candidate) => candidate.needs_review)) {
    options.log(`  look at ${names[item.idx]} (idx ${item.idx}): ${JSON.stringify(item.report?.flags ?? [])}`);
  }
  return finished;
}

function withoutUrl<T extends { url: string }>({ url: _url, ...file }: T): Omit<T, "url"> {
  return file;
}
