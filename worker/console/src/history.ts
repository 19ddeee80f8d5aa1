// The history: the caller's jobs, newest first and paged, each to open, cancel or delete (after a
// confirmation). On a phone each row is a card, so its buttons stay on the screen.
import type { JobPage, JobSummary } from "@s3/contract";
import { api, TERMINAL } from "./api";
import { confirmAction } from "./confirm";
import { byId, clear, h } from "./dom";
import { attempt, say } from "./feedback";
import { lang, t } from "./i18n";
import { presetName, templateName, type Named } from "./names";
import { cancelJob } from "./run";
import { sections, state } from "./state";
import { forgetAlbum } from "./store";

const HISTORY_PAGE = 10;
let shown: JobSummary[] = [];

export async function loadHistory(fromStart: boolean): Promise<void> {
  const query = new URLSearchParams({ limit: String(HISTORY_PAGE) });
  if (!fromStart && state.historyCursor) query.set("cursor", state.historyCursor);
  const page = await api<JobPage>("GET", `/jobs?${query}`);
  byId("history-section").hidden = false;
  shown = fromStart ? page.jobs : [...shown, ...page.jobs];
  const body = byId("history");
  if (fromStart) clear(body);
  body.append(...page.jobs.map(historyRow));
  state.historyCursor = page.next_cursor;
  byId("more-jobs").hidden = !page.next_cursor;
}
/** The rows again in the page's language. */
export function renderHistory(): void {
  byId("history").replaceChildren(...shown.map(historyRow));
}
const cell = (label: string, ...content: (Node | string)[]) => h("td", { "data-label": label }, ...content);
function named(name: Named | null): Node | string {
  if (!name) return "—";
  return h("span", { lang: name.lang === lang() ? null : name.lang }, name.text);
}
export function historyRow(job: JobSummary): HTMLTableRowElement {
  const active = !TERMINAL.has(job.status);
  const deleted = state.deleted.has(job.job_id);
  const open = h("button", { type: "button" }, t("open"));
  open.addEventListener("click", () => void attempt(() => sections.openJob(job.job_id), open));
  const cancel = active ? h("button", { type: "button", class: "danger" }, t("cancel")) : null;
  cancel?.addEventListener("click", () => void attempt(() => cancelJob(job.job_id, cancel), cancel));
  // Only a finished job's files can be deleted (docs/trust.md); an open one is canceled first.
  const remove = !active && !deleted ? h("button", { type: "button", class: "danger" }, t("delete")) : null;
  remove?.addEventListener("click", () => void attempt(() => deleteJob(job), remove));
  const status = t(`job_${job.status}`);
  return h(
    "tr",
    { "data-job-id": job.job_id, "data-status": job.status },
    cell(t("col_created"), new Date(job.created_at).toLocaleString(lang() === "ko" ? "ko-KR" : "en-GB")),
    cell(t("col_preset"), named(presetName(job.preset))),
    cell(t("col_template"), named(templateName(job.output_template))),
    cell(t("col_status"), deleted ? t("status_files_deleted", { status }) : status),
    cell(t("col_progress"), `${job.progress.done + job.progress.failed}/${job.progress.total}`),
    h("td", { class: "actions" }, open, cancel ?? "", remove ?? ""),
  );
}
export async function deleteJob(job: JobSummary): Promise<void> {
  if (!(await confirmAction(t("confirm_delete_job"), t("delete")))) return;
  await api("DELETE", `/jobs/${job.job_id}`);
  state.deleted.add(job.job_id);
  await forgetAlbum(job.job_id);
  if (job.job_id === state.jobId) {
    state.watch?.stop();
    byId("progress-section").hidden = true;
    byId("set-section").hidden = true;
  }
  // Updated in place: the row may be on an older page than the first.
  const row = byId("history").querySelector(`tr[data-job-id="${job.job_id}"]`);
  const fresh = historyRow(job);
  row?.replaceWith(fresh);
  fresh.querySelector("button")?.focus();
  say(t("job_deleted"));
}
