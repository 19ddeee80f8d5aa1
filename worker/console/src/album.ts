// The album before it is sent: photos chosen or dropped are added to the list (never replacing an
// uploaded album, which stays runnable), can be removed and reordered, keep their file names, and
// go up to a new job through presigned PUTs, a few at a time.
import { createdJobOf } from "@s3/client";
import { planName, PLANS } from "@s3/contract";
import { call, client, putFile } from "./api";
import { byId, clear, h, keepFocus } from "./dom";
import { clearFeedback, say, tell } from "./feedback";
import { lang, t } from "./i18n";
import { newPhoto, sections, state, type Photo } from "./state";
import { keepAlbum } from "./store";

const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp"];
const UPLOADS_AT_ONCE = 3;

const maxPhotos = (): number => PLANS[state.me?.plan ?? "free"].maxItemsPerJob;

export function addFiles(files: FileList | File[]): void {
  clearFeedback(byId("choose-photos"));
  const chosen = [...files];
  const accepted = chosen.filter((file) => ACCEPTED_TYPES.includes(file.type));
  const refused = chosen.length - accepted.length;
  // A new list: the uploaded album stays as it is (its job can still be scanned, run or canceled).
  state.draft ??= [];
  const room = maxPhotos() - state.draft.length;
  for (const file of accepted.slice(0, Math.max(room, 0)))
    state.draft.push(newPhoto(file, file.name, URL.createObjectURL(file)));
  renderUploads();
  const choose = byId("choose-photos");
  const left = accepted.length - Math.max(room, 0);
  if (left > 0)
    tell(choose, t("too_many_photos", { max: maxPhotos(), left, plan: planName(state.me?.plan ?? "free", lang()) }));
  else if (refused) tell(choose, t("files_skipped", { n: refused }));
  say(t("photos_ready", { n: state.draft.length }));
}

/** The list: the draft's photos with their order and remove buttons, or the uploaded album's. */
export function renderUploads(): void {
  const list = byId("uploads");
  const photos = state.draft ?? state.photos;
  const editable = state.draft !== null;
  keepFocus(list, () => {
    clear(list);
    photos.forEach((photo, idx) => list.append(uploadRow(photo, idx, editable, photos.length)));
  });
  byId("upload").hidden = !editable;
  byId<HTMLButtonElement>("upload").disabled = !editable || photos.length === 0;
  byId("clear-photos").hidden = !editable || photos.length === 0;
  byId("album-note").textContent =
    editable && state.jobId && state.jobStatus === "uploaded" ? t("album_kept", { n: state.photos.length }) : "";
}
function uploadRow(photo: Photo, idx: number, editable: boolean, count: number): HTMLLIElement {
  const name = photo.name ?? t("photo_n", { n: idx + 1 });
  const row = h(
    "li",
    {},
    h("img", { src: photo.url ?? "", alt: "", width: 48, height: 36 }),
    h("span", { class: "file-name" }, name),
  );
  if (editable) {
    const move = (by: number, id: string) => {
      const draft = state.draft!;
      const [taken] = draft.splice(idx, 1);
      draft.splice(idx + by, 0, taken!);
      renderUploads();
      // The same button of the moved photo keeps the focus, so a keyboard can move it again.
      document.getElementById(id.replace(/-\d+$/, `-${idx + by}`))?.focus();
    };
    const up = h(
      "button",
      { type: "button", id: `up-${idx}`, disabled: idx === 0, "aria-label": t("move_up", { name }) },
      "↑",
    );
    up.addEventListener("click", () => move(-1, up.id));
    const down = h(
      "button",
      { type: "button", id: `down-${idx}`, disabled: idx === count - 1, "aria-label": t("move_down", { name }) },
      "↓",
    );
    down.addEventListener("click", () => move(1, down.id));
    const remove = h("button", { type: "button", id: `remove-${idx}`, "aria-label": t("remove_photo", { name }) }, "✕");
    remove.addEventListener("click", () => {
      const [gone] = state.draft!.splice(idx, 1);
      if (gone?.url) URL.revokeObjectURL(gone.url);
      renderUploads();
      (document.getElementById(`remove-${Math.min(idx, state.draft!.length - 1)}`) ?? byId("choose-photos")).focus();
    });
    row.append(h("span", { class: "row-actions" }, up, down, remove));
  } else {
    row.append(
      h("progress", { max: 1, value: photo.uploaded, "aria-label": t("upload_of", { name }) }),
      h("span", { class: "hint" }, `${Math.round(photo.uploaded * 100)} %`),
    );
  }
  return row;
}
export function clearDraft(): void {
  clearFeedback(byId("choose-photos"));
  for (const photo of state.draft ?? []) if (photo.url) URL.revokeObjectURL(photo.url);
  state.draft = state.photos.length ? null : [];
  renderUploads();
  byId("choose-photos").focus();
}

export async function uploadAlbum(): Promise<void> {
  const draft = state.draft;
  if (!draft?.length) return;
  const button = byId<HTMLButtonElement>("upload");
  button.disabled = true;
  clearFeedback(byId("choose-photos"));
  try {
    const created = createdJobOf(
      await call(client.POST("/jobs", { body: { preset: state.preset!.id, item_count: draft.length } })),
    );
    // A new album is a new job: the previous job's progress and set make way.
    state.watch?.stop();
    state.photos = draft;
    state.draft = null;
    state.jobId = created.job_id;
    state.jobStatus = "created";
    byId("progress-section").hidden = true;
    byId("set-section").hidden = true;
    renderUploads();
    say(t("uploading", { n: draft.length }));
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
    await call(client.POST("/jobs/{id}/confirm-upload", { params: { path: { id: created.job_id } } }));
    await keepAlbum(
      created.job_id,
      draft.map((photo, idx) => ({ name: photo.name ?? t("photo_n", { n: idx + 1 }), blob: photo.file! })),
    );
    state.jobStatus = "uploaded";
    sections.renderControls();
    say(t("album_uploaded", { n: draft.length }));
    await Promise.all([sections.refreshAccount(), sections.loadHistory(true), sections.openJob(created.job_id)]);
  } finally {
    button.disabled = (state.draft?.length ?? 0) === 0;
  }
}
export function updateUploadRow(idx: number): void {
  if (state.draft) return;
  const row = byId("uploads").children[idx];
  const photo = state.photos[idx]!;
  const bar = row?.querySelector("progress");
  if (bar) bar.value = photo.uploaded;
  const label = row?.querySelector(".hint");
  if (label) label.textContent = `${Math.round(photo.uploaded * 100)} %`;
}
