// The body of a render pool thread: one task at a time, its output files moved back by transfer.
import { parentPort } from "node:worker_threads";
import sharp from "sharp";
import { ItemError } from "./errors";
import { renderItem } from "./render-item";
import { decodeInput } from "./image";
import type { RenderReply, RenderRequest } from "./render-pool";

if (!parentPort) throw new Error("render-thread.ts runs only as a worker thread (render-pool.ts)");
const port = parentPort;
// libvips' thread count is process-wide, and image.ts sets it per core when it loads: the pool is the parallelism.
sharp.concurrency(1);

/**
 * A body the main thread can take by transfer: libvips' output buffers cannot be detached,
 * so they are copied here, off the main thread.
 */
function movable(body: Uint8Array): Uint8Array {
  return Buffer.isBuffer(body) || body.byteOffset !== 0 || body.byteLength !== body.buffer.byteLength
    ? new Uint8Array(body)
    : body;
}

port.on("message", async (request: RenderRequest) => {
  const { id } = request;
  let reply: RenderReply;
  try {
    if (request.kind === "decode") reply = { id, image: await decodeInput(request.bytes, request.maxPixels) };
    else {
      const { files, report } = await renderItem(request.task);
      reply = { id, rendered: { files: files.map((file) => ({ ...file, body: movable(file.body) })), report } };
    }
  } catch (error) {
    reply = {
      id,
      error: {
        code: error instanceof ItemError ? error.code : null,
        message: String((error as Error)?.message ?? error),
      },
    };
  }
  const transfers =
    "rendered" in reply
      ? [...new Set(reply.rendered.files.map((file) => file.body.buffer as ArrayBuffer))]
      : "image" in reply
        ? [reply.image.data.buffer as ArrayBuffer]
        : [];
  port.postMessage(reply, transfers);
});
// Loaded: the pool's ready() waits for this from every thread (the worker's start).
port.postMessage({ ready: true } satisfies RenderReply);
