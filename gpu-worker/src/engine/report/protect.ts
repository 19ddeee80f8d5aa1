// Protect proven (docs/reports.md): the protect pixels of the input and of the output, hashed in
// raster order, and the count of those that differ. The watermark box is left out of both.
import { createHash } from "node:crypto";
import type { Bbox } from "@s3/contract";

export interface ProtectProof {
  sha256: { input: string; output: string };
  changed: number;
}

/** Pixels gathered before each hash update: bounded memory whatever the mask's size. */
const CHUNK_PIXELS = 16_384;

export function protectProof(
  input: Uint8Array,
  output: Uint8Array,
  width: number,
  protect: { mask: Uint8Array; bbox: Bbox | null } | null,
  excluded: Bbox | null,
): ProtectProof {
  const inputHash = createHash("sha256"),
    outputHash = createHash("sha256");
  let changed = 0;
  if (protect?.bbox) {
    const [x0, y0, w, h] = protect.bbox;
    const [ex, ey, ew, eh] = excluded ?? [0, 0, 0, 0];
    const inChunk = new Uint8Array(CHUNK_PIXELS * 3),
      outChunk = new Uint8Array(CHUNK_PIXELS * 3);
    let n = 0;
    const flush = () => {
      inputHash.update(inChunk.subarray(0, n));
      outputHash.update(outChunk.subarray(0, n));
      n = 0;
    };
    const { mask } = protect;
    for (let y = y0; y < y0 + h; y++) {
      const excludedRow = y >= ey && y < ey + eh;
      for (let x = x0, p = y * width + x0; x < x0 + w; x++, p++) {
        if (mask[p] === 0 || (excludedRow && x >= ex && x < ex + ew)) continue;
        const q = p * 3;
        const r = input[q]!,
          g = input[q + 1]!,
          b = input[q + 2]!;
        const R = output[q]!,
          G = output[q + 1]!,
          B = output[q + 2]!;
        if (r !== R || g !== G || b !== B) changed++;
        inChunk[n] = r;
        inChunk[n + 1] = g;
        inChunk[n + 2] = b;
        outChunk[n] = R;
        outChunk[n + 1] = G;
        outChunk[n + 2] = B;
        n += 3;
        if (n === inChunk.length) flush();
      }
    }
    flush();
  }
  return { sha256: { input: inputHash.digest("hex"), output: outputHash.digest("hex") }, changed };
}
