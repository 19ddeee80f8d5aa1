// Phase B off the main thread (docs/gpu-worker.md): a fixed pool of worker threads, one item at a
// time each, so the main thread only schedules and does I/O. node:worker_threads rather than a pool
// library: the pool needs only FIFO dispatch, transfer lists both ways and respawn after a crash.
import os from "node:os";
import { Worker } from "node:worker_threads";
import type { ItemErrorCode, RgbImage } from "@s3/contract";
import sharp from "sharp";
import { ItemError } from "./errors";
import { finishItem, type FinishedItem, type FinishTask } from "./finish";
import { decodeInput } from "./image";

/** Runs one item's Phase B (finish.ts), and its decode, somewhere: on a pool thread, or inline. */
export interface PhaseB {
  run(task: FinishTask): Promise<FinishedItem>;
  /** decodeInput off the main thread: its one copy out of libvips' memory is not the main thread's. */
  decode(bytes: Uint8Array, maxPixels: number): Promise<RgbImage>;
  /** Threads that run Phase B; 0 when it runs on the calling thread. */
  readonly threads: number;
  close(): Promise<void>;
}

/** What a pool thread answers for one task. */
export type PhaseBReply =
  | { id: number; finished: FinishedItem }
  | { id: number; image: RgbImage }
  | { id: number; error: { code: ItemErrorCode | null; message: string } };

/** What the main thread asks of a pool thread. */
export type PhaseBRequest =
  | { id: number; kind: "finish"; task: FinishTask }
  | { id: number; kind: "decode"; bytes: Uint8Array; maxPixels: number };

/** Phase B on the calling thread: tests, and PHASE_B_THREADS=0. */
export function inlinePhaseB(): PhaseB {
  return { run: finishItem, decode: decodeInput, threads: 0, close: async () => {} };
}

/** The task's buffers that move to the pool thread with it (each listed once). */
export function taskTransfers(task: FinishTask): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>([task.image.data.buffer as ArrayBuffer]);
  for (const list of task.instances.values())
    for (const instance of list) buffers.add(instance.mask.buffer as ArrayBuffer);
  return [...buffers];
}

type Job = { kind: "finish"; task: FinishTask } | { kind: "decode"; bytes: Uint8Array; maxPixels: number };

interface Pending {
  job: Job;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Thread {
  worker: Worker;
  busy: { id: number; pending: Pending } | null;
}

const ENTRY = new URL("./phase-b.thread.mjs", import.meta.url);

/** `threads` pool threads (≥ 1); sharp is set to one libvips thread per operation, the pool being the parallelism. */
export function createPhaseBPool(threads: number = os.availableParallelism()): PhaseB {
  sharp.concurrency(1);
  // Decodes go first: they feed the segmenter (the GPU), which must never wait behind Phase B.
  const decodes: Pending[] = [];
  const finishes: Pending[] = [];
  const pool: Thread[] = [];
  let nextId = 1;
  let closed = false;

  function spawn(): Thread {
    const thread: Thread = { worker: new Worker(ENTRY), busy: null };
    thread.worker.unref();
    thread.worker.on("message", (reply: PhaseBReply) => {
      const busy = thread.busy;
      if (!busy || busy.id !== reply.id) return;
      thread.busy = null;
      if ("finished" in reply) busy.pending.resolve(reply.finished);
      else if ("image" in reply) busy.pending.resolve(reply.image);
      else
        busy.pending.reject(
          reply.error.code ? new ItemError(reply.error.code, reply.error.message) : new Error(reply.error.message),
        );
      dispatch();
    });
    // A thread that dies (out of memory, a crash in libvips) fails its item, and a new one takes its place.
    thread.worker.on("error", (error) => retire(thread, error));
    thread.worker.on("exit", (code) => retire(thread, new Error(`Phase B thread exited with code ${code}`)));
    return thread;
  }

  function retire(thread: Thread, error: unknown): void {
    const at = pool.indexOf(thread);
    if (at === -1) return;
    pool.splice(at, 1);
    thread.busy?.pending.reject(new ItemError("INTERNAL", `Phase B thread failed: ${String(error)}`));
    thread.busy = null;
    if (!closed) {
      pool.push(spawn());
      dispatch();
    }
  }

  function dispatch(): void {
    for (const thread of pool) {
      if (thread.busy) continue;
      const pending = decodes.shift() ?? finishes.shift();
      if (!pending) break;
      const id = nextId++;
      thread.busy = { id, pending };
      thread.worker.ref();
      const { job } = pending;
      try {
        // The input bytes are cloned (they are small and may share a buffer); pixels and masks move.
        if (job.kind === "decode") thread.worker.postMessage({ id, ...job } satisfies PhaseBRequest);
        else thread.worker.postMessage({ id, ...job } satisfies PhaseBRequest, taskTransfers(job.task));
      } catch (error) {
        thread.busy = null;
        pending.reject(new ItemError("INTERNAL", `Phase B task could not be sent: ${String(error)}`));
      }
    }
    // An idle pool does not keep the process alive.
    for (const thread of pool) if (!thread.busy) thread.worker.unref();
  }

  function submit<T>(job: Job): Promise<T> {
    if (closed) return Promise.reject(new ItemError("INTERNAL", "Phase B pool is closed"));
    return new Promise<T>((resolve, reject) => {
      (job.kind === "decode" ? decodes : finishes).push({ job, resolve: resolve as (value: unknown) => void, reject });
      dispatch();
    });
  }

  for (let i = 0; i < Math.max(1, threads); i++) pool.push(spawn());
  return {
    threads: pool.length,
    run: (task) => submit<FinishedItem>({ kind: "finish", task }),
    decode: (bytes, maxPixels) => submit<RgbImage>({ kind: "decode", bytes, maxPixels }),
    async close() {
      closed = true;
      const threads = pool.splice(0);
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
    },
  };
}
