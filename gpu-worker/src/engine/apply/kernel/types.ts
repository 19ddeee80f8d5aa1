// What the per-pixel kernels (js.ts, apply.wat through wasm.ts) read about each edit.

/** How a kernel reads an edit's tables; apply.wat uses the same numbers. */
export const KIND_LUMA = 0,
  KIND_CHANNELS = 1,
  KIND_CHANNELS_SATURATION = 2,
  KIND_TEXTURE = 3;

/** A compiled edit: 3 × 256 lookup tables plus, for textures, the material tile. */
export interface CompiledEdit {
  kind: number;
  /** recolor: luma → r, g, b. tone: one curve per channel. texture: luma → lighting factor ×128. */
  lut: Uint8Array;
  /** tone only: saturation factor ×256. */
  saturation: number;
  /** texture only: the TILE × TILE RGB material tile. */
  tile: Uint8Array | null;
}

/** recolor's three curves packed as r | g << 8 | b << 16: one load per pixel instead of three. */
export function packedLumaTable(lut: Uint8Array): Int32Array {
  return Int32Array.from({ length: 256 }, (_, y) => lut[y]! | (lut[256 + y]! << 8) | (lut[512 + y]! << 16));
}
