// Writes the landing page's before/after example (worker/console/assets/example-*.png): a generated
// room, and the same room with its walls in sage and its cabinet in oak, each pixel keeping its own
// lightness. Run by hand when the picture should change: npx tsx worker/console/example.ts
import path from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import { COLORS } from "@s3/contract";
import { interiorScene, truthUnion } from "@s3/contract/scenes";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const scene = interiorScene(320, 240, 3);
const { data, width, height } = scene.image;
const after = Buffer.from(data);
const luma = (i: number) => 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
for (const [concept, id] of [
  ["Wall", "sage_a"],
  ["Cabinet", "oak_a"],
] as const) {
  const mask = truthUnion(scene, concept);
  const target = COLORS[id]!.match(/[0-9a-f]{2}/gi)!.map((hex) => parseInt(hex, 16));
  let sum = 0;
  let count = 0;
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    sum += luma(p * 3);
    count++;
  }
  const mean = sum / Math.max(count, 1);
  for (let p = 0; p < mask.length; p++) {
    if (!mask[p]) continue;
    const scale = luma(p * 3) / mean;
    for (let c = 0; c < 3; c++) after[p * 3 + c] = Math.min(255, Math.round(target[c]! * scale));
  }
}
const raw = { raw: { width, height, channels: 3 as const } };
await sharp(Buffer.from(data), raw)
  .png()
  .toFile(path.join(HERE, "assets", "example-before.png"));
await sharp(after, raw)
  .png()
  .toFile(path.join(HERE, "assets", "example-after.png"));
