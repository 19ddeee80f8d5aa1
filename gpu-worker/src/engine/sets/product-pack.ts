// product_pack: the result on a 1000×1000 white square, the whole product centred, aspect kept,
// named by the photo's position in the pack. A marketplace main image shows the whole product: the
// segmented concepts alone can miss a part no rule named (a cap, a base), so the box also takes in
// every pixel that stands out from the photo's backdrop.
import type { Bbox, RgbImage } from "@s3/contract";
import { drawWatermark } from "../apply";
import { blank, blit, resize } from "./canvas";

export const PACK_SIZE = 1000;
/** The product's box fills this share of the square's side, leaving a white margin. */
const PRODUCT_SHARE = 0.9;

export interface PackPlacement {
  /** The part of the photo shown, in photo pixels. */
  source: Bbox;
  /** Where it lands on the square. */
  target: Bbox;
}

/**
 * The square shows a window centred on the product's box, scaled so the box fills
 * PRODUCT_SHARE of the side; the window's part outside the photo stays white. Without a
 * box (nothing found) the whole photo is fitted inside the square.
 */
export function packPlacement(width: number, height: number, product: Bbox | null): PackPlacement {
  const box: Bbox = product ?? [0, 0, width, height];
  const scale = product ? (PACK_SIZE * PRODUCT_SHARE) / Math.max(box[2], box[3]) : PACK_SIZE / Math.max(width, height);
  const side = PACK_SIZE / scale;
  const centreX = box[0] + box[2] / 2,
    centreY = box[1] + box[3] / 2;
  const x0 = Math.max(0, Math.floor(centreX - side / 2)),
    y0 = Math.max(0, Math.floor(centreY - side / 2));
  const x1 = Math.min(width, Math.ceil(centreX + side / 2)),
    y1 = Math.min(height, Math.ceil(centreY + side / 2));
  const left = Math.round(PACK_SIZE / 2 + (x0 - centreX) * scale),
    top = Math.round(PACK_SIZE / 2 + (y0 - centreY) * scale);
  const right = Math.round(PACK_SIZE / 2 + (x1 - centreX) * scale),
    bottom = Math.round(PACK_SIZE / 2 + (y1 - centreY) * scale);
  const tx = Math.max(0, left),
    ty = Math.max(0, top);
  return {
    source: [x0, y0, x1 - x0, y1 - y0],
    target: [tx, ty, Math.max(1, Math.min(PACK_SIZE, right) - tx), Math.max(1, Math.min(PACK_SIZE, bottom) - ty)],
  };
}

/** A pixel stands out from the backdrop when a channel differs from it by more than this. */
const BACKDROP_TOLERANCE = 40;
/** The backdrop is the border's median colour; a border that varies more than this is no plain backdrop. */
const BORDER_SPREAD = 24;

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  return values[values.length >> 1] ?? 0;
}

/**
 * The box of everything that stands out from a plain backdrop (the border's median colour), sampled every
 * other pixel; null when the border is not plain (a scene, not a product shot) or nothing stands out.
 */
export function foregroundBox(image: RgbImage): Bbox | null {
  const { width, height, data } = image;
  const border: number[][] = [[], [], []];
  const sample = (x: number, y: number) => {
    for (let c = 0; c < 3; c++) border[c]!.push(data[(y * width + x) * 3 + c]!);
  };
  for (let x = 0; x < width; x += 2) {
    sample(x, 0);
    sample(x, height - 1);
  }
  for (let y = 0; y < height; y += 2) {
    sample(0, y);
    sample(width - 1, y);
  }
  const backdrop = border.map((channel) => median([...channel]));
  const spread = border.map((channel, c) => median(channel.map((v) => Math.abs(v - backdrop[c]!))));
  if (Math.max(...spread) > BORDER_SPREAD) return null;
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y += 2)
    for (let x = 0; x < width; x += 2) {
      const p = (y * width + x) * 3;
      if (![0, 1, 2].some((c) => Math.abs(data[p + c]! - backdrop[c]!) > BACKDROP_TOLERANCE)) continue;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
  if (x1 < 0) return null;
  const right = Math.min(width, x1 + 2),
    bottom = Math.min(height, y1 + 2);
  return [x0, y0, right - x0, bottom - y0];
}

/** The whole product: the concepts' box joined with the foreground's; null when neither is known. */
export function productBox(image: RgbImage, found: Bbox | null): Bbox | null {
  const foreground = foregroundBox(image);
  if (!found || !foreground) return found ?? foreground;
  const x0 = Math.min(found[0], foreground[0]),
    y0 = Math.min(found[1], foreground[1]);
  const x1 = Math.max(found[0] + found[2], foreground[0] + foreground[2]),
    y1 = Math.max(found[1] + found[3], foreground[1] + foreground[3]);
  return [x0, y0, x1 - x0, y1 - y0];
}

export async function renderPack(result: RgbImage, product: Bbox | null, watermark: boolean): Promise<RgbImage> {
  const { source, target } = packPlacement(result.width, result.height, product);
  const square = blank(PACK_SIZE, PACK_SIZE);
  blit(square, await resize(result, target[2], target[3], source), target[0], target[1]);
  if (watermark) drawWatermark(square.data, PACK_SIZE, PACK_SIZE);
  return square;
}
