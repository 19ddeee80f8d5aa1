// The render step off the main thread (docs/gpu-worker.md): a fixed pool of worker threads, one item at a
// time each, so the main thread only schedules and does I/O. node:worker_threads rather than a pool
// library: the pool needs only FIFO dispatch, transfer lists both ways and respawn after a crash.
import os from "node:os";
import { Worker } from "node:worker_threads";
import type { ItemErrorCode, RgbImage } from "@s3/contract";
import sharp from "sharp";
import { ItemError } from "./errors";
import { renderItem, type RenderedItem, type RenderTask } from "./render-item";
import { decodeInput } from "./image";

/** Runs one item's render step (render-item.ts), and its decode, somewhere: on a pool thread, or inline. */
export interface RenderPool {
  run(task: RenderTask): Promise<RenderedItem>;
  /** decodeInput off the main thread: its one copy out of libvips' memory is not the main thread's. */
  decode(bytes: Uint8Array, maxPixels: number): Promise<RgbImage>;
  /** Threads that run the render step; 0 when it runs on the calling thread. */
  readonly threads: number;
  /** Resolves once every thread has loaded its code; rejects with the reason one could not (the worker's start). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

/** What a pool thread answers for one task. */
export type RenderReply =
  | { ready: true }
  | { id: number; rendered: RenderedItem }
  | { id: number; image: RgbImage }
  | { id: number; error: { code: ItemErrorCode | null; message: string } };

/** What the main thread asks of a pool thread. */
export type RenderRequest =
  | { id: number; kind: "render"; task: RenderTask }
  | { id: number; kind: "decode"; bytes: Uint8Array; maxPixels: number };

/** The render step on the calling thread: tests, and RENDER_THREADS=0. */
export function inlineRenderPool(): RenderPool {
  return { run: renderItem, decode: decodeInput, threads: 0, ready: async () => {}, close: async () => {} };
}

/** The task's buffers that move to the pool thread with it (each listed once). */
export function taskTransfers(task: RenderTask): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>([task.image.data.buffer as ArrayBuffer]);
  for (const list of task.instances.values())
    for (const instance of list) buffers.add(instance.mask.buffer as ArrayBuffer);
  return [...buffers];
}

type Job = { kind: "render"; task: RenderTask } | { kind: "decode"; bytes: Uint8Array; maxPixels: number };

interface Pending {
  job: Job;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Thread {
  worker: Worker;
  busy: { id: number; pending: Pending } | null;
  /** Its code has loaded (the thread said so). */
  started: boolean;
  /** Settles when it has loaded, or failed to. */
  up: Promise<void>;
  settleUp: (error?: Error) => void;
}

const ENTRY = new URL("./render-thread-entry.mjs", import.meta.url);
const LOADER_FLAGS = new Set(["--import", "--require", "-r", "--loader", "--experimental-loader"]);
const TSX = /(^|[\\/])tsx([\\/]|$)/;

/**
 * A pool thread's own execArgv: of the main thread's flags, only the TypeScript loader (tsx, as the
 * tsx CLI, `node --import tsx` or the images' `--import …/tsx/dist/loader.mjs` give it). Nothing
 * else is inherited: a process-level preload (docker/loopback-forward.mjs), an inspector port, or
 * any flag meant for the process would run again per thread. With no loader here (vitest), the
 * thread's entry registers tsx itself.
 */
export function threadExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let at = 0; at < execArgv.length; at++) {
    const arg = execArgv[at]!;
    const eq = arg.indexOf("=");
    const [flag, value] = eq > 0 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined];
    if (!LOADER_FLAGS.has(flag)) continue;
    const loader = value ?? execArgv[++at];
    if (loader !== undefined && TSX.test(loader)) kept.push(flag, loader);
  }
  return kept;
}

/** `threads` pool threads (≥ 1); sharp is set to one libvips thread per operation, the pool being the parallelism. */
export function createRenderPool(threads: number = os.availableParallelism(), entry: URL = ENTRY): RenderPool {
  sharp.concurrency(1);
  // Decodes go first: they feed the segmenter (the GPU), which must never wait behind the render step.
  const decodes: Pending[] = [];
  const renders: Pending[] = [];
  const pool: Thread[] = [];
  let nextId = 1;
  let closed = false;
  /** Why a thread could not start, once one could not: the pool is then broken (tasks fail), not respawned. */
  let startFailure: Error | null = null;
  let warmed: Promise<void> | null = null;
  const execArgv = threadExecArgv();

  function spawn(): Thread {
    let settleUp: Thread["settleUp"] = () => {};
    const up = new Promise<void>((resolve, reject) => {
      settleUp = (error) => (error ? reject(error) : resolve());
    });
    // Awaited by ready() only; a later respawn that fails is reported through the items instead.
    up.catch(() => {});
    const worker = new Worker(entry, { execArgv });
    const thread: Thread = { worker, busy: null, started: false, up, settleUp };
    thread.worker.unref();
    thread.worker.on("message", (reply: RenderReply) => {
      if ("ready" in reply) {
        thread.started = true;
        thread.settleUp();
        return;
      }
      const busy = thread.busy;
      if (!busy || busy.id !== reply.id) return;
      thread.busy = null;
      if ("rendered" in reply) busy.pending.resolve(reply.rendered);
      else if ("image" in reply) busy.pending.resolve(reply.image);
      else
        busy.pending.reject(
          reply.error.code ? new ItemError(reply.error.code, reply.error.message) : new Error(reply.error.message),
        );
      dispatch();
    });
    // A thread that dies (out of memory, a crash in libvips) fails its item, and a new one takes its place.
    thread.worker.on("error", (error) => retire(thread, error));
    thread.worker.on("exit", (code) => retire(thread, new Error(`render thread exited with code ${code}`)));
    return thread;
  }

  function retire(thread: Thread, error: unknown): void {
    const at = pool.indexOf(thread);
    if (at === -1) return;
    pool.splice(at, 1);
    thread.busy?.pending.reject(new ItemError("INTERNAL", `render thread failed: ${String(error)}`));
    thread.busy = null;
    if (closed) return;
    // A thread that dies before its code loads would die again: no respawn loop, the pool fails loudly.
    if (!thread.started) {
      startFailure ??= new Error(`a render thread could not start: ${String(error)}`);
      thread.settleUp(startFailure);
      for (const pending of [...decodes.splice(0), ...renders.splice(0)]) pending.reject(broken(startFailure));
      return;
    }
    pool.push(spawn());
    dispatch();
  }

  // The render pool's earlier name stays in this one message: items' errors and the tests match it.
  const broken = (failure: Error) => new ItemError("INTERNAL", `Phase B pool is broken: ${failure.message}`);

  function dispatch(): void {
    for (const thread of pool) {
      if (thread.busy) continue;
      const pending = decodes.shift() ?? renders.shift();
      if (!pending) break;
      const id = nextId++;
      thread.busy = { id, pending };
      thread.worker.ref();
      const { job } = pending;
      try {
        // The input bytes are cloned (they are small and may share a buffer); pixels and masks move.
        if (job.kind === "decode") thread.worker.postMessage({ id, ...job } satisfies RenderRequest);
        else thread.worker.postMessage({ id, ...job } satisfies RenderRequest, taskTransfers(job.task));
      } catch (error) {
        thread.busy = null;
        pending.reject(new ItemError("INTERNAL", `render task could not be sent: ${String(error)}`));
      }
    }
    // An idle pool does not keep the process alive.
    for (const thread of pool) if (!thread.busy) thread.worker.unref();
  }

  function submit<T>(job: Job): Promise<T> {
    if (closed) return Promise.reject(new ItemError("INTERNAL", "render pool is closed"));
    if (startFailure) return Promise.reject(broken(startFailure));
    return new Promise<T>((resolve, reject) => {
      (job.kind === "decode" ? decodes : renders).push({ job, resolve: resolve as (value: unknown) => void, reject });
      dispatch();
    });
  }

  for (let i = 0; i < Math.max(1, threads); i++) pool.push(spawn());
  return {
    threads: pool.length,
    run: (task) => submit<RenderedItem>({ kind: "render", task }),
    decode: (bytes, maxPixels) => submit<RgbImage>({ kind: "decode", bytes, maxPixels }),
    ready() {
      warmed ??= Promise.all(pool.map((thread) => thread.up)).then(() => {});
      return warmed;
    },
    async close() {
      closed = true;
      const threads = pool.splice(0);
      await Promise.all(threads.map((thread) => thread.worker.terminate()));
    },
  };
}
