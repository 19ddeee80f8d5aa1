// The callback bodies one item's outcome becomes (docs/messages.md, Callback): done with its outputs,
// done for a scan (a scan report, no outputs), or failed. A scan's callbacks carry `scan_id` and
// their own idempotency key, whatever the delivery.
import {
  CALLBACK_ERROR_MAX,
  idempotencyKey,
  isScanMessage,
  scanIdempotencyKey,
  type CallbackBody,
  type CallbackInput,
  type ItemReport,
  type QueueItem,
  type QueueMessage,
  type ScanReport,
} from "@s3/contract";
import { ItemError } from "./errors";
import type { OutputFile } from "./outputs";

/** The callback's idempotency key, and `scan_id` for a scan's. */
function reportKeys(message: QueueMessage, idx: number): Pick<CallbackBody, "idempotency_key" | "scan_id"> {
  return isScanMessage(message)
    ? {
        idempotency_key: scanIdempotencyKey(message.idempotency_prefix, message.scan.id, idx),
        scan_id: message.scan.id,
      }
    : { idempotency_key: idempotencyKey(message.idempotency_prefix, idx, message.attempt) };
}

/** A done item's body; its set files are listed only once every one of them is uploaded. */
export function doneBody(
  message: QueueMessage,
  item: QueueItem,
  uploaded: readonly OutputFile[] = [],
  report?: ItemReport,
  input?: CallbackInput,
): CallbackBody {
  const files = uploaded.flatMap((file) => (file.set ? [file.set] : []));
  return {
    idx: item.idx,
    status: "done",
    output_key: item.output_key,
    preview_key: item.preview_key,
    error: null,
    ...reportKeys(message, item.idx),
    ...(files.length > 0 ? { files } : {}),
    ...(report ? { report } : {}),
    ...(input ? { input } : {}),
  };
}

/** A scanned item's body: its scan report and input, no output keys. */
export function scannedBody(message: QueueMessage, item: QueueItem, report: ScanReport, input: CallbackInput) {
  return {
    idx: item.idx,
    status: "done",
    output_key: null,
    preview_key: null,
    error: null,
    ...reportKeys(message, item.idx),
    report,
    input,
  } satisfies CallbackBody;
}

export function failedBody(message: QueueMessage, item: QueueItem, error: unknown): CallbackBody {
  const itemError = error instanceof ItemError ? error : new ItemError("INTERNAL", String(error));
  return {
    idx: item.idx,
    status: "failed",
    output_key: null,
    preview_key: null,
    error: itemError.message.slice(0, CALLBACK_ERROR_MAX),
    error_code: itemError.code,
    ...reportKeys(message, item.idx),
  };
}
