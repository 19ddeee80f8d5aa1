// The segmenter thread (docs/gpu-worker.md, "Segmenter thread"): the one thread that holds the
// model sessions, or the sim's simulated device and its masks, so that a run that holds its thread for
// the whole graph never holds the main thread's event loop. One request at a time, in order, as
// one device stream runs them.
import { parentPort } from "node:worker_threads";
import type { Engine, EngineOptions, SegmentInput } from "./onnx/engine";
import { simMasks, type SimMasksRequest } from "./sim-masks";
import type { ConceptMasks } from "./types";

export type ThreadRequest =
  | { id: number; kind: "open-onnx"; options: EngineOptions }
  | { id: number; kind: "prepare"; concepts: readonly string[] }
  | { id: number; kind: "segment"; job: number; input: SegmentInput }
  | { id: number; kind: "drop"; job: number }
  | { id: number; kind: "sim-masks"; blockMs: number; masks: SimMasksRequest }
  | { id: number; kind: "close" };

export type ThreadReply =
  | { id: number; ok: true; value: unknown; stats: Engine["stats"] | null }
  | { id: number; ok: false; error: { name: string; message: string } };

const port = parentPort!;
let engine: Engine | null = null;
/** Blocks this thread as a synchronous binding call does: no timer, no event loop turn. */
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function masksTransfers(masks: ConceptMasks): ArrayBuffer[] {
  return [...masks.values()].flatMap((list) => list.map((instance) => instance.mask.buffer as ArrayBuffer));
}

async function handle(request: ThreadRequest): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  switch (request.kind) {
    case "open-onnx": {
      const { openEngine } = await import("./onnx/engine");
      engine = await openEngine(request.options);
      return { value: engine.info, transfer: [] };
    }
    case "prepare":
      return { value: await engine!.prepareJob(request.concepts), transfer: [] };
    case "segment": {
      const masks = await engine!.segment(request.job, request.input);
      return { value: masks, transfer: masksTransfers(masks) };
    }
    case "drop":
      engine?.dropJob(request.job);
      return { value: null, transfer: [] };
    case "sim-masks": {
      // The blocking sim's device time first, as a synchronous run() holds the thread; then its masks.
      if (request.blockMs > 0) Atomics.wait(sleeper, 0, 0, request.blockMs);
      const masks = simMasks(request.masks);
      return { value: masks, transfer: masksTransfers(masks) };
    }
    case "close":
      await engine?.close();
      engine = null;
      return { value: null, transfer: [] };
  }
}

let queue = Promise.resolve();
port.on("message", (request: ThreadRequest) => {
  queue = queue.then(async () => {
    try {
      const { value, transfer } = await handle(request);
      const reply: ThreadReply = { id: request.id, ok: true, value, stats: engine ? engine.stats : null };
      port.postMessage(reply, transfer);
    } catch (error) {
      const { name, message } = error as Error;
      const reply: ThreadReply = { id: request.id, ok: false, error: { name, message: message ?? String(error) } };
      port.postMessage(reply);
    }
  });
});
