// The web console (issue 12): one page over the public API, served by the Worker as static assets.
// No framework: the page is a few forms and lists that change in place, so plain DOM calls and the
// small h() builder keep the bundle a few KiB with nothing to download at run time.
import * as client from "./api";
import {
  api,
  ApiFailure,
  isMissingRoute,
  putFile,
  TERMINAL,
  token,
  type Action,
  type ConceptMap,
  type ItemStatus,
  type JobView,
  type OutputTemplate,
} from "./api";
import type { SetRole, TemplateSlug } from "@s3/contract";
import { byId, clear, h } from "./dom";
import { explain } from "./messages";

const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp"];
/** Templates that take variants and how many (docs/sets.md); whether they are required comes with the preset. */
const VARIANT_LIMITS: Partial<Record<TemplateSlug, { min: number; max: number }>> = {
  three_options: { min: 2, max: 3 },
  option_board: { min: 2, max: 8 },
};
const UPLOADS_AT_ONCE = 3;
const HISTORY_PAGE = 10;

interface Edit {
  on: boolean;
  action: Action;
  value: string;
}
interface Photo {
  file: File | null;
  url: string | null;
  status: ItemStatus | "uploading" | "uploaded";
  uploaded: number;
  resultUrl: string | null;
  error: string | null;
}
interface Variant {
  name: string;
  values: Record<string, string>;
}

const state = {
  preset: null as client.Preset | null,
  edits: new Map<string, Edit>(),
  protect: new Set<string>(),
  photos: [] as Photo[],
  jobId: null as string | null,
  jobStatus: null as string | null,
  variants: [] as Variant[],
  watch: null as { stop(): void } | null,
  historyCursor: null as string | null,
  /** Jobs deleted in this session: GET /jobs still lists them (their history stays, docs/trust.md). */
  deleted: new Set<string>(),
};

// ---- notices ----
function showError(error: unknown): void {
  const box = byId("error");
  box.textContent = explain(error);
  box.hidden = false;
  if (error instanceof ApiFailure && ["TOKEN_EXPIRED", "TOKEN_INVALID", "AUTH_REQUIRED"].includes(error.code)) {
    token.clear();
    showSignedOut();
  }
}
function say(message: string): void {
  byId("error").hidden = true;
  byId("notice").textContent = message;
}
/** Runs an action, turning any failure into a plain sentence in the alert region. */
async function attempt(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    showError(error);
  }
}

// ---- account ----
function showSignedOut(): void {
  byId("start").hidden = false;
  byId("workspace").hidden = true;
  byId("account").textContent = "Not signed in";
}
async function refreshAccount(): Promise<void> {
  const me = await api<client.Me>("GET", "/me");
  byId("account").textContent =
    `Plan ${me.plan} · ${me.credits} credits · ${me.active_jobs} active job${me.active_jobs === 1 ? "" : "s"} · ` +
    `rules ${me.rule_slots.used}/${me.rule_slots.max}`;
}
async function signIn(): Promise<void> {
  const { token: issued } = await api<{ user_id: string; token: string }>("POST", "/auth/anon");
  token.set(issued);
  await enterWorkspace();
  // The sign-in button is gone: keyboard focus moves to the first step rather than the page's top.
  byId("preset").focus();
  say("Signed in. Pick a preset and a rule, then add photos.");
}
async function enterWorkspace(): Promise<void> {
  await refreshAccount();
  byId("start").hidden = true;
  byId("workspace").hidden = false;
  const presets = await api<client.PresetSummary[]>("GET", "/presets");
  const select = byId<HTMLSelectElement>("preset");
  select.replaceChildren(
    ...presets.map((p) => h("option", { value: p.id }, `${p.name} — ${p.concept_count} concepts`)),
  );
  await loadPreset(select.value);
  await Promise.all([loadRules(), loadHistory(true)]);
}

// ---- preset and rule ----
async function loadPreset(id: string): Promise<void> {
  const preset = await api<client.Preset>("GET", `/presets/${encodeURIComponent(id)}`);
  state.preset = preset;
  state.edits = new Map(
    preset.concepts.map((concept) => {
      const values = preset.palette.concepts[concept];
      const action: Action = values?.recolor.length ? "recolor" : "tone";
      return [concept, { on: false, action, value: values?.[action][0] ?? "" }];
    }),
  );
  state.protect = new Set(preset.protect_defaults);
  state.variants = [];
  renderConcepts();
  renderProtect();
  renderTemplates();
}

function renderConcepts(): void {
  const preset = state.preset!;
  const container = byId("concepts");
  clear(container);
  for (const concept of preset.concepts) {
    const edit = state.edits.get(concept)!;
    const palette = preset.palette.concepts[concept]!;
    const slug = concept.toLowerCase();
    const actions = preset.palette.actions.filter((action) => palette[action].length > 0);
    const row = h("div", { class: `concept${edit.on ? " on" : ""}`, role: "group", "aria-label": concept });
    const toggle = h("input", { type: "checkbox", id: `edit-${slug}`, checked: edit.on });
    toggle.addEventListener("change", () => {
      edit.on = toggle.checked;
      if (edit.on) state.protect.delete(concept);
      renderConcepts();
      renderProtect();
      renderVariants();
    });
    const actionSelect = h(
      "select",
      { id: `action-${slug}`, "aria-label": `${concept}: action`, disabled: !edit.on },
      ...actions.map((action) => h("option", { value: action, selected: action === edit.action }, action)),
    );
    actionSelect.addEventListener("change", () => {
      edit.action = actionSelect.value as Action;
      edit.value = palette[edit.action][0] ?? "";
      renderConcepts();
      renderVariants();
    });
    row.append(h("label", { class: "concept-name", for: `edit-${slug}` }, toggle, ` Edit ${concept}`), actionSelect);
    row.append(valuePicker(concept, edit, palette, (value) => (edit.value = value), `${slug}`));
    container.append(row);
  }
}

/** Colours as a radio group of swatches; tones and textures as a select. */
function valuePicker(
  concept: string,
  edit: Edit,
  palette: client.ConceptPalette,
  onPick: (value: string) => void,
  idPrefix: string,
  current = edit.value,
): HTMLElement {
  const values = palette[edit.action];
  if (edit.action !== "recolor") {
    const select = h(
      "select",
      { "aria-label": `${concept}: ${edit.action}`, disabled: !edit.on },
      ...values.map((value) => h("option", { value, selected: value === current }, value)),
    );
    select.addEventListener("change", () => onPick(select.value));
    return select;
  }
  const colors = state.preset!.palette.colors;
  const group = h("div", { class: "swatches", role: "radiogroup", "aria-label": `${concept}: colour` });
  for (const value of values) {
    const id = `${idPrefix}-${value}`;
    const radio = h("input", {
      type: "radio",
      name: idPrefix,
      id,
      value,
      checked: value === current,
      disabled: !edit.on,
      class: "visually-hidden",
    });
    radio.addEventListener("change", () => onPick(value));
    group.append(
      radio,
      h(
        "label",
        { for: id, class: "swatch", title: `${value} ${colors[value] ?? ""}` },
        h("span", { class: "chip", style: `background:${colors[value] ?? "#ccc"}`, "aria-hidden": "true" }),
        h("span", { class: "swatch-name" }, value),
      ),
    );
  }
  return group;
}

function renderProtect(): void {
  const preset = state.preset!;
  const container = byId("protect");
  clear(container);
  const names = [...new Set([...preset.protect_defaults, ...preset.concepts])];
  for (const name of names) {
    const edited = state.edits.get(name)?.on ?? false;
    const box = h("input", {
      type: "checkbox",
      id: `protect-${name.toLowerCase()}`,
      checked: state.protect.has(name),
      disabled: edited,
    });
    box.addEventListener("change", () => (box.checked ? state.protect.add(name) : state.protect.delete(name)));
    container.append(
      h(
        "label",
        { class: "chip-toggle", for: box.id, title: edited ? "edited, so it cannot be protected" : null },
        box,
        ` ${name}`,
      ),
    );
  }
}

function conceptMap(): ConceptMap {
  const map: ConceptMap = {};
  for (const [concept, edit] of state.edits) if (edit.on) map[concept] = { action: edit.action, value: edit.value };
  return map;
}

async function loadRules(): Promise<void> {
  const rules = await api<client.Rule[]>("GET", "/rules");
  const list = byId("rule-list");
  clear(list);
  if (rules.length === 0) list.append(h("li", { class: "hint" }, "No saved rules yet."));
  for (const rule of rules) {
    list.append(
      h(
        "li",
        {},
        h("span", {}, `${rule.name} (${rule.preset_id})`),
        h("button", { type: "button", onclick: () => void attempt(() => applyRule(rule.id)) }, `Load ${rule.name}`),
        h("button", { type: "button", onclick: () => void attempt(() => deleteRule(rule)) }, `Delete ${rule.name}`),
      ),
    );
  }
}
async function saveRule(): Promise<void> {
  const name = byId<HTMLInputElement>("rule-name").value.trim() || `Rule ${new Date().toLocaleString()}`;
  const concepts = conceptMap();
  if (Object.keys(concepts).length === 0) return say("Tick at least one concept to edit before saving a rule.");
  await api("POST", "/rules", { name, preset_id: state.preset!.id, concepts, protect: [...state.protect] });
  say(`Rule "${name}" saved.`);
  await Promise.all([loadRules(), refreshAccount()]);
}
async function applyRule(id: string): Promise<void> {
  const rule = await api<client.Rule>("GET", `/rules/${id}`);
  if (rule.preset_id !== state.preset?.id) {
    byId<HTMLSelectElement>("preset").value = rule.preset_id;
    await loadPreset(rule.preset_id);
  }
  for (const [concept, edit] of state.edits) {
    const saved = rule.concepts?.[concept];
    edit.on = Boolean(saved);
    if (saved) Object.assign(edit, saved);
  }
  state.protect = new Set(rule.protect ?? []);
  byId<HTMLInputElement>("rule-name").value = rule.name;
  renderConcepts();
  renderProtect();
  renderVariants();
  say(`Rule "${rule.name}" loaded.`);
}
async function deleteRule(rule: client.Rule): Promise<void> {
  await api("DELETE", `/rules/${rule.id}`);
  say(`Rule "${rule.name}" deleted.`);
  await Promise.all([loadRules(), refreshAccount()]);
}

// ---- output template and variants ----
function selectedTemplate(): OutputTemplate | null {
  const id = byId<HTMLSelectElement>("template").value;
  return state.preset?.output_templates.find((template) => template.id === id) ?? null;
}
function renderTemplates(): void {
  const select = byId<HTMLSelectElement>("template");
  select.replaceChildren(
    h("option", { value: "" }, "No template: results and previews"),
    ...state.preset!.output_templates.map((template) => h("option", { value: template.id }, template.name)),
  );
  renderVariants();
}
function renderVariants(): void {
  const template = selectedTemplate();
  byId("template-desc").textContent = template?.description ?? "Each photo's result and preview.";
  const limits = template ? VARIANT_LIMITS[template.slug] : undefined;
  const fieldset = byId("variants");
  fieldset.hidden = !limits;
  if (!limits || !template) return;
  byId("variants-hint").textContent =
    `${template.needs_variants ? "Required" : "Optional (the preset's styles are used without them)"}: ` +
    `${limits.min}–${limits.max} named variants, each giving the edited concepts its own value.`;
  const edited = [...state.edits].filter(([, edit]) => edit.on);
  const list = byId("variant-list");
  clear(list);
  state.variants.forEach((variant, index) => {
    const nameInput = h("input", { id: `variant-${index}`, value: variant.name, maxlength: 40, autocomplete: "off" });
    nameInput.addEventListener("input", () => (variant.name = nameInput.value));
    const box = h(
      "div",
      { class: "variant", role: "group", "aria-label": `Variant ${index + 1}` },
      h("label", { for: nameInput.id }, `Variant ${index + 1} name`),
      nameInput,
    );
    for (const [concept, edit] of edited) {
      const palette = state.preset!.palette.concepts[concept]!;
      const current = variant.values[concept] ?? edit.value;
      variant.values[concept] = current;
      box.append(
        valuePicker(
          `Variant ${index + 1} ${concept}`,
          edit,
          palette,
          (value) => (variant.values[concept] = value),
          `v${index}-${concept.toLowerCase()}`,
          current,
        ),
      );
    }
    box.append(
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            state.variants.splice(index, 1);
            renderVariants();
          },
        },
        `Remove variant ${index + 1}`,
      ),
    );
    list.append(box);
  });
  if (edited.length === 0) list.append(h("p", { class: "hint" }, "Tick a concept to edit first."));
  const add = byId<HTMLButtonElement>("add-variant");
  add.disabled = state.variants.length >= limits.max;
}
function variantsBody(): { name: string; concepts: ConceptMap }[] | undefined {
  if (byId("variants").hidden || state.variants.length === 0) return undefined;
  const base = conceptMap();
  return state.variants.map((variant, index) => ({
    name: variant.name.trim() || `Option ${index + 1}`,
    concepts: Object.fromEntries(
      Object.entries(base).map(([concept, edit]) => [
        concept,
        { action: edit.action, value: variant.values[concept] ?? edit.value },
      ]),
    ),
  }));
}

// ---- album ----
function addFiles(files: FileList | File[]): void {
  const chosen = [...files];
  const refused = chosen.filter((file) => !ACCEPTED_TYPES.includes(file.type));
  const photos = chosen.filter((file) => ACCEPTED_TYPES.includes(file.type));
  for (const photo of state.photos) if (photo.url) URL.revokeObjectURL(photo.url);
  state.photos = photos.map((file) => ({
    file,
    url: URL.createObjectURL(file),
    status: "pending",
    uploaded: 0,
    resultUrl: null,
    error: null,
  }));
  // state.jobId stays: an uploaded job not yet run can still be canceled (and holds the plan's slot).
  renderUploads();
  byId<HTMLButtonElement>("upload").disabled = photos.length === 0;
  byId<HTMLButtonElement>("execute").disabled = true;
  const note = refused.length ? ` ${refused.length} file(s) skipped: only JPEG, PNG and WebP photos are accepted.` : "";
  say(`${photos.length} photo${photos.length === 1 ? "" : "s"} ready to upload.${note}`);
}
function renderUploads(): void {
  const list = byId("uploads");
  clear(list);
  state.photos.forEach((photo, idx) => {
    list.append(
      h(
        "li",
        {},
        h("img", { src: photo.url ?? "", alt: "", width: 48, height: 36 }),
        h("span", { class: "file-name" }, photo.file?.name ?? `photo ${idx + 1}`),
        h("progress", {
          max: 1,
          value: photo.uploaded,
          "aria-label": `Upload of ${photo.file?.name ?? `photo ${idx + 1}`}`,
        }),
        h("span", { class: "hint" }, `${Math.round(photo.uploaded * 100)} %`),
      ),
    );
  });
}
async function uploadAlbum(): Promise<void> {
  const button = byId<HTMLButtonElement>("upload");
  button.disabled = true;
  let uploaded = false;
  try {
    const created = await api<client.JobCreated>("POST", "/jobs", {
      preset: state.preset!.id,
      item_count: state.photos.length,
    });
    state.jobId = created.job_id;
    // A new album is a new job: the previous job's progress and set make way.
    state.watch?.stop();
    byId("progress-section").hidden = true;
    byId("set-section").hidden = true;
    say(`Uploading ${state.photos.length} photos…`);
    const queue = [...created.upload];
    const worker = async () => {
      for (let slot = queue.shift(); slot; slot = queue.shift()) {
        const photo = state.photos[slot.idx]!;
        photo.status = "uploading";
        await putFile(slot.url, photo.file!, (fraction) => {
          photo.uploaded = fraction;
          updateUploadRow(slot.idx);
        });
        photo.uploaded = 1;
        photo.status = "uploaded";
        updateUploadRow(slot.idx);
      }
    };
    await Promise.all(Array.from({ length: UPLOADS_AT_ONCE }, worker));
    await api("POST", `/jobs/${created.job_id}/confirm-upload`);
    state.jobStatus = "uploaded";
    byId<HTMLButtonElement>("execute").disabled = false;
    byId("cancel").hidden = false;
    uploaded = true;
    // Uploaded photos are done with; choosing photos again enables the button for a new album.
    button.disabled = true;
    say(
      `Album uploaded (${state.photos.length} photo${state.photos.length === 1 ? "" : "s"}). ` +
        "Choose an output template and run the job.",
    );
    await Promise.all([refreshAccount(), loadHistory(true)]);
  } finally {
    if (!uploaded) button.disabled = state.photos.length === 0;
  }
}
function updateUploadRow(idx: number): void {
  const row = byId("uploads").children[idx];
  const photo = state.photos[idx]!;
  const bar = row?.querySelector("progress");
  if (bar) bar.value = photo.uploaded;
  const label = row?.querySelector(".hint");
  if (label) label.textContent = `${Math.round(photo.uploaded * 100)} %`;
}

// ---- run and watch ----
async function execute(): Promise<void> {
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

function watchJob(jobId: string): void {
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
  const refresh = async (): Promise<JobView> => {
    const job = await api<JobView>("GET", `/jobs/${jobId}`);
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
      await Promise.all([refreshAccount(), loadHistory(true)]);
      if (job.status !== "canceled") await showSet(jobId, job);
    });
  };

  // The job's events over a WebSocket (docs/events.md): the JWT rides as the `bearer.` subprotocol.
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/jobs/${jobId}/events`, ["s3.v1", `bearer.${token.get()}`]);
  setLive("connecting", events);
  socket.onopen = () => setLive("live", events);
  socket.onmessage = (message) => {
    const event = JSON.parse(String(message.data)) as {
      type: "snapshot" | "progress" | "end";
      status: string;
      progress: client.Progress;
      item?: { idx: number; status: ItemStatus };
    };
    events++;
    setLive(event.type === "end" ? "ended" : "live", events);
    if (event.type === "snapshot") applyJob({ ...(event as unknown as JobView), outputs_ready: [] }, false);
    if (event.item) {
      const photo = state.photos[event.item.idx];
      if (photo) photo.status = event.item.status;
    }
    updateStatus(event.status, event.progress);
    if (event.type === "end") void finish();
    else if (event.item?.status === "done") queueRefresh();
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

function applyJob(job: JobView, withOutputs = true): void {
  while (state.photos.length < job.progress.total)
    state.photos.push({ file: null, url: null, status: "pending", uploaded: 1, resultUrl: null, error: null });
  for (const item of job.items) {
    const photo = state.photos[item.idx];
    if (!photo) continue;
    photo.status = item.status;
    photo.error = item.error ? explain(new ApiFailure(item.error.code, item.error.message, 0)) : null;
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

function updateStatus(status: string, progress: client.Progress): void {
  state.jobStatus = status;
  const finished = progress.done + progress.failed;
  byId("job-status").textContent =
    `Job ${status}: ${finished} of ${progress.total} photos finished` +
    (progress.failed ? ` (${progress.failed} failed)` : "");
  const bar = byId<HTMLProgressElement>("job-progress");
  bar.max = Math.max(progress.total, 1);
  bar.value = finished;
}

function renderPhotos(): void {
  const list = byId("photos");
  state.photos.forEach((photo, idx) => {
    const item = list.children[idx] as HTMLElement | undefined;
    const key = `${photo.status}|${photo.resultUrl ?? ""}|${photo.error ?? ""}`;
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

async function cancelJob(jobId = state.jobId): Promise<void> {
  if (!jobId) return;
  const answer = await api<{ status: string; refunded: number }>("POST", `/jobs/${jobId}/cancel`);
  say(`Job canceled; ${answer.refunded} credit${answer.refunded === 1 ? "" : "s"} refunded.`);
  if (jobId === state.jobId) {
    state.watch?.stop();
    byId("cancel").hidden = true;
    byId("job-status").textContent = "Job canceled.";
  }
  await Promise.all([refreshAccount(), loadHistory(true)]);
}

// ---- the set ----
/** The set's groups, template images first (docs/sets.md lists each template's files). */
const ROLE_HEADINGS: Record<SetRole, string> = {
  before_after: "Before / after",
  share_card: "Share cards",
  options: "Option sheets",
  board: "Option boards",
  variant: "Variants",
  pack: "Product pack",
  thumbnail: "Thumbnails",
  result: "Results",
  preview: "Previews",
};

async function showSet(jobId: string, job: JobView): Promise<void> {
  const section = byId("set-section");
  const files = byId("set-files");
  const zip = byId<HTMLAnchorElement>("zip");
  section.hidden = false;
  clear(files);
  let set: client.JobSet;
  try {
    set = await api<client.JobSet>("GET", `/jobs/${jobId}/set`);
  } catch (error) {
    if (!isMissingRoute(error)) throw error;
    return showResults(job);
  }
  // A plain link: zip_url is signed and expiring, so the browser downloads it without the JWT (docs/sets.md).
  zip.href = set.zip_url;
  zip.download = `${jobId}.zip`;
  zip.hidden = false;
  const template = state.preset?.output_templates.find((t) => t.id === set.template || t.slug === set.template);
  byId("set-template").textContent = set.template
    ? `Template: ${template?.name ?? set.template} · ${set.files.length} files`
    : `No template: each photo's result and preview · ${set.files.length} files`;
  const byRole = Map.groupBy(set.files, (file) => file.role);
  for (const role of Object.keys(ROLE_HEADINGS) as SetRole[]) {
    const group = byRole.get(role);
    if (!group) continue;
    const headingId = `set-${role}`;
    files.append(
      h("h3", { id: headingId }, `${ROLE_HEADINGS[role]} (${group.length})`),
      h(
        "ul",
        { class: "set-files", "aria-labelledby": headingId, "data-role": role },
        ...group.map((file) =>
          h(
            "li",
            {},
            h(
              "a",
              { href: file.url, download: "" },
              file.content_type.startsWith("image/")
                ? h("img", { src: file.url, alt: "", loading: "lazy", width: file.width, height: file.height })
                : null,
              h("span", {}, describeFile(file)),
            ),
          ),
        ),
      ),
    );
  }
}
function describeFile(file: client.SetFile): string {
  const name = file.variant ?? (file.part && file.part !== file.role ? file.part : null);
  return (
    `Photo ${file.idx + 1}${name ? ` · ${name}` : ""}` +
    (file.width !== null && file.height !== null ? ` · ${file.width}×${file.height}` : "") +
    (file.bytes !== null ? ` · ${Math.max(1, Math.round(file.bytes / 1024))} KiB` : "")
  );
}
/** An API that does not list sets: the results and previews GET /jobs/{id} gives, as links. */
function showResults(job: JobView): void {
  byId("zip").hidden = true;
  byId("set-template").textContent = "This API does not list sets; here are the results.";
  byId("set-files").append(
    h(
      "ul",
      { class: "set-files" },
      ...job.outputs_ready.map((output) =>
        h(
          "li",
          {},
          h("a", { href: output.result_url }, `Photo ${output.idx + 1} result`),
          " · ",
          h("a", { href: output.preview_url }, "preview"),
        ),
      ),
    ),
  );
}

// ---- history ----
async function loadHistory(fromStart: boolean): Promise<void> {
  const query = new URLSearchParams({ limit: String(HISTORY_PAGE) });
  if (!fromStart && state.historyCursor) query.set("cursor", state.historyCursor);
  const page = await api<{ jobs: client.JobSummary[]; next_cursor: string | null }>("GET", `/jobs?${query}`);
  byId("history-section").hidden = false;
  const body = byId("history");
  if (fromStart) clear(body);
  body.append(...page.jobs.map(historyRow));
  state.historyCursor = page.next_cursor;
  byId("more-jobs").hidden = !page.next_cursor;
}
function historyRow(job: client.JobSummary): HTMLTableRowElement {
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
async function deleteJob(job: client.JobSummary): Promise<void> {
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

// ---- wiring ----
function wire(): void {
  byId("sign-in").addEventListener("click", () => void attempt(signIn));
  byId<HTMLSelectElement>("preset").addEventListener("change", (event) => {
    const id = (event.target as HTMLSelectElement).value;
    if (id !== state.preset?.id) void attempt(() => loadPreset(id));
  });
  byId("save-rule").addEventListener("click", () => void attempt(saveRule));
  byId<HTMLInputElement>("files").addEventListener("change", (event) => {
    const input = event.target as HTMLInputElement;
    if (input.files) addFiles(input.files);
    // Cleared, so choosing the same photos again (a new album) fires another change.
    input.value = "";
  });
  const drop = byId("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer?.files) addFiles(event.dataTransfer.files);
  });
  byId("upload").addEventListener("click", () => void attempt(uploadAlbum));
  byId("template").addEventListener("change", renderVariants);
  byId("add-variant").addEventListener("click", () => {
    state.variants.push({ name: `Option ${state.variants.length + 1}`, values: {} });
    renderVariants();
    byId(`variant-${state.variants.length - 1}`).focus();
  });
  byId("execute").addEventListener("click", () => void attempt(execute));
  byId("cancel").addEventListener("click", () => void attempt(() => cancelJob()));
  byId("more-jobs").addEventListener("click", () => void attempt(() => loadHistory(false)));
}

wire();
if (token.get()) void attempt(enterWorkspace);
else showSignedOut();
