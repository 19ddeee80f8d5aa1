// Output-set benchmark: per 12 MP photo, the extra time each template adds on one core, as a
// ratio to the photo's base apply + encode (applyRule + result PNG + preview) in the same run.
// three_options and option_board are reported per variant (their first variant is the result, its
// PNG the result's own, as encodeOutputs passes it).
// Targets: ≤ 1.0 per template, ≤ 0.8 per variant. SETS_OUT=dir also writes a contact sheet per template.
import { mkdir } from "node:fs/promises";
import os from "node:os";
import sharp from "sharp";
import { applyRule } from "../src/engine/apply";
import { encodePreview, encodeResultPng } from "../src/engine/image";
import { unionOf } from "../src/engine/concept-edits";
import { interiorScene, sellerScene } from "@s3/contract/testing";
import { createCpuSegmenter } from "../src/engine/segmenter/cpu";
import { renderSet, renderVariants, type SetImage } from "../src/engine/sets";
import type { TemplateSlug } from "@s3/contract";
import { SET_ALBUMS, type Rule } from "./set-albums";

const WIDTH = Number(process.env.BENCH_WIDTH ?? 4000),
  HEIGHT = Number(process.env.BENCH_HEIGHT ?? 3000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const OUT = process.env.SETS_OUT;
sharp.concurrency(1);

const PHOTOS = SET_ALBUMS;

/** One PNG per template: its files in a row, each scaled to 480 px high, labelled by part. */
async function writeContactSheet(dir: string, slug: string, files: readonly SetImage[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tiles = await Promise.all(
    files.map((file) => sharp(file.body).resize({ height: 480 }).png().toBuffer({ resolveWithObject: true })),
  );
  const width = tiles.reduce((sum, tile) => sum + tile.info.width + 16, 16);
  await sharp({ create: { width, height: 512, channels: 3, background: "#d0d0d0" } })
    .composite(
      tiles.map((tile, i) => ({
        input: tile.data,
        top: 16,
        left: tiles.slice(0, i).reduce((x, t) => x + t.info.width + 16, 16),
      })),
    )
    .png()
    .toFile(`${dir}/${slug}.png`);
}

const now = () => performance.now();
async function best(fn: () => unknown): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const start = now();
    await fn();
    fastest = Math.min(fastest, now() - start);
  }
  return fastest;
}

console.log(
  `gpu-worker bench:sets — ${WIDTH}×${HEIGHT} (${((WIDTH * HEIGHT) / 1e6).toFixed(1)} MP), one core ` +
    `(libvips 1 thread, UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? "default"}), best of ${RUNS}, ` +
    `node ${process.version}, ${os.cpus()[0]?.model ?? "?"}\n`,
);
const rows: string[][] = [];
for (const [preset, spec] of Object.entries(PHOTOS)) {
  const scene = preset === "interior" ? interiorScene(WIDTH, HEIGHT, 7) : sellerScene(WIDTH, HEIGHT, 7);
  const { image } = scene;
  const concepts = [
    ...new Set([...Object.keys(spec.rule), ...spec.protect, ...spec.variants.flatMap((v) => Object.keys(v.concepts))]),
  ];
  const instances = await (await createCpuSegmenter().forJob(concepts)).segment(image);
  const protect = unionOf(instances, spec.protect, WIDTH, HEIGHT);
  const edits = (rule: Rule) =>
    Object.entries(rule).map(([concept, action]) => ({
      concept,
      ...action,
      ...unionOf(instances, concept, WIDTH, HEIGHT),
    }));
  const apply = (rule: Rule) =>
    applyRule({ image, edits: edits(rule), protect: protect.mask, protectBbox: protect.bbox, watermark: false });
  let result = apply(spec.rule);
  const baseRun = async () => {
    result = apply(spec.rule);
    await encodeResultPng(WIDTH, HEIGHT, result);
    await encodePreview(WIDTH, HEIGHT, result);
  };
  for (const slug of spec.templates as TemplateSlug[]) {
    // The base is measured next to each template, so a busy machine's drift moves both alike.
    const base = await best(baseRun);
    const perVariant = slug === "three_options" || slug === "option_board";
    // The main result is the first variant's: a variant template renders the others, then the set.
    const mainResult = perVariant ? apply(spec.variants[0]!.concepts) : result;
    // The result's PNG is part of the base: encodeOutputs hands it to the set as the first variant's.
    const mainPng = await encodeResultPng(WIDTH, HEIGHT, mainResult);
    let files: Awaited<ReturnType<typeof renderSet>> = [];
    const extra = await best(async () => {
      const variants = perVariant
        ? renderVariants(image, instances, spec.protect, spec.variants, mainResult)
        : undefined;
      files = await renderSet(slug, {
        idx: 0,
        image,
        result: mainResult,
        concepts: perVariant ? spec.variants[0]!.concepts : spec.rule,
        instances,
        variants,
        watermark: false,
        locale: "ko",
        format: "png",
        ...(perVariant ? { firstResult: Promise.resolve(mainPng) } : {}),
      });
    });
    const n = perVariant ? spec.variants.length : 1;
    const ratio = extra / n / base;
    const target = perVariant ? 0.8 : 1.0;
    rows.push([
      preset,
      perVariant ? `${slug} (${n} variants, per variant)` : slug,
      `${base.toFixed(0)} ms`,
      `${(extra / n).toFixed(0)} ms`,
      ratio.toFixed(2),
      ratio <= target ? `≤ ${target} ok` : `> ${target} OVER`,
    ]);
    if (OUT) await writeContactSheet(OUT, slug, files);
  }
}

const header = ["photo", "template", "base: apply + PNG + preview", "extra time", "ratio to base", "target"];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i]!)).join(" | ")} |`;
console.log([line(header), `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`, ...rows.map(line)].join("\n"));
