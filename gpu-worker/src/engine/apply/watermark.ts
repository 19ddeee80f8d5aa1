// The preview watermark: "S3 PREVIEW" in a 5×7 bitmap font on a darkened box, bottom right.
// Its text and box are contract facts (@s3/contract), checked by the e2e suite.
import { WATERMARK_TEXT, watermarkRegion } from "@s3/contract";

// A 5×7 bitmap font for the watermark text, one string of 35 bits per glyph.
const GLYPHS: Record<string, string> = {
  S: "01111100001000001110000010000111110",
  "3": "11110000010000101110000010000111110",
  P: "11110100011000111110100001000010000",
  R: "11110100011000111110101001001010001",
  E: "11111100001000011110100001000011111",
  V: "10001100011000110001100010101000100",
  I: "01110001000010000100001000010001110",
  W: "10001100011000110101101011010101010",
  " ": "00000000000000000000000000000000000",
};
/** A visible watermark: the box darkened to 60%, the text in near-white on it. */
export function drawWatermark(out: Uint8Array, width: number, height: number): void {
  const box = watermarkRegion(width, height);
  const columns = WATERMARK_TEXT.length * 6 - 1;
  const scale = Math.max(1, Math.floor((width * 0.25) / columns));
  const pad = 2 * scale;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const q = (y * width + x) * 3;
      const gx = Math.floor((x - box.x - pad) / scale),
        gy = Math.floor((y - box.y - pad) / scale);
      const glyph = GLYPHS[WATERMARK_TEXT[Math.floor(gx / 6)] ?? " "] ?? GLYPHS[" "]!;
      const ink = gx >= 0 && gy >= 0 && gy < 7 && gx % 6 < 5 && glyph[gy * 5 + (gx % 6)] === "1";
      for (let c = 0; c < 3; c++) out[q + c] = ink ? 230 + ((out[q + c]! * 25) >> 8) : (out[q + c]! * 153) >> 8;
    }
  }
}
