// The album: the photos chosen or dropped, their previews, and their upload to a new job through
// presigned PUTs, a few at a time.
import type { CreatedJob } from "@s3/contract";
import { api, putFile } from "./api";
import { byId, clear, h } from "./dom";
import { say } from "./notices";
import { sections, state } from "./state";

const ACCEPTED_TYPES = ["image/jpeg", "image/png", "image/webp"];
const UPLOADS_AT_ONCE = 3;

export function addFiles(files: FileList | File[]): void {
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
    review: null,
  }));
  // state.jobId stays: an uploaded job not yet run can still be canceled (and holds the plan's slot).
  renderUploads();
  byId<HTMLButtonElement>("upload").disabled = photos.length === 0;
  byId<HTMLButtonElement>("execute").disabled = true;
  const note = refused.length ? ` ${refused.length} file(s) skipped: only JPEG, PNG and WebP photos are accepted.` : "";
  say(`${photos.length} photo${photos.length === 1 ? "" : "s"} ready to upload.${note}`);
}
export function renderUploads(): void {
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
export async function uploadAlbum(): Promise<void> {
  const button = byId<HTMLButtonElement>("upload");
  button.disabled = true;
  let uploaded = false;
  try {
    const created = await api<CreatedJob>("POST", "/jobs", {
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
    await Promise.all([sections.refreshAccount(), sections.loadHistory(true)]);
  } finally {
    if (!uploaded) button.disabled = state.photos.length === 0;
  }
}
export function updateUploadRow(idx: number): void {
  const row = byId("uploads").children[idx];
  const photo = state.photos[idx]!;
  const bar = row?.querySelector("progress");
  if (bar) bar.value = photo.uploaded;
  const label = row?.querySelector(".hint");
  if (label) label.textContent = `${Math.round(photo.uploaded * 100)} %`;
}
