// Protect proven (docs/reports.md): the protect pixels of the input and of the output, hashed in
// raster order, and the count of those that differ. The watermark box is left out of both.
import { createHash } from "node:crypto";
import type { Bbox } from "@s3/contract";

export interface ProtectProof {
  sha256: { input: string; output: string };
  changed: number;
}

const view = (data: Uint8Array, from: number, to: number) =>
  Buffer.from(data.buffer, data.byteOffset + from * 3, (to - from) * 3);

/** Pixels in [from, to) whose RGB differs between the two photos. */
function differing(input: Uint8Array, output: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let q = from * 3; q < to * 3; q += 3)
    if (input[q] !== output[q] || input[q + 1] !== output[q + 1] || input[q + 2] !== output[q + 2]) n++;
  return n;
}

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
  // A run of protect pixels [from, to) (photo indices, one row) goes to both hashes as it lies in memory.
  const take = (from: number, to: number) => {
    if (from >= to) return;
    const a = view(input, from, to),
      b = view(output, from, to);
    inputHash.update(a);
    outputHash.update(b);
    if (!a.equals(b)) changed += differing(input, output, from, to);
  };
  if (protect?.bbox) {
    const [x0, y0, w, h] = protect.bbox;
    const [ex, ey, ew, eh] = excluded ?? [0, 0, 0, 0];
    const { mask } = protect;
    // Empty stretches of the mask are skipped four bytes at a time.
    const words = mask.byteOffset % 4 === 0 ? new Uint32Array(mask.buffer, mask.byteOffset, mask.length >> 2) : null;
    for (let y = y0; y < y0 + h; y++) {
      const row = y * width;
      const end = row + x0 + w;
      const cut = y >= ey && y < ey + eh ? [row + ex, row + ex + ew] : null;
      let p = row + x0;
      while (p < end) {
        if (words !== null && (p & 3) === 0 && p + 4 <= end && words[p >> 2] === 0) {
          p += 4;
          continue;
        }
        if (mask[p] === 0) {
          p++;
          continue;
        }
        let runEnd = p + 1;
        while (runEnd < end && mask[runEnd] !== 0) runEnd++;
        if (cut) {
          take(p, Math.min(runEnd, cut[0]!));
          take(Math.max(p, cut[1]!), runEnd);
        } else take(p, runEnd);
        p = runEnd;
      }
    }
  }
  return { sha256: { input: inputHash.digest("hex"), output: outputHash.digest("hex") }, changed };
}
