// Device check for the onnx segmenter (bundled to check.mjs by device-pack.sh, run by
// device-check.sh): opens the sessions with ONNX_PROVIDER (no CPU fallback unless
// ONNX_ALLOW_CPU_FALLBACK=true: a CUDA provider that does not load ends the check with the
// reason), reports the provider that ran, segments generated 12 MP photos and prints
// per-stage timings. Two models: the tiny SAM 3 stand-in from test/engine/segmenter/onnx/build-models.ts at
// SAM 3's input size (its encoder/decoder timings say nothing about real SAM 3; pre/post-
// processing timings are real), then PP-OCRv4 text detection (real weights, PPOCR_DIR).
import type { RgbImage } from "@s3/contract";
import { createOnnxSegmenter, type SegmenterLogger } from "../src/engine/segmenter/onnx";

const modelDir = process.env.MODEL_CACHE_DIR ?? "models";
const ppocrDir = process.env.PPOCR_DIR ?? "models-ppocr";
const provider = process.env.ONNX_PROVIDER === "cpu" ? "cpu" : "cuda";
const allowCpuFallback = process.env.ONNX_ALLOW_CPU_FALLBACK === "true";
const photos = Number(process.env.CHECK_PHOTOS ?? 3);
const [width, height] = [4000, 3000];

const log =
  (level: string) =>
  (obj: object, msg?: string): void =>
    console.log(JSON.stringify({ level, msg, ...obj }));
const logger: SegmenterLogger = { info: log("info"), warn: log("warn"), debug: () => {} };

/** Mid-grey photo with a bright rectangle: the tiny model's "wall". */
function photo(): RgbImage {
  const data = new Uint8Array(width * height * 3).fill(128);
  for (let y = 750; y < 2250; y++) data.fill(255, (y * width + 1000) * 3, (y * width + 3000) * 3);
  return { width, height, data };
}

const started = performance.now();
let segmenter;
try {
  segmenter = await createOnnxSegmenter({ modelDir, provider, allowCpuFallback, logger });
} catch (error) {
  const reason = String(error);
  console.log(JSON.stringify({ level: "summary", requested_provider: provider, started: false, reason }));
  process.exit(1);
}
const openMs = performance.now() - started;
const job = await segmenter.forJob(["Wall", "Floor", "Frame_Molding"]);
const image = photo();
const perPhotoMs: number[] = [];
let wallArea = 0;
for (let i = 0; i < photos; i++) {
  const t = performance.now();
  const masks = await job.segment(image);
  perPhotoMs.push(Math.round(performance.now() - t));
  wallArea = masks.get("Wall")?.[0]?.area ?? 0;
}
await segmenter.close();

const stages = Object.fromEntries(
  Object.entries(segmenter.stats).map(([stage, s]) => [
    stage,
    typeof s === "number"
      ? s
      : { runs: s.runs, total_ms: Math.round(s.ms), ms_per_run: s.runs ? Math.round((s.ms / s.runs) * 10) / 10 : 0 },
  ]),
);
const summary = {
  requested_provider: provider,
  provider: segmenter.provider,
  segmenter: segmenter.name,
  photo: `${width}x${height}`,
  open_sessions_ms: Math.round(openMs),
  per_photo_ms: perPhotoMs,
  stages,
  // The bright rectangle is 2000×1500 = 3,000,000 px; the mask should match within a cell's edge.
  wall_area: wallArea,
  wall_ok: Math.abs(wallArea - 3_000_000) < 30_000,
};
console.log(JSON.stringify({ level: "summary", ...summary }, null, 2));
if (!summary.wall_ok) process.exitCode = 1;

// Real weights: the text detector on a 12 MP photo (a grey card with dark bars for text lines).
const ocr = await createOnnxSegmenter({ modelDir: ppocrDir, provider, allowCpuFallback, logger });
const text = new Uint8Array(width * height * 3).fill(235);
for (let line = 0; line < 6; line++)
  for (let y = 400 + line * 350; y < 480 + line * 350; y++)
    for (let x = 600; x < 3400; x += 60) text.fill(20, (y * width + x) * 3, (y * width + x + 40) * 3);
const ocrJob = await ocr.forJob(["Label_Text"]);
const ocrMs: number[] = [];
let regions = 0;
for (let i = 0; i < photos; i++) {
  const t = performance.now();
  regions = (await ocrJob.segment({ width, height, data: text })).get("Label_Text")?.length ?? 0;
  ocrMs.push(Math.round(performance.now() - t));
}
await ocr.close();
console.log(
  JSON.stringify(
    { level: "summary", model: ocr.modelVersion, provider: ocr.provider, per_photo_ms: ocrMs, regions },
    null,
    2,
  ),
);
