// The onnx stages' counters, apart from engine.ts so the main thread can count without loading onnxruntime-node.
export interface StageStats {
  runs: number;
  ms: number;
}

/** Session runs and time per stage since start; read by the device check and tests. */
export interface OnnxStats {
  imageEncoder: StageStats;
  textEncoder: StageStats;
  maskDecoder: StageStats;
  /** Resize (main thread) + normalise (segmenter thread), and threshold + upsample, in JS. */
  preprocess: StageStats;
  postprocess: StageStats;
  /** Bytes of decoder outputs copied out of the runtime (from the device, with CUDA). */
  decoderOutputBytes: number;
}

/** Every stage at zero: the engine's counters at start, and the main thread's copy before the first answer. */
export const emptyStats = (): OnnxStats => ({
  imageEncoder: { runs: 0, ms: 0 },
  textEncoder: { runs: 0, ms: 0 },
  maskDecoder: { runs: 0, ms: 0 },
  preprocess: { runs: 0, ms: 0 },
  postprocess: { runs: 0, ms: 0 },
  decoderOutputBytes: 0,
});
