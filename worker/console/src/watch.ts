// Running and watching a job: execute, the live events over a WebSocket (polling when it drops), each
// photo's status and before/after, and cancel.
import type { CanceledJob, Job, JobEvent, JobProgress } from "@s3/contract";
import { api, ApiFailure, TERMINAL, token } from "./api";
import { byId, h } from "./dom";
import { conceptMap } from "./edits";
import { explain } from "./messages";
import { attempt, say, showError } from "./notices";
import { showSet } from "./set";
import { sections, state, type Photo } from "./state";
import { selectedTemplate, variantsBody } from "./variants";
import { reviewNote } from "./review";

export async function execute(): Promise<void> {
  const concepts = conceptMap();
  if (Object.keys(concepts).length === 0) return say("Tick at least one concept to edit, then run the job.");
  const template = selectedTemplate();
  const body: Record<string, unknown> = { concepts, protect: [...state.protect] };
  if (template) body.output_template = template.id;
  const variants = variantsBody();
  if (variants) body.variants = variants;
  byId<HTMLButtonElement>("execute").disabled = true;
  try {
    await api("POST", `/jobs/${state.jobId}/execute`, body);
  } catch (error) {
    byId<HTMLButtonElement>("execute").disabled = false;
    throw error;
  }
  for (const photo of state.photos) photo.status = "pending";
  say("Job started. Progress appears below as each photo finishes.");
  watchJob(state.jobId!);
}

/** The live connection as words for the person, and as data-state / data-events for tools (docs/events.md). */
const LIVE_WORDS = {
  connecting: "Connecting to live updates…",
  live: "Live updates connected.",
  ended: "Live updates ended with the job.",
  interrupted: "Live updates were interrupted; checking progress every few seconds instead.",
} as const;
function setLive(live: keyof typeof LIVE_WORDS, events: number): void {
  const element = byId("live");
  element.dataset.state = live;
  element.dataset.events = String(events);
  element.textContent = LIVE_WORDS[live];
}

export function watchJob(jobId: string): void {
  state.watch?.stop();
  // Another job (opened from the history): its photos are not this album's.
  if (jobId !== state.jobId) state.photos = [];
  state.jobId = jobId;
  byId("photos").dataset.jobId = jobId;
  byId("progress-section").hidden = false;
  byId("set-section").hidden = true;
  byId("cancel").hidden = false;
  renderPhotos();
  let stopped = false;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let refreshQueued = false;
  let events = 0;

  // Presigned result URLs come only from GET /jobs/{id}; coalesce refreshes while events stream.
  const refresh = async (): Promise<Job> => {
    const job = await api<Job>("GET", `/jobs/${jobId}`);
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
      byId("cancel").hidden = true;
      if (job.deleted_at) return say(`This job's photos and set were deleted; its history stays.`);
      say(`Job ${job.status}: ${job.progress.done} done, ${job.progress.failed} failed of ${job.progress.total}.`);
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
        photo.review = reviewNote(item.report);
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

export function applyJob(job: Job, withOutputs = true): void {
  while (state.photos.length < job.progress.total)
    state.photos.push({
      file: null,
      url: null,
      status: "pending",
      uploaded: 1,
      resultUrl: null,
      error: null,
      review: null,
    });
  for (const item of job.items) {
    const photo = state.photos[item.idx];
    if (!photo) continue;
    photo.status = item.status;
    photo.error = item.error ? explain(new ApiFailure(item.error.code, item.error.message, 0)) : null;
    photo.review = reviewNote(item.report);
  }
  if (withOutputs) {
    for (const output of job.outputs_ready) {
      const photo = state.photos[output.idx];
      if (photo) photo.resultUrl = output.result_url;
    }
    // A deleted job's URLs are gone (docs/trust.md): drop the links to them.
    if (job.deleted_at) for (const photo of state.photos) photo.resultUrl = null;
  }
  updateStatus(job.status, job.progress);
  renderPhotos();
}

export function updateStatus(status: string, progress: JobProgress): void {
  state.jobStatus = status;
  const finished = progress.done + progress.failed;
  byId("job-status").textContent =
    `Job ${status}: ${finished} of ${progress.total} photos finished` +
    (progress.failed ? ` (${progress.failed} failed)` : "") +
    (progress.needs_review ? `; ${progress.needs_review} need a look` : "");
  const bar = byId<HTMLProgressElement>("job-progress");
  bar.max = Math.max(progress.total, 1);
  bar.value = finished;
}

export function renderPhotos(): void {
  const list = byId("photos");
  state.photos.forEach((photo, idx) => {
    const item = list.children[idx] as HTMLElement | undefined;
    const key = `${photo.status}|${photo.resultUrl ?? ""}|${photo.error ?? ""}|${photo.review ?? ""}`;
    if (item?.dataset.key === key) return;
    const fresh = h(
      "li",
      { "data-key": key, "data-status": photo.status, class: "photo" },
      h(
        "p",
        {},
        h("strong", {}, `Photo ${idx + 1}`),
        photo.file ? ` ${photo.file.name}` : "",
        " — ",
        h("span", { class: `status status-${photo.status}` }, photo.status),
        photo.error ? ` — ${photo.error}` : "",
      ),
      photo.review ? h("p", { class: "review" }, photo.review) : null,
      photo.resultUrl ? compare(idx, photo) : null,
    );
    if (item) item.replaceWith(fresh);
    else list.append(fresh);
  });
  while (list.children.length > state.photos.length) list.lastElementChild?.remove();
}

/** Before/after: the result laid over the input, uncovered from the left by a range input. */
function compare(idx: number, photo: Photo): HTMLElement {
  const after = h("img", { src: photo.resultUrl!, alt: `Photo ${idx + 1} after`, class: "after" });
  const before = photo.url
    ? h("img", { src: photo.url, alt: `Photo ${idx + 1} before`, class: "before" })
    : h("div", { class: "before missing" }, "The original is not in this browser");
  const slider = h("input", {
    type: "range",
    min: 0,
    max: 100,
    value: 50,
    id: `compare-${idx}`,
    "aria-valuetext": "50 % before",
  });
  const frame = h("div", { class: "frame", style: "--split:50%" }, before, after);
  slider.addEventListener("input", () => {
    frame.style.setProperty("--split", `${slider.value}%`);
    slider.setAttribute("aria-valuetext", `${slider.value} % before`);
  });
  return h(
    "figure",
    { class: "compare" },
    frame,
    h(
      "figcaption",
      {},
      h("label", { for: slider.id }, `Photo ${idx + 1}: before ◂ ▸ after`),
      slider,
      h("a", { href: photo.resultUrl!, download: "" }, "Open result"),
    ),
  );
}

export async function cancelJob(jobId = state.jobId): Promise<void> {
  if (!jobId) return;
  const answer = await api<CanceledJob>("POST", `/jobs/${jobId}/cancel`);
  say(`Job canceled; ${answer.refunded} credit${answer.refunded === 1 ? "" : "s"} refunded.`);
  if (jobId === state.jobId) {
    state.watch?.stop();
    byId("cancel").hidden = true;
    byId("job-status").textContent = "Job canceled.";
  }
  await Promise.all([sections.refreshAccount(), sections.loadHistory(true)]);
}
