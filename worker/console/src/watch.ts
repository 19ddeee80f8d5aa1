// Watching a job: its photos (kept in this browser, store.ts, for a job opened from the history), the
// live events over a WebSocket (polling when it drops), each photo's status and report, the controls
// its status allows, and at the end its set.
import type { Job, JobEvent, JobProgress } from "@s3/contract";
import { ApiFailure, call, client, TERMINAL, token } from "./api";
import { byId } from "./dom";
import { attempt, say, showError } from "./feedback";
import { t } from "./i18n";
import { explain } from "./messages";
import { renderPhotos } from "./photos";
import { showSet } from "./set";
import { newPhoto, sections, state, type ScannedJob } from "./state";
import { keptAlbum } from "./store";

/** Opens a job: its photos (from this browser when kept), its state, and its events while it runs. */
export async function openJob(jobId: string): Promise<void> {
  state.watch?.stop();
  // The last job's messages beside the run controls are about that job.
  for (const message of document.querySelectorAll("#run-section .feedback")) message.remove();
  if (jobId !== state.jobId || state.photos.length === 0) {
    state.jobId = jobId;
    const kept = await keptAlbum(jobId);
    state.photos = (kept ?? []).map((photo) => newPhoto(photo.blob, photo.name, URL.createObjectURL(photo.blob)));
    for (const photo of state.photos) photo.uploaded = 1;
    state.draft ??= [];
  }
  byId("photos").dataset.jobId = jobId;
  byId("progress-section").hidden = false;
  byId("set-section").hidden = true;
  const job = await call(client.GET("/jobs/{id}", { params: { path: { id: jobId } } }));
  applyJob(job);
  sections.renderUploads();
  if (job.deleted_at) return say(t("job_deleted_opened"));
  if (job.status === "uploaded" || job.status === "created") return;
  if (TERMINAL.has(job.status)) {
    say(
      t("job_finished", {
        status: t(`job_${job.status}`),
        done: job.progress.done,
        failed: job.progress.failed,
        total: job.progress.total,
      }),
    );
    if (job.status !== "canceled") await showSet(jobId, job);
    return;
  }
  watchJob(jobId);
}

/** The live connection as words for the person, and as data-state / data-events for tools (docs/events.md). */
function setLive(live: "connecting" | "live" | "ended" | "interrupted", events: number): void {
  const element = byId("live");
  element.dataset.state = live;
  element.dataset.events = String(events);
  element.textContent = t(`live_${live}`);
}

export function watchJob(jobId: string): void {
  state.watch?.stop();
  state.jobId = jobId;
  byId("photos").dataset.jobId = jobId;
  byId("progress-section").hidden = false;
  byId("set-section").hidden = true;
  renderPhotos();
  let stopped = false;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let refreshQueued = false;
  let events = 0;

  // Presigned result URLs come only from GET /jobs/{id}; coalesce refreshes while events stream.
  const refresh = async (): Promise<Job> => {
    const job = await call(client.GET("/jobs/{id}", { params: { path: { id: jobId } } }));
    applyJob(job);
    return job;
  };
  const queueRefresh = () => {
    if (refreshQueued) return;
    refreshQueued = true;
    setTimeout(() => {
      refreshQueued = false;
      if (!stopped) void attempt(async () => void (await refresh()));
    }, 400);
  };
  // Only after the socket closed before `end`: a 4xx (an expired session, say) is shown and ends it.
  const poll = async () => {
    if (stopped) return;
    try {
      const job = await refresh();
      if (TERMINAL.has(job.status)) return void finish();
    } catch (error) {
      showError(error);
      if (error instanceof ApiFailure && error.status !== 0 && error.status < 500) return;
    }
    pollTimer = setTimeout(() => void poll(), 3000);
  };
  const finish = async () => {
    if (stopped) return;
    stopped = true;
    await attempt(async () => {
      const job = await refresh();
      if (job.deleted_at) return say(t("job_deleted_opened"));
      say(
        t("job_finished", {
          status: t(`job_${job.status}`),
          done: job.progress.done,
          failed: job.progress.failed,
          total: job.progress.total,
        }),
      );
      await Promise.all([sections.refreshAccount(), sections.loadHistory(true)]);
      if (job.status !== "canceled") await showSet(jobId, job);
    });
  };

  // The job's events over a WebSocket (docs/events.md): the JWT rides as the `bearer.` subprotocol.
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/jobs/${jobId}/events`, ["s3.v1", `bearer.${token.get()}`]);
  setLive("connecting", events);
  socket.onopen = () => setLive("live", events);
  socket.onmessage = (message) => {
    const event = JSON.parse(String(message.data)) as JobEvent;
    // Only a progress event names an item.
    const item = event.type === "progress" ? event.item : undefined;
    events++;
    setLive(event.type === "end" ? "ended" : "live", events);
    if (event.type === "snapshot") applyJob({ ...event, outputs_ready: [] }, false);
    if (item) {
      const photo = state.photos[item.idx];
      if (photo) {
        photo.status = item.status;
        photo.report = item.report ?? photo.report;
      }
    }
    updateStatus(event.status, event.progress);
    if (event.type === "end") void finish();
    else if (item?.status === "done") queueRefresh();
    else renderPhotos();
  };
  socket.onclose = () => {
    if (stopped) return;
    // Closed before `end`: the network dropped or the handshake was refused; GET /jobs/{id} says which.
    setLive("interrupted", events);
    void poll();
  };
  state.watch = {
    stop() {
      stopped = true;
      clearTimeout(pollTimer);
      socket.close();
    },
  };
}

export function applyJob(job: ScannedJob, withOutputs = true): void {
  while (state.photos.length < job.progress.total) state.photos.push(newPhoto(null, null, null));
  for (const item of job.items) {
    const photo = state.photos[item.idx];
    if (!photo) continue;
    photo.status = item.status;
    photo.error = item.error ? explain(new ApiFailure(item.error.code, item.error.message, 0)) : null;
    photo.report = item.report ?? null;
    photo.needsReview = Boolean(item.needs_review);
  }
  if (withOutputs) {
    for (const output of job.outputs_ready) {
      const photo = state.photos[output.idx];
      if (!photo) continue;
      photo.resultUrl = output.result_url;
      photo.masks = output.masks;
    }
    // A deleted job's URLs are gone (docs/trust.md): drop the links to them.
    if (job.deleted_at) for (const photo of state.photos) Object.assign(photo, { resultUrl: null, masks: [] });
  }
  state.deletedJob = Boolean(job.deleted_at);
  updateStatus(job.status, job.progress, job.scan);
  renderPhotos();
}

export function updateStatus(status: string, progress: JobProgress, scan?: ScannedJob["scan"]): void {
  state.jobStatus = status;
  const finished = progress.done + progress.failed;
  const words = t(`job_${status as "done"}`);
  let line = t("job_progress", { status: words, finished, total: progress.total });
  if (progress.failed) line += t("job_progress_failed", { n: progress.failed });
  if (progress.needs_review) line += t("job_progress_review", { n: progress.needs_review });
  if (status === "uploaded")
    line = scan ? t(scan.status === "scanned" ? "scan_done" : "scan_running") : t("job_uploaded_line");
  byId("job-status").textContent = line;
  byId("job-status").dataset.status = status;
  const bar = byId<HTMLProgressElement>("job-progress");
  bar.max = Math.max(progress.total, 1);
  bar.value = status === "uploaded" ? 0 : finished;
  sections.renderControls();
}
