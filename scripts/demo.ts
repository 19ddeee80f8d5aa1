// `npm run demo`: one whole job against the running stack (`npm run dev`), through the
// public API only, through @s3/client: anonymous user → POST /jobs → presigned PUTs → confirm →
// execute → events (progress bar) → presigned GETs. Writes each input, result and preview, plus a
// before/after contact sheet, to demo-out/.
//   npm run demo                              # 6 generated interior photos (640×480)
//   npm run demo -- --in ~/photos --preset interior --out demo-out --api http://127.0.0.1:8787
//   npm run demo -- --template before_after   # any template slug (docs/sets.md): its preset, its set,
//                                             # the ZIP through zip_url, its listing, the set on the sheet
// Real photos go through the same path; the cpu segmenter only resolves the generated ones.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import sharp, { type OverlayOptions } from "sharp";
import { PRESETS, TEMPLATE_SLUGS } from "@s3/contract";
import { interiorScene, sellerScene } from "@s3/contract/scenes";
import { readZipListing } from "@s3/contract/testing";
import {
  downloadSet,
  downloadSetZip,
  getPresigned,
  signInAnonymously,
  unwrap,
  uploadAlbum,
  waitForJob,
  type ApiClient,
  type RuleConcepts,
} from "@s3/client";
import { API_URL, ROOT } from "./stack";

const RULES: Record<string, { concepts: RuleConcepts; protect: string[] }> = {
  interior: {
    concepts: {
      Floor: { action: "recolor", value: "oak_a" },
      Wall: { action: "recolor", value: "sage_a" },
      Door: { action: "texture", value: "wood" },
    },
    protect: ["Grout", "Frame_Molding", "Glass_highlight"],
  },
  seller: {
    concepts: { Body: { action: "recolor", value: "navy_a" }, Accessories: { action: "recolor", value: "red_a" } },
    protect: ["Label_Text", "Logo", "Gloss"],
  },
};
const IMAGE_EXTENSIONS = new Set([".jpg", ".jpeg", ".png", ".webp"]);
const SHEET_THUMB_WIDTH = 320;

async function generatedPhotos(preset: string, count: number): Promise<Uint8Array[]> {
  const make = preset === "seller" ? sellerScene : interiorScene;
  return Promise.all(
    Array.from({ length: count }, async (_, index) => {
      const { image } = make(640, 480, index + 1);
      // PNG, not JPEG: the cpu segmenter resolves a generated scene exactly only without JPEG's edge artefacts.
      return new Uint8Array(
        await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
          .png()
          .toBuffer(),
      );
    }),
  );
}

function folderPhotos(folder: string): Uint8Array[] {
  const files = readdirSync(folder)
    .filter((name) => IMAGE_EXTENSIONS.has(path.extname(name).toLowerCase()))
    .sort();
  if (files.length === 0) throw new Error(`no .jpg/.png/.webp images in ${folder}`);
  return files.map((name) => new Uint8Array(readFileSync(path.join(folder, name))));
}

function progressBar(done: number, failed: number, total: number, status: string): string {
  const width = 30;
  const filled = Math.round(((done + failed) / Math.max(1, total)) * width);
  return (
    `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done + failed}` +
    `/${total} ${status}${failed ? ` (${failed} failed)` : ""}   `
  );
}

/** option_board's variants: three recolours of the product from the seller palette. */
function paletteVariants(preset: string): { name: string; concepts: RuleConcepts }[] {
  const colors = PRESETS.find((candidate) => candidate.id === preset)!.palette.Body!.recolor.slice(0, 3);
  return colors.map((color) => ({ name: color, concepts: { Body: { action: "recolor", value: color } } }));
}

/** The set: the manifest's files saved under `out/set/`, the ZIP through zip_url, its listing printed. */
async function saveSet(api: ApiClient, jobId: string, out: string): Promise<Uint8Array[]> {
  const images: Uint8Array[] = [];
  const manifest = await downloadSet(api, jobId, {
    concurrency: 1,
    onFile: (file, bytes) => {
      mkdirSync(path.join(out, "set", path.dirname(file.name)), { recursive: true });
      writeFileSync(path.join(out, "set", file.name), bytes);
      if (file.role !== "result" && file.role !== "preview") images.push(bytes);
    },
  });
  const zip = await downloadSetZip(manifest);
  writeFileSync(path.join(out, "set.zip"), zip);
  const { entries } = readZipListing(zip, zip.length);
  console.log(`set.zip (${(zip.length / 1024).toFixed(0)} KiB, template ${manifest.template ?? "none"}):`);
  for (const entry of entries) console.log(`  ${String(entry.size).padStart(9)}  ${entry.name}`);
  return images;
}

/**
 * One row per item: the input on the left, the result on the right; then the set's template
 * images, two to a row.
 */
async function contactSheet(
  pairs: { before: Uint8Array; after: Uint8Array }[],
  setImages: Uint8Array[] = [],
): Promise<Buffer> {
  const gap = 8;
  const setPairs = Array.from({ length: Math.ceil(setImages.length / 2) }, (_, row) => ({
    before: setImages[row * 2]!,
    after: setImages[row * 2 + 1],
  }));
  const rows = await Promise.all(
    [...pairs, ...setPairs].map(async ({ before, after }) => {
      const [left, right] = await Promise.all(
        [before, after ?? before].map((bytes) =>
          sharp(bytes).rotate().resize({ width: SHEET_THUMB_WIDTH }).png().toBuffer({ resolveWithObject: true }),
        ),
      );
      return {
        left: left!,
        right: after ? right! : null,
        height: Math.max(left!.info.height, after ? right!.info.height : 0),
      };
    }),
  );
  const width = gap * 3 + SHEET_THUMB_WIDTH * 2;
  const height = gap + rows.reduce((sum, row) => sum + row.height + gap, 0);
  const composites: OverlayOptions[] = [];
  let top = gap;
  for (const row of rows) {
    composites.push({ input: row.left.data, left: gap, top });
    if (row.right) composites.push({ input: row.right.data, left: gap * 2 + SHEET_THUMB_WIDTH, top });
    top += row.height + gap;
  }
  return sharp({ create: { width, height, channels: 3, background: "#202020" } })
    .composite(composites)
    .png()
    .toBuffer();
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      in: { type: "string" },
      out: { type: "string", default: path.join(ROOT, "demo-out") },
      preset: { type: "string", default: "interior" },
      count: { type: "string", default: "6" },
      api: { type: "string", default: process.env.S3_API_URL ?? API_URL },
      template: { type: "string" },
      // A receiver told of every item and of the end (docs/webhooks.md); the compose smoke runs one.
      webhook: { type: "string" },
    },
  });
  const template = values.template;
  if (template !== undefined && !(TEMPLATE_SLUGS as readonly string[]).includes(template)) {
    throw new Error(`--template must be one of ${TEMPLATE_SLUGS.join(", ")}`);
  }
  // A template names its preset.
  const preset = template
    ? PRESETS.find((candidate) => candidate.output_templates.some((offered) => offered.slug === template))!.id
    : values.preset!;
  const rule = RULES[preset];
  if (!rule) throw new Error(`--preset must be one of ${Object.keys(RULES).join(", ")}`);
  const photos = values.in ? folderPhotos(values.in) : await generatedPhotos(preset, Number(values.count));
  const out = path.resolve(values.out!);
  mkdirSync(out, { recursive: true });

  const baseUrl = values.api!;
  const health = await fetch(`${baseUrl}/health`, { signal: AbortSignal.timeout(3_000) }).catch(() => null);
  if (!health?.ok) throw new Error(`nothing answers ${baseUrl}/health; start the stack with \`npm run dev\` first`);
  const started = performance.now();
  const { api, user_id: userId } = await signInAnonymously({ baseUrl });
  const job = await uploadAlbum(api, { preset, photos: photos.map((bytes) => ({ bytes })) });
  console.log(
    `user ${userId}, job ${job.job_id}: ${photos.length} ` +
      `${values.in ? `photos from ${values.in}` : `generated ${preset} photos`}`,
  );
  const variants = template === "option_board" ? paletteVariants(preset) : undefined;
  const webhook = values.webhook ? { url: values.webhook, events: ["item" as const, "end" as const] } : undefined;
  await unwrap(
    api.POST("/jobs/{id}/execute", {
      params: { path: { id: job.job_id } },
      body: { concepts: rule.concepts, protect: rule.protect, output_template: template, variants, webhook },
    }),
  );
  if (template) {
    console.log(
      `template ${template}${variants ? `, variants ${variants.map((variant) => variant.name).join(", ")}` : ""}`,
    );
  }
  // three_options and option_board: the Worker makes the main result from the first variant (docs/sets.md).
  if (!variants && template !== "three_options") {
    console.log(
      `rule: ${Object.entries(rule.concepts)
        .map(([concept, { action, value }]) => `${concept} ${action} ${value}`)
        .join(", ")}; protect ${rule.protect.join(", ")}`,
    );
  }

  const finished = await waitForJob(api, job.job_id, {
    timeoutMs: 10 * 60_000,
    onProgress: ({ progress, status }) =>
      process.stdout.write(progressBar(progress.done, progress.failed, progress.total, status)),
  });
  process.stdout.write("\n");

  const pairs: { before: Uint8Array; after: Uint8Array }[] = [];
  for (const output of finished.outputs_ready.sort((a, b) => a.idx - b.idx)) {
    const [result, preview] = await Promise.all([getPresigned(output.result_url), getPresigned(output.preview_url)]);
    const before = photos[output.idx]!;
    const format = (await sharp(before).metadata()).format ?? "img";
    writeFileSync(path.join(out, `${output.idx}_input.${format === "jpeg" ? "jpg" : format}`), before);
    writeFileSync(path.join(out, `${output.idx}_result.png`), result);
    writeFileSync(path.join(out, `${output.idx}_thumb.jpg`), preview);
    pairs.push({ before, after: result });
  }
  const setImages = template && finished.progress.done > 0 ? await saveSet(api, job.job_id, out) : [];
  const seconds = (performance.now() - started) / 1000;
  if (pairs.length > 0) writeFileSync(path.join(out, "contact-sheet.png"), await contactSheet(pairs, setImages));
  const me = await unwrap(api.GET("/me"));
  console.log(
    `job ${finished.status}: ${finished.progress.done} done, ${finished.progress.failed} failed ` +
      `of ${finished.progress.total} in ${seconds.toFixed(1)} s; credits left ${me.credits}`,
  );
  console.log(
    `wrote ${pairs.length} results${pairs.length > 0 ? " and contact-sheet.png (before | after)" : ""}` +
      ` to ${path.relative(process.cwd(), out) || "."}`,
  );
  if (finished.status !== "done") process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`\ndemo: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
