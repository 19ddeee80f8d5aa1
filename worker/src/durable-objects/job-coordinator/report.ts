// Whether one item's report (docs/messages.md) may be recorded: its item exists, and every key it names
// is that item's own, its set files included (docs/sets.md).
import type { CallbackBody, SetFile } from "@s3/contract";
import type { Refusal } from "../../rpc";
import { foreignSetFile, setTemplateOf } from "../../lib/set-files";
import type { OutputFormat } from "@s3/contract";
import type { ItemRow, JobRow } from "./store";

const refused = (message: string): Refusal => ({ ok: false, code: "VALIDATION_ERROR", message });

/** The files to record with the item (none for a failed one), or the refusal naming what is wrong. */
export function checkReport(
  job: JobRow,
  item: ItemRow | undefined,
  report: CallbackBody,
  format: OutputFormat,
): SetFile[] | Refusal {
  if (!item) return refused(`idx must be 0..${job.total - 1}`);
  if (
    (report.output_key !== null && report.output_key !== item.output_key) ||
    (report.preview_key !== null && report.preview_key !== item.preview_key)
  ) {
    return refused("output_key and preview_key must be this item's own keys");
  }
  if (report.status !== "done") return [];
  const template = setTemplateOf(job.preset, job.output_template);
  const files = report.files ?? [];
  const foreign = foreignSetFile(files, { user: job.user_id, job: job.job_id, idx: report.idx }, template, format);
  return foreign === null ? files : refused(foreign);
}
