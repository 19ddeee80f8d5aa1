// Named tones: one curve per channel and a saturation factor, compiled to lookup tables.
import { TONES, type Tone } from "@s3/contract";
import { KIND_CHANNELS, KIND_CHANNELS_SATURATION, type CompiledEdit } from "./kernel/types";

/** Channel curves and a saturation factor per named tone. */
const TONE_CURVES: Record<Tone, { curve: (v: number, channel: number) => number; saturation: number }> = {
  warm: { curve: (v, c) => (c === 0 ? v * 1.08 + 6 : c === 1 ? v * 1.02 + 2 : v * 0.86), saturation: 1 },
  cool: { curve: (v, c) => (c === 0 ? v * 0.88 : c === 1 ? v * 0.99 + 2 : v * 1.08 + 8), saturation: 1 },
  bright: { curve: (v) => 255 * (v / 255) ** 0.75 + 6, saturation: 1 },
  dark: { curve: (v) => 255 * (v / 255) ** 1.35, saturation: 1 },
  matte: { curve: (v) => 24 + v * 0.8, saturation: 0.8 },
  vivid: { curve: (v) => 127.5 + (v - 127.5) * 1.1, saturation: 1.4 },
};

export function compileTone(value: string): CompiledEdit {
  const tone = TONE_CURVES[value as Tone];
  if (!tone) throw new Error(`unknown tone "${value}" (one of ${TONES.join(", ")})`);
  const lut = new Uint8Array(768);
  for (let c = 0; c < 3; c++)
    for (let v = 0; v < 256; v++) lut[c * 256 + v] = Math.max(0, Math.min(255, Math.round(tone.curve(v, c))));
  const saturation = Math.round(tone.saturation * 256);
  return { kind: saturation === 256 ? KIND_CHANNELS : KIND_CHANNELS_SATURATION, lut, saturation, tile: null };
}
