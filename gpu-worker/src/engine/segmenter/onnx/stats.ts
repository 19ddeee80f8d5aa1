// Apart from engine.ts so the main thread can count without loading onnxruntime-node.
import type { OnnxStats } from "./engine";

/** Every stage at zero: the engine's counters at start, and the main thread's copy before the first answer. */
export const emptyStats = (): OnnxStats => ({
  imageEncoder: { runs: 0, ms: 0 },
  textEncoder: { runs: 0, ms: 0 },
  maskDecoder: { runs: 0, ms: 0 },
  preprocess: { runs: 0, ms: 0 },
  postprocess: { runs: 0, ms: 0 },
  decoderOutputBytes: 0,
});
