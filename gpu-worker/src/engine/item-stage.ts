// The seam for one item's work once its keys are checked: by default the pipeline's own (decode,
// segment through the mask cache, render, upload); a benchmark injects its own (bench/pass-through.ts).
import type { Logger } from "pino";
import type { CallbackInput, ItemReport, QueueItem, QueueMessage } from "@s3/contract";
import type { OutputFile } from "./outputs";
import type { JobSegmentStep } from "./segment-step";
import type { Storage } from "./storage";

/** What an item stage is given: the item, its job's phase A, and the pipeline's own reads and writes. */
export interface ItemContext {
  message: QueueMessage;
  item: QueueItem;
  job: JobSegmentStep;
  storage: Storage;
  log: Logger;
  /** The item's input, read under the pipeline's checks (pinned size and ETag, the upload cap). */
  readInput(): Promise<Uint8Array>;
}

/** What an item stage hands back for a done item: the files it uploaded, its report, and the input it read. */
export interface ItemDone {
  uploaded: readonly OutputFile[];
  report?: ItemReport;
  input?: CallbackInput;
}

export type ItemStage = (context: ItemContext) => Promise<ItemDone>;
