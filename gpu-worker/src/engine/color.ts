// sRGB ⇄ OKLab, the space where "keep lightness, change hue and chroma" is one line.
import { linearToSrgb, srgbToLinear } from "@s3/contract";

export type Lab = [number, number, number];

/** OKLab of an 8-bit sRGB colour; L in [0, 1]. */
export function rgbToOklab(r: number, g: number, b: number): Lab {
  return linearToOklab(srgbToLinear(r), srgbToLinear(g), srgbToLinear(b));
}

export function linearToOklab(lr: number, lg: number, lb: number): Lab {
  const l = Math.cbrt(0.4122214708 * lr + 0.5363325363 * lg + 0.0514459929 * lb);
  const m = Math.cbrt(0.2119034982 * lr + 0.6806995451 * lg + 0.1073969566 * lb);
  const s = Math.cbrt(0.0883024619 * lr + 0.2817188376 * lg + 0.6299787005 * lb);
  return [
    0.2104542553 * l + 0.793617785 * m - 0.0040720468 * s,
    1.9779984951 * l - 2.428592205 * m + 0.4505937099 * s,
    0.0259040371 * l + 0.7827717662 * m - 0.808675766 * s,
  ];
}

function oklabToLinear(L: number, a: number, b: number): [number, number, number] {
  const l = (L + 0.3963377774 * a + 0.2158037573 * b) ** 3;
  const m = (L - 0.1055613458 * a - 0.0638541728 * b) ** 3;
  const s = (L - 0.0894841775 * a - 1.291485548 * b) ** 3;
  return [
    4.0767416621 * l - 3.3077115913 * m + 0.2309699292 * s,
    -1.2684380046 * l + 2.6097574011 * m - 0.3413193965 * s,
    -0.0041960863 * l - 0.7034186147 * m + 1.707614701 * s,
  ];
}

/**
 * 8-bit sRGB of an OKLab colour. Out-of-gamut colours lose chroma (hue and lightness
 * kept) until they fit, rather than being clipped per channel, which would shift hue.
 */
export function oklabToRgb(L: number, a: number, b: number): [number, number, number] {
  const lightness = Math.max(0, Math.min(1, L));
  let scale = 1;
  for (let step = 0; step < 24; step++) {
    const [r, g, bl] = oklabToLinear(lightness, a * scale, b * scale);
    if (Math.min(r, g, bl) >= -1e-4 && Math.max(r, g, bl) <= 1 + 1e-4)
      return [linearToSrgb(r), linearToSrgb(g), linearToSrgb(bl)];
    scale *= 0.85;
  }
  const [r, g, bl] = oklabToLinear(lightness, 0, 0);
  return [linearToSrgb(r), linearToSrgb(g), linearToSrgb(bl)];
}
