// CIEDE2000 from a recolor's target to the colour the edited region came out (docs/reports.md).
import { converter, differenceCiede2000 } from "culori";

const toLab = converter("lab65");
const ciede2000 = differenceCiede2000();

function lab([r, g, b]: readonly [number, number, number]) {
  return toLab({ mode: "rgb", r: r / 255, g: g / 255, b: b / 255 });
}

/**
 * ΔE2000 between the target and the region's median colour, the target taken at the region's own
 * lightness: a recolor keeps the photo's shading, so only hue and chroma are the edit's to match.
 */
export function deltaEAtOwnLightness(
  target: readonly [number, number, number],
  median: readonly [number, number, number],
): number {
  const region = lab(median);
  const wanted = { ...lab(target), l: region.l };
  return Math.round(ciede2000(wanted, region) * 100) / 100;
}
