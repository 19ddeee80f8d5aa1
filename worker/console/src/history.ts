// The history: the caller's jobs, newest first and paged, each to open, cancel or delete.
import type { JobPage, JobSummary } from "@s3/contract";
import { api, TERMINAL } from "./api";
import { byId, clear, h } from "./dom";
import { attempt, say } from "./notices";
import { state } from "./state";
import { cancelJob, watchJob } from "./watch";

const HISTORY_PAGE = 10;

export async function loadHistory(fromStart: boolean): Promise<void> {
  const query = new URLSearchParams({ limit: String(HISTORY_PAGE) });
  if (!fromStart && state.historyCursor) query.set("cursor", state.historyCursor);
  const page = await api<JobPage>("GET", `/jobs?${query}`);
  byId("history-section").hidden = false;
  const body = byId("history");
  if (fromStart) clear(body);
  body.append(...page.jobs.map(historyRow));
  state.historyCursor = page.next_cursor;
  byId("more-jobs").hidden = !page.next_cursor;
}
export function historyRow(job: JobSummary): HTMLTableRowElement {
  const active = !TERMINAL.has(job.status);
  const deleted = state.deleted.has(job.job_id);
  return h(
    "tr",
    { "data-job-id": job.job_id, "data-status": job.status },
    h("td", {}, new Date(job.created_at).toLocaleString()),
    h("td", {}, job.preset),
    h("td", {}, job.output_template ?? "—"),
    h("td", {}, deleted ? `${job.status}, files deleted` : job.status),
    h("td", {}, `${job.progress.done + job.progress.failed}/${job.progress.total}`),
    h(
      "td",
      { class: "actions" },
      h("button", { type: "button", onclick: () => watchJob(job.job_id) }, "Open"),
      active
        ? h("button", { type: "button", onclick: () => void attempt(() => cancelJob(job.job_id)) }, "Cancel")
        : null,
      // Only a finished job's files can be deleted (docs/trust.md); an open one is canceled first.
      !active && !deleted
        ? h("button", { type: "button", onclick: () => void attempt(() => deleteJob(job)) }, "Delete")
        : null,
    ),
  );
}
export async function deleteJob(job: JobSummary): Promise<void> {
  await api("DELETE", `/jobs/${job.job_id}`);
  state.deleted.add(job.job_id);
  if (job.job_id === state.jobId) {
    state.watch?.stop();
    byId("progress-section").hidden = true;
    byId("set-section").hidden = true;
  }
  // Updated in place: the row may be on an older page than the first.
  byId("history").querySelector(`tr[data-job-id="${job.job_id}"]`)?.replaceWith(historyRow(job));
  say("Job deleted: its photos and set are gone; its line in the history stays.");
}
