// Photo → the image encoder's input: resized to the model's square input (main thread, libvips),
// then normalised to planar NCHW float32 (segmenter thread). The geometry lets postprocess map
// mask logits back.
import sharp from "sharp";
import type { RgbImage } from "@s3/contract";
import type { Manifest } from "./manifest";

export interface InputGeometry {
  /** Side of the square model input. */
  size: number;
  /** Where the photo lies in the model input (top-left aligned): the whole square when stretched. */
  contentWidth: number;
  contentHeight: number;
}

export function inputGeometry(
  width: number,
  height: number,
  manifest: Pick<Manifest, "imageSize" | "resize">,
): InputGeometry {
  const size = manifest.imageSize;
  if (manifest.resize === "stretch") return { size, contentWidth: size, contentHeight: size };
  const scale = size / Math.max(width, height);
  return {
    size,
    contentWidth: Math.max(1, Math.min(size, Math.round(width * scale))),
    contentHeight: Math.max(1, Math.min(size, Math.round(height * scale))),
  };
}

/** The photo resized to its place in the model input (RGB, `contentWidth × contentHeight`), by libvips off the
 *  event loop; only this small image travels to the segmenter thread. */
export async function resizeForModel(
  image: RgbImage,
  manifest: Pick<Manifest, "imageSize" | "resize">,
): Promise<{ pixels: Uint8Array; geometry: InputGeometry }> {
  const geometry = inputGeometry(image.width, image.height, manifest);
  const source = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  // libvips' linear kernel: bilinear with antialiasing on downscale, like SAM 3's resize.
  const resized = await sharp(source, { raw: { width: image.width, height: image.height, channels: 3 } })
    .resize(geometry.contentWidth, geometry.contentHeight, { fit: "fill", kernel: "linear" })
    .raw()
    .toBuffer();
  // A copy of its own: libvips' buffer cannot be moved to another thread, this one can.
  return { pixels: new Uint8Array(resized), geometry };
}

/** [1, 3, size, size] float32 of the resized photo; letterbox padding is 0 after normalisation (the mean colour). */
export function normalise(
  pixels: Uint8Array,
  geometry: InputGeometry,
  manifest: Pick<Manifest, "mean" | "std">,
): Float32Array {
  const { size, contentWidth, contentHeight } = geometry;
  const plane = size * size;
  const data = new Float32Array(3 * plane);
  for (let c = 0; c < 3; c++) {
    const scale = 1 / (255 * (manifest.std[c] ?? 1));
    const offset = (manifest.mean[c] ?? 0) / (manifest.std[c] ?? 1);
    const base = c * plane;
    for (let y = 0; y < contentHeight; y++) {
      let src = y * contentWidth * 3 + c;
      let dst = base + y * size;
      for (let x = 0; x < contentWidth; x++, src += 3, dst++) {
        data[dst] = pixels[src]! * scale - offset;
      }
    }
  }
  return data;
}
