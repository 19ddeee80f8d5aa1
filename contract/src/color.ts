// sRGB ⇄ linear light and hex colours: the colour maths the palettes, the engine and the
// generated test scenes share.

const SRGB_TO_LINEAR = new Float32Array(256);
for (let v = 0; v < 256; v++) {
  const c = v / 255;
  SRGB_TO_LINEAR[v] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** Linear light of an sRGB value in [0, 255]; fractional values are computed exactly. */
export function srgbToLinear(v: number): number {
  const tabled = SRGB_TO_LINEAR[v];
  if (tabled !== undefined) return tabled;
  const c = Math.max(0, Math.min(255, v)) / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

export function linearToSrgb(c: number): number {
  const v = c <= 0.0031308 ? 12.92 * c : 1.055 * c ** (1 / 2.4) - 0.055;
  return Math.max(0, Math.min(255, Math.round(v * 255)));
}

/** "#rrggbb" → [r, g, b] in [0, 255]. */
export function hexToRgb(hex: string): [number, number, number] {
  return [1, 3, 5].map((at) => Number.parseInt(hex.slice(at, at + 2), 16)) as [number, number, number];
}
