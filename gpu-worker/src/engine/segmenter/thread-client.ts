// The main thread's side of the segmenter thread (thread.ts): requests in order, replies matched
// by id, buffers moved rather than copied both ways. The thread gets its own execArgv: the
// TypeScript loader when the main thread has one, and none of the process's other preloads
// (docker/loopback-forward.mjs patches the main thread's networking, which this thread has none of).
import { Worker } from "node:worker_threads";
import type { ThreadReply, ThreadRequest } from "./thread";

type Request = ThreadRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never;

export interface SegmenterThread {
  call<T>(request: Request, transfer?: ArrayBuffer[]): Promise<{ value: T; stats: unknown }>;
  /** Ends the thread; pending calls are refused. */
  terminate(): Promise<void>;
}

const ENTRY = new URL("./segmenter.thread.mjs", import.meta.url);
const LOADER_FLAGS = new Set(["--import", "--require", "-r", "--loader", "--experimental-loader"]);

/** The main thread's TypeScript loader flags (tsx's CLI and Docker's `--import …/tsx/…`), nothing else. */
export function loaderExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const [flag, inline] = arg.split(/=(.*)/s, 2) as [string, string | undefined];
    if (!LOADER_FLAGS.has(flag)) continue;
    const value = inline ?? execArgv[i + 1];
    if (inline === undefined) i++;
    if (value?.includes("tsx")) kept.push(flag, value);
  }
  return kept;
}

export function startSegmenterThread(): SegmenterThread {
  const worker = new Worker(ENTRY, { execArgv: loaderExecArgv() });
  worker.unref();
  const pending = new Map<
    number,
    { resolve: (reply: ThreadReply & { ok: true }) => void; reject: (e: Error) => void }
  >();
  let nextId = 1;
  let stopped: Error | null = null;

  const fail = (error: Error) => {
    stopped ??= error;
    for (const { reject } of pending.values()) reject(stopped);
    pending.clear();
    worker.unref();
  };
  worker.on("error", (error) => fail(new Error(`the segmenter thread failed: ${error.message}`, { cause: error })));
  worker.on("exit", (code) => fail(new Error(`the segmenter thread stopped (exit ${code})`)));
  worker.on("message", (reply: ThreadReply) => {
    const waiting = pending.get(reply.id);
    if (!waiting) return;
    pending.delete(reply.id);
    // Held while a request is out, so an awaiting caller keeps the process alive; idle, it lets it exit.
    if (pending.size === 0) worker.unref();
    if (reply.ok) waiting.resolve(reply);
    else waiting.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
  });

  return {
    call<T>(request: Request, transfer: ArrayBuffer[] = []) {
      if (stopped) return Promise.reject(stopped);
      const id = nextId++;
      return new Promise<{ value: T; stats: unknown }>((resolve, reject) => {
        pending.set(id, { resolve: (reply) => resolve({ value: reply.value as T, stats: reply.stats }), reject });
        worker.ref();
        worker.postMessage({ ...request, id }, transfer);
      });
    },
    async terminate() {
      fail(new Error("the segmenter is closed"));
      await worker.terminate();
    },
  };
}
