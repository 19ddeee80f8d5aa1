// Feathering: soft alpha over the first pixels inside an edited region.

/** Feather width at a mask border, inside the concept only: alpha by distance 1, 2, ≥3. */
const FEATHER_ALPHA = new Uint8Array([0, 85, 170, 255]);

/**
 * Soft edges: alpha ramps 85 → 170 → 255 over the first two pixels inside an edited
 * region (city-block distance to an unedited pixel). Unedited pixels keep alpha 0, so
 * protect and outside pixels stay bit-identical; the photo's own border is not an edge.
 * Written into `alpha` when given (it must be all zeros), else into a new array.
 */
export function featherAlpha(
  owner: Uint8Array,
  width: number,
  height: number,
  alpha: Uint8Array = new Uint8Array(width * height),
): Uint8Array {
  const n = width * height;
  const distance = new Uint8Array(n);
  const ownerWords = owner.byteOffset % 4 === 0 ? new Uint32Array(owner.buffer, owner.byteOffset, n >> 2) : null;
  // Forward: distance from the left and from above, capped at 3; unedited pixels stay 0.
  for (let y = 0; y < height; y++) {
    const rowEnd = (y + 1) * width;
    for (let p = y * width, x = 0; p < rowEnd; p++, x++) {
      if (ownerWords !== null && (p & 3) === 0 && p + 4 <= rowEnd && ownerWords[p >> 2] === 0) {
        p += 3;
        x += 3;
        continue;
      }
      if (owner[p] === 0) continue;
      let d = 3;
      if (x > 0 && distance[p - 1]! < 2) d = distance[p - 1]! + 1;
      if (y > 0 && distance[p - width]! + 1 < d) d = distance[p - width]! + 1;
      distance[p] = d;
    }
  }
  // Backward: from the right and from below, writing distance → alpha.
  for (let y = height - 1; y >= 0; y--) {
    const rowStart = y * width;
    for (let p = rowStart + width - 1, x = width - 1; p >= rowStart; p--, x--) {
      let d = distance[p]!;
      if (d === 0) continue;
      if (x < width - 1 && distance[p + 1]! + 1 < d) d = distance[p + 1]! + 1;
      if (y < height - 1 && distance[p + width]! + 1 < d) d = distance[p + width]! + 1;
      distance[p] = d;
      alpha[p] = FEATHER_ALPHA[d]!;
    }
  }
  return alpha;
}
