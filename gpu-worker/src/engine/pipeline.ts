// One queue message (a job) → every item segmented, edited, uploaded and reported.
// Items run with a per-job limit (the message's batch_concurrency capped by
// BATCH_CONCURRENCY) and share BATCH_CONCURRENCY slots with other jobs' items.
import type { Logger } from "pino";
import {
  findPreset,
  foreignItemKey,
  isScanMessage,
  knownConceptNames,
  type CallbackBody,
  type CallbackInput,
  type QueueItem,
  type QueueMessage,
  type RgbImage,
} from "@s3/contract";
import type { CallbackResult, CallbackSender } from "./callback";
import { doneBody, failedBody, scannedBody } from "./callback-bodies";
import { ItemError } from "./errors";
import { inspectInput } from "./image";
import { scanReport } from "./report";
import { inlineRenderPool, type RenderPool } from "./render-pool";
import { PixelBudget } from "./pixel-budget";
import type { ItemContext, ItemDone, ItemStage } from "./item-stage";
import { cacheSegmenterVersion, createMaskCache, type MaskCache } from "./mask-cache";
import { createSegmentStep, type JobSegmentStep, type SegmentCounts, type SegmentedPhoto } from "./segment-step";
import type { Segmenter } from "./segmenter/types";
import { setConcepts, setProblem } from "./sets/plan";
import { ObjectChangedError, ObjectTooLargeError, type Storage } from "./storage";

export interface PipelineOptions {
  storage: Storage;
  segmenter: Segmenter;
  callbacks: CallbackSender;
  logger: Logger;
  batchConcurrency: number;
  maxInputPixels: number;
  /** The most bytes read for one input (MAX_UPLOAD_BYTES), whatever the message says. */
  maxUploadBytes: number;
  /** The work of one item once its keys are checked; by default `processItem` below (decode, segment,
   *  render, upload). A benchmark passes its own (bench/pass-through.ts), production never does. */
  itemStage?: ItemStage;
  /** Where the render step (apply + encode, render-item.ts) runs: the pool (render-pool.ts), else inline. */
  renderPool?: RenderPool;
  /** Pixels of decoded photos in flight at once (MAX_PIXELS_IN_FLIGHT); unbounded when absent. */
  maxPixelsInFlight?: number;
  /** The mask cache (mask-cache.ts); by default in `storage`, null for none. */
  maskCache?: MaskCache | null;
}

export type { ItemContext, ItemDone, ItemStage } from "./item-stage";

export interface JobOutcome {
  job_id: string;
  total: number;
  done: number;
  failed: number;
  /** Items whose callback was never acknowledged, or that were not started (shutdown). */
  unreported: number;
  /** Every item was reported (acknowledged, or refused for good): the message can be acked. */
  complete: boolean;
}

export interface Pipeline {
  runJob(message: QueueMessage): Promise<JobOutcome>;
  /** Stop starting items; items in flight finish and report. */
  stop(): void;
  readonly activeJobs: number;
  readonly activeItems: number;
  /** Segmenter runs and mask cache hits since start, for /health. */
  readonly segmentCounts: Readonly<SegmentCounts>;
}

/** A counting semaphore: items of all jobs share the worker's slots. */
class Slots {
  private waiting: (() => void)[] = [];
  inUse = 0;
  constructor(private readonly size: number) {}
  async acquire(): Promise<void> {
    if (this.inUse < this.size) {
      this.inUse++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inUse--;
  }
}

/** INPUT_INVALID unless the item's three keys are exactly the ones storageKeys builds (docs/trust.md). */
function checkItemKeys(message: QueueMessage, item: QueueItem): void {
  const foreign = foreignItemKey(item, message.user_id, message.job_id, item.idx, message.output_format);
  if (foreign !== null) throw new ItemError("INPUT_INVALID", `key "${foreign}" is not item ${item.idx}'s own`);
}

/** Why the message's concept names cannot be trusted (they become mask keys), or null: each must be the preset's. */
function conceptProblem(message: QueueMessage): string | null {
  const preset = findPreset(message.preset);
  if (!preset) return `unknown preset "${message.preset}"`;
  const known = knownConceptNames(preset);
  const unknown = [...Object.keys(message.concepts), ...(message.scan?.concepts ?? []), ...message.protect].find(
    (name) => !known.has(name),
  );
  return unknown === undefined ? null : `concept "${unknown}" is not one of preset ${preset.id}'s`;
}

/** One photo after phase A, while its pixels are budgeted. */
interface SegmentedItem extends SegmentedPhoto {
  image: RgbImage;
  input: CallbackInput;
  timing: Record<string, number>;
  /** Milliseconds since the item started. */
  ms: () => number;
}

/** Deliveries (job and attempt) whose reported items this worker remembers. */
const REMEMBERED_DELIVERIES = 1024;

/** The items of a delivery already reported to the Worker, kept for the last deliveries seen. */
class ReportedItems {
  private readonly byDelivery = new Map<string, Set<number>>();
  of(key: string): Set<number> {
    const items = this.byDelivery.get(key) ?? new Set<number>();
    // Map order is the eviction order: a delivery seen again moves to the back.
    this.byDelivery.delete(key);
    this.byDelivery.set(key, items);
    if (this.byDelivery.size > REMEMBERED_DELIVERIES) this.byDelivery.delete(this.byDelivery.keys().next().value!);
    return items;
  }
}

export function createPipeline(options: PipelineOptions): Pipeline {
  const { storage, segmenter, callbacks, logger, batchConcurrency, maxInputPixels, maxUploadBytes } = options;
  const slots = new Slots(batchConcurrency);
  const renderPool = options.renderPool ?? inlineRenderPool();
  const budget = new PixelBudget(options.maxPixelsInFlight ?? Infinity);
  const running = new Map<string, Promise<JobOutcome>>();
  const reported = new ReportedItems();
  const segmentStep = createSegmentStep(
    segmenter,
    options.maskCache === undefined ? createMaskCache(storage) : options.maskCache,
  );
  let stopping = false;

  /** The item's input, pinned to its confirmed size and ETag when the message carries them. */
  async function readInput(item: QueueItem): Promise<Uint8Array> {
    const pinned = item.input_size !== undefined && item.input_size <= maxUploadBytes;
    if (item.input_size !== undefined && !pinned)
      throw new ItemError("INPUT_TOO_LARGE", `${item.input_size} bytes, over the ${maxUploadBytes}-byte cap`);
    const maxBytes = pinned ? item.input_size! : maxUploadBytes;
    const bytes = await storage
      .get(item.input_key, { maxBytes, ...(item.input_etag ? { etag: item.input_etag } : {}) })
      .catch((error: unknown) => {
        if (error instanceof ObjectChangedError) throw new ItemError("INPUT_CHANGED", error.message);
        if (error instanceof ObjectTooLargeError)
          throw new ItemError(pinned ? "INPUT_CHANGED" : "INPUT_TOO_LARGE", error.message);
        throw new ItemError("INTERNAL", `input could not be read: ${String(error)}`);
      });
    if (!bytes) throw new ItemError("INPUT_NOT_FOUND", `no object at ${item.input_key}`);
    if (pinned && bytes.byteLength !== item.input_size)
      throw new ItemError("INPUT_CHANGED", `${bytes.byteLength} bytes, ${item.input_size} confirmed at upload`);
    return bytes;
  }

  /** Read, decode and segment one photo (through the mask cache), then `use` it while its pixels are budgeted. */
  async function segmentItem<T>(
    message: QueueMessage,
    item: QueueItem,
    job: JobSegmentStep,
    use: (photo: SegmentedItem) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const bytes = await readInput(item);
    // The download overlaps other items' segment and the render step; the decode waits for pixel budget.
    const { width, height } = await inspectInput(bytes, maxInputPixels);
    const pixels = width * height;
    await budget.take(pixels);
    try {
      const admitted = ms();
      const image = await renderPool.decode(bytes, maxInputPixels);
      const decoded = ms();
      const found = await job.segment({
        userId: message.user_id,
        bytes,
        image,
        ...(item.hints ? { hints: item.hints } : {}),
      });
      const input: CallbackInput = {
        sha256: found.inputSha256,
        width: image.width,
        height: image.height,
        segmenter_version: cacheSegmenterVersion(segmenter.report.segmenter),
      };
      const timing = { read_wait: admitted, decode: decoded - admitted, segment: ms() - decoded };
      return await use({ ...found, image, input, timing, ms });
    } finally {
      budget.give(pixels);
    }
  }

  async function processItem({ message, item, job, log }: ItemContext): Promise<ItemDone> {
    const { files, report, input, timing, ms } = await segmentItem(message, item, job, async (photo) => {
      const segmented = photo.ms();
      // The photo's and masks' buffers move to the render thread: unusable here afterwards.
      const { image, instances } = photo;
      const finished = await renderPool.run({
        message,
        item,
        image,
        instances,
        segmenter: segmenter.report,
        segmented: photo.segmented,
      });
      return { ...photo, ...finished, timing: { ...photo.timing, apply_encode: photo.ms() - segmented } };
    });
    const uploading = ms();
    await Promise.all(files.map((file) => storage.put(file.key, file.body, file.contentType))).catch(
      (error: unknown) => {
        throw new ItemError("UPLOAD_FAILED", String(error));
      },
    );
    const { width, height } = input;
    log.info(
      { ms: { ...timing, upload: ms() - uploading }, width, height, segmented: report.segmented, flags: report.flags },
      "item done",
    );
    return { uploaded: files, report, input };
  }

  /** A scan's item: segmented (the cache filled), reported with what was found; nothing edited or uploaded. */
  async function scanItem(
    message: QueueMessage & { scan: { concepts: string[] } },
    item: QueueItem,
    job: JobSegmentStep,
    log: Logger,
  ) {
    const { report, input, timing } = await segmentItem(message, item, job, async (photo) => ({
      ...photo,
      report: scanReport({
        instances: photo.instances,
        width: photo.image.width,
        height: photo.image.height,
        concepts: message.scan.concepts,
        protect: message.protect,
        segmenter: segmenter.report,
        segmented: photo.segmented,
      }),
    }));
    log.info(
      { ms: timing, width: input.width, height: input.height, segmented: report.segmented, flags: report.flags },
      "item scanned",
    );
    return scannedBody(message, item, report, input);
  }

  const itemStage = options.itemStage ?? processItem;

  async function runItem(message: QueueMessage, item: QueueItem, job: JobSegmentStep, log: Logger) {
    checkItemKeys(message, item);
    if (isScanMessage(message)) return scanItem(message, item, job, log);
    const done = await itemStage({ message, item, job, storage, log, readInput: () => readInput(item) });
    return doneBody(message, item, done.uploaded, done.report, done.input);
  }

  function failure(message: QueueMessage, item: QueueItem, error: unknown, log: Logger): CallbackBody {
    const body = failedBody(message, item, error);
    log.warn({ code: body.error_code, err: body.error }, "item failed");
    return body;
  }

  async function run(message: QueueMessage, key: string): Promise<JobOutcome> {
    const log = logger.child({ job_id: message.job_id });
    const outcome: JobOutcome = {
      job_id: message.job_id,
      total: message.items.length,
      done: 0,
      failed: 0,
      unreported: 0,
      complete: false,
    };
    // A message delivered again after its lease ran out (the job outlived the visibility
    // timeout) skips what this worker already reported; only the rest is worth GPU time.
    const alreadyReported = reported.of(key);
    const items = message.items.filter((item) => !alreadyReported.has(item.idx));
    log.info(
      {
        items: items.length,
        already_reported: message.items.length - items.length,
        segmenter: segmenter.name,
        attempt: message.attempt,
      },
      "job started",
    );
    if (!callbacks.allows(message.callback_url)) {
      // Reporting would send the callback secret to a stranger: the items fail unreported, and the
      // message is final (a redelivery would fail the same way); the Worker's lease fails them.
      log.error({ callback_url: message.callback_url }, "callback_url is not on CALLBACK_BASE_URL; job refused");
      return { ...outcome, failed: items.length, complete: true };
    }
    const untrusted = conceptProblem(message) ?? setProblem(message);
    const job = segmentStep.forJob([
      ...new Set([
        ...Object.keys(message.concepts),
        ...(message.scan?.concepts ?? []),
        ...message.protect,
        ...(message.scan ? [] : setConcepts(message)),
      ]),
    ]);
    let next = 0;
    let ended = false;
    const results: CallbackResult[] = [];
    const worker = async () => {
      // A job already final (canceled, failed at its lease, done): the items not started are not worth GPU time.
      while (!stopping && !ended && next < items.length) {
        const item = items[next++]!;
        const itemLog = log.child({ idx: item.idx });
        await slots.acquire();
        let body: CallbackBody;
        try {
          if (untrusted !== null) throw new ItemError("INPUT_INVALID", untrusted);
          body = await runItem(message, item, job, itemLog);
        } catch (error) {
          body = failure(message, item, error, itemLog);
        } finally {
          slots.release();
        }
        if (body.status === "done") outcome.done++;
        else outcome.failed++;
        const result = await callbacks.send(message.callback_url, body, itemLog);
        if (result === "job_ended" && !ended) {
          ended = true;
          log.info({ skipped: items.length - next }, "the job is already final; its remaining items are skipped");
        }
        if (result !== "gave_up") alreadyReported.add(item.idx);
        results.push(result);
      }
    };
    const limit = Math.max(1, Math.min(message.batch_concurrency, batchConcurrency));
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    outcome.unreported = items.length - results.filter((result) => result !== "gave_up").length;
    // A final job is over: its message is acked, never redelivered for the skipped items.
    outcome.complete = outcome.unreported === 0 || ended;
    log.info({ done: outcome.done, failed: outcome.failed, unreported: outcome.unreported }, "job finished");
    return outcome;
  }

  return {
    runJob(message) {
      // The same delivery arriving twice while the first runs shares the first's work.
      // A scan is its own delivery: its items are reported apart from the job's execute.
      const key = isScanMessage(message)
        ? `${message.job_id}:scan${message.scan.id}:${message.attempt}`
        : `${message.job_id}:${message.attempt}`;
      const existing = running.get(key);
      if (existing) return existing;
      const promise = run(message, key).finally(() => running.delete(key));
      running.set(key, promise);
      return promise;
    },
    stop() {
      stopping = true;
    },
    get activeJobs() {
      return running.size;
    },
    get activeItems() {
      return slots.inUse;
    },
    get segmentCounts() {
      return segmentStep.counts;
    },
  };
}
