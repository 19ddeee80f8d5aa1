// thumbnails: eight listing sizes, each a cover crop centred on the edited concepts.
import { THUMBNAIL_SIZES, type Bbox, type RgbImage } from "@s3/contract";
import { drawWatermark } from "../apply";
import { resize } from "./canvas";

/**
 * The largest window of the thumbnail's aspect inside the photo, centred on `focus`
 * (the photo's centre when null) and moved back inside the photo where it would cross an
 * edge; it contains `focus` whenever the window is at least as large as the box.
 */
export function coverWindow(width: number, height: number, size: readonly [number, number], focus: Bbox | null): Bbox {
  const [tw, th] = size;
  const windowWidth = Math.min(width, Math.round((height * tw) / th));
  const windowHeight = Math.min(height, Math.round((width * th) / tw));
  const [fx, fy, fw, fh] = focus ?? [0, 0, width, height];
  const x = Math.round(fx + fw / 2 - windowWidth / 2),
    y = Math.round(fy + fh / 2 - windowHeight / 2);
  return [
    Math.max(0, Math.min(width - windowWidth, x)),
    Math.max(0, Math.min(height - windowHeight, y)),
    windowWidth,
    windowHeight,
  ];
}

export interface Thumbnail {
  part: string;
  image: RgbImage;
}

/**
 * Every thumbnail of `result`. The photo is first scaled once to the largest size any crop
 * needs, so eight crops of a 12 MP photo cost one full-size resize, not eight.
 */
export async function renderThumbnails(result: RgbImage, focus: Bbox | null, watermark: boolean): Promise<Thumbnail[]> {
  const windows = THUMBNAIL_SIZES.map((size) => coverWindow(result.width, result.height, size, focus));
  const scale = Math.min(1, Math.max(...windows.map((window, i) => THUMBNAIL_SIZES[i]![0] / window[2])));
  const base =
    scale < 1 ? await resize(result, Math.ceil(result.width * scale), Math.ceil(result.height * scale)) : result;
  const sx = base.width / result.width,
    sy = base.height / result.height;
  return Promise.all(
    THUMBNAIL_SIZES.map(async ([tw, th], i) => {
      const [x, y, w, h] = windows[i]!;
      const left = Math.min(base.width - 1, Math.floor(x * sx)),
        top = Math.min(base.height - 1, Math.floor(y * sy));
      const region: Bbox = [
        left,
        top,
        Math.max(1, Math.min(base.width - left, Math.round(w * sx))),
        Math.max(1, Math.min(base.height - top, Math.round(h * sy))),
      ];
      const image = await resize(base, tw, th, region);
      // resize() hands back `base` itself for an identity crop: the watermark must not land on a shared buffer.
      const own = image === base ? { ...image, data: image.data.slice() } : image;
      if (watermark) drawWatermark(own.data, tw, th);
      return { part: `${tw}x${th}`, image: own };
    }),
  );
}
