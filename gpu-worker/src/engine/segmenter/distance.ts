// The cpu stand-in's colour distance, shared by its clustering (cpu.ts) and its hint growing (cpu-hints.ts).
import type { Lab } from "../color";

/** Chroma counts double: shading moves lightness, so hue differences are the safer signal. */
export const CHROMA_WEIGHT = 2;

/** OKLab distance ×100 with chroma weighted by CHROMA_WEIGHT. */
export function weightedDistance(p: Lab, q: Lab): number {
  const dl = p[0] - q[0],
    da = CHROMA_WEIGHT * (p[1] - q[1]),
    db = CHROMA_WEIGHT * (p[2] - q[2]);
  return 100 * Math.sqrt(dl * dl + da * da + db * db);
}
