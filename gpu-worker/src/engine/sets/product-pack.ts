// product_pack: the result on a 1000×1000 white square, the product centred, aspect kept,
// named by the photo's position in the pack.
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

export async function renderPack(result: RgbImage, product: Bbox | null, watermark: boolean): Promise<RgbImage> {
  const { source, target } = packPlacement(result.width, result.height, product);
  const square = blank(PACK_SIZE, PACK_SIZE);
  blit(square, await resize(result, target[2], target[3], source), target[0], target[1]);
  if (watermark) drawWatermark(square.data, PACK_SIZE, PACK_SIZE);
  return square;
}
