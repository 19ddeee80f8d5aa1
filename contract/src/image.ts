// Pixel shapes both sides of the GPU boundary agree on: photos decoded for the engine, and the
// boxes written to each item's instances JSON.

/** Interleaved 8-bit RGB, row-major, `data.length === width * height * 3`. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** [x, y, width, height] in pixels. */
export type Bbox = [number, number, number, number];
