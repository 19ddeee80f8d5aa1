// The job's steps from the run section: scan (find the concepts first, SPEC-free words in
// docs/console.md), execute with the rule, template, variants, format and hints, cancel after a
// confirmation, and on a finished album: run again with another rule or template without uploading
// (POST /jobs {preset, from_job}), or retry its failed and flagged photos (POST /jobs/{id}/retry).
import type { ExecuteJob } from "@s3/client";
import { call, client, TERMINAL } from "./api";
import { confirmAction } from "./confirm";
import { byId } from "./dom";
import { conceptMap } from "./edits";
import { say, tell } from "./feedback";
import { lang, t } from "./i18n";
import { sections, state } from "./state";
import { inheritAlbum } from "./store";
import { selectedTemplate, variantProblem, variantsBody } from "./variants";
import { applyJob, openJob, watchJob } from "./watch";

/** The boxes drawn on the album's photos as SPEC's hints: {"<idx>": {"<Concept>": {boxes}}}. */
function hints(): Record<string, Record<string, { boxes: number[][] }>> | undefined {
  const all: Record<string, Record<string, { boxes: number[][] }>> = {};
  state.photos.forEach((photo, idx) => {
    const drawn = Object.entries(photo.hints).filter(([, boxes]) => boxes.length);
    if (drawn.length) all[idx] = Object.fromEntries(drawn.map(([concept, boxes]) => [concept, { boxes }]));
  });
  return Object.keys(all).length ? all : undefined;
}

export async function execute(): Promise<void> {
  const button = byId<HTMLButtonElement>("execute");
  const concepts = conceptMap();
  if (Object.keys(concepts).length === 0) return tell(button, t("tick_before_run"));
  const problem = variantProblem();
  if (problem) return tell(button, problem);
  const template = selectedTemplate();
  const body: ExecuteJob = { concepts, protect: [...state.protect], locale: lang() };
  if (template) body.output_template = template.id;
  const variants = variantsBody();
  if (variants) body.variants = variants;
  const format = byId<HTMLSelectElement>("format").value;
  if (format !== "png") body.output_format = format as ExecuteJob["output_format"];
  const drawn = hints();
  if (drawn) body.hints = drawn;
  button.disabled = true;
  try {
    await call(client.POST("/jobs/{id}/execute", { params: { path: { id: state.jobId! } }, body }));
  } finally {
    button.disabled = false;
  }
  for (const photo of state.photos) {
    photo.status = "pending";
    photo.resultUrl = null;
    photo.masks = [];
  }
  say(t("job_started"));
  watchJob(state.jobId!);
}

/** Scan: segment the album for the edited and protected concepts, then show what was found. */
export async function scan(): Promise<void> {
  const button = byId<HTMLButtonElement>("scan");
  const concepts = [...new Set([...Object.keys(conceptMap()), ...state.protect])];
  const drawn = hints();
  button.disabled = true;
  try {
    const body = { concepts, ...(drawn ? { hints: drawn } : {}) };
    await call(client.POST("/jobs/{id}/scan", { params: { path: { id: state.jobId! } }, body }));
  } catch (error) {
    button.disabled = false;
    throw error;
  }
  say(t("scan_running"));
  const jobId = state.jobId!;
  for (let round = 0; round < 120 && state.jobId === jobId; round++) {
    const job = await call(client.GET("/jobs/{id}", { params: { path: { id: jobId } } }));
    applyJob(job);
    if (job.scan?.status === "scanned" || job.status !== "uploaded") break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  button.disabled = false;
  say(t("scan_done"));
}

export async function cancelJob(jobId = state.jobId, from?: HTMLElement): Promise<void> {
  if (!jobId) return;
  if (!(await confirmAction(t("confirm_cancel"), t("cancel_job")))) return;
  const answer = await call(client.POST("/jobs/{id}/cancel", { params: { path: { id: jobId } } }));
  if (jobId === state.jobId) {
    state.watch?.stop();
    state.jobStatus = "canceled";
    byId("job-status").textContent = t("job_canceled_line");
    renderControls();
  }
  await Promise.all([sections.refreshAccount(), sections.loadHistory(true)]);
  say(t("canceled_refund", { n: answer.refunded }));
  if (from && !from.isConnected) byId("files").focus();
}

/** Another rule or template on the same photos: a new job over this one's inputs, then Run. */
export async function rerun(): Promise<void> {
  const from = state.jobId!;
  const created = await call(client.POST("/jobs", { body: { preset: state.preset!.id, from_job: from } }));
  await openNewJob(from, created.job_id);
  say(t("rerun_ready"));
  byId("execute").focus();
}
/** Retry: a new job over the failed and flagged photos, with the same rule and template. */
export async function retry(): Promise<void> {
  const from = state.jobId!;
  const items = state.photos.flatMap((photo, idx) => (photo.status === "failed" || photo.needsReview ? [idx] : []));
  const drawn = hints();
  const body = drawn ? { hints: drawn } : {};
  const created = await call(client.POST("/jobs/{id}/retry", { params: { path: { id: from } }, body }));
  await openNewJob(from, created.job_id, items);
  say(t("retry_started", { n: items.length }));
}
async function openNewJob(from: string, to: string, items?: number[]): Promise<void> {
  await inheritAlbum(from, to, items);
  state.photos = [];
  await openJob(to);
  await Promise.all([sections.refreshAccount(), sections.loadHistory(true)]);
}

/** What the watched job's status allows: scan and run once uploaded, cancel while open, again once done. */
export function renderControls(): void {
  const status = state.jobStatus;
  const open = Boolean(state.jobId && status && !TERMINAL.has(status));
  byId<HTMLButtonElement>("execute").disabled = status !== "uploaded";
  byId<HTMLButtonElement>("scan").disabled = status !== "uploaded";
  byId("cancel").hidden = !open;
  const finished = Boolean(status && (status === "done" || status === "failed") && !state.deletedJob);
  byId("rerun").hidden = !finished;
  byId("retry").hidden = !finished || !state.photos.some((photo) => photo.status === "failed" || photo.needsReview);
}
