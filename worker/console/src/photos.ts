// The album's photos in the progress section: each photo's name, status, what was found, what needs a
// look, the before/after (dragged on the image itself, or by its slider), "Open" into the viewer, and
// a box to draw on the photo as a hint for a concept that was missed: before the run, or on a finished
// job's flagged or failed photo, for its retry.
import { byId, h } from "./dom";
import { t } from "./i18n";
import { nameText } from "./names";
import { foundLine, fromStandIn, reviewNote } from "./review";
import { state, type Box, type Photo } from "./state";
import { openViewer } from "./viewer";

const boxKey = (photo: Photo) => JSON.stringify(photo.hints);

export function renderPhotos(): void {
  const list = byId("photos");
  const drawing = state.jobStatus === "uploaded";
  const finished = (state.jobStatus === "done" || state.jobStatus === "failed") && !state.deletedJob;
  state.photos.forEach((photo, idx) => {
    const item = list.children[idx] as HTMLElement | undefined;
    // A box is drawn before the run, or on a finished photo that a retry would run again.
    const hinting = drawing || (finished && (photo.status === "failed" || photo.needsReview));
    const key = [
      photo.status,
      photo.resultUrl,
      photo.error,
      JSON.stringify(photo.report),
      drawing,
      hinting,
      boxKey(photo),
      photo.url,
    ].join("|");
    if (item?.dataset.key === key) return;
    const fresh = photoItem(photo, idx, drawing, hinting);
    fresh.dataset.key = key;
    const active = document.activeElement;
    const focusedId = active instanceof HTMLElement && item?.contains(active) ? active.id : "";
    if (item) item.replaceWith(fresh);
    else list.append(fresh);
    if (focusedId) document.getElementById(focusedId)?.focus();
  });
  while (list.children.length > state.photos.length) list.lastElementChild?.remove();
  const standIn = state.photos.some((photo) => fromStandIn(photo.report));
  byId("stand-in").hidden = !standIn;
}

const photoLabel = (photo: Photo, idx: number) => t("photo_n", { n: idx + 1 });

function photoItem(photo: Photo, idx: number, drawing: boolean, hinting: boolean): HTMLLIElement {
  // An uploaded job's items are all pending: they read as uploaded until the run starts.
  const shown = drawing && photo.status === "pending" ? "uploaded" : photo.status;
  const found = foundLine(photo.report);
  const review = reviewNote(photo.report);
  return h(
    "li",
    { "data-status": photo.status, class: "photo" },
    h(
      "p",
      {},
      h("strong", {}, photoLabel(photo, idx)),
      photo.name ? h("span", { class: "file-name" }, ` ${photo.name}`) : "",
      " — ",
      h("span", { class: `status status-${shown}` }, t(`status_${shown}`)),
      photo.error ? ` — ${photo.error}` : "",
    ),
    found ? h("p", { class: "found" }, found) : null,
    review ? h("p", { class: "review" }, review) : null,
    photo.resultUrl ? compare(idx, photo) : null,
    hinting && photo.url && !(drawing && photo.resultUrl) ? hintFrame(photo, idx, !drawing) : null,
  );
}

/** Sets the split of a before/after frame from a pointer's x on it (the image itself is the handle). */
export function dragSplit(frame: HTMLElement, onSplit: (percent: number) => void): void {
  const at = (event: PointerEvent) => {
    const box = frame.getBoundingClientRect();
    onSplit(Math.round(Math.min(100, Math.max(0, ((event.clientX - box.left) / box.width) * 100))));
  };
  frame.addEventListener("pointerdown", (event) => {
    if (event.button !== 0) return;
    frame.setPointerCapture(event.pointerId);
    at(event);
    const move = (next: PointerEvent) => at(next);
    const up = () => {
      frame.removeEventListener("pointermove", move);
      frame.removeEventListener("pointerup", up);
    };
    frame.addEventListener("pointermove", move);
    frame.addEventListener("pointerup", up);
  });
}

/** Before/after: the result laid over the input, uncovered by dragging on it or by the slider. */
function compare(idx: number, photo: Photo): HTMLElement {
  const label = photoLabel(photo, idx);
  const after = h("img", { src: photo.resultUrl!, alt: t("alt_after", { photo: label }), class: "after" });
  const before = photo.url
    ? h("img", { src: photo.url, alt: t("alt_before", { photo: label }), class: "before" })
    : h("div", { class: "before missing" }, t("original_missing"));
  const slider = h("input", {
    type: "range",
    min: 0,
    max: 100,
    value: 50,
    id: `compare-${idx}`,
    "aria-valuetext": t("split_text", { n: 50 }),
  });
  const frame = h("div", { class: "frame", style: "--split:50%" }, before, after);
  const setSplit = (percent: number) => {
    slider.value = String(percent);
    frame.style.setProperty("--split", `${percent}%`);
    slider.setAttribute("aria-valuetext", t("split_text", { n: percent }));
  };
  slider.addEventListener("input", () => setSplit(Number(slider.value)));
  if (photo.url) dragSplit(frame, setSplit);
  const open = h("button", { type: "button", id: `open-${idx}`, class: "open" }, t("open_photo", { photo: label }));
  // The viewer walks the photos that have a result: this photo's place among them.
  const place = state.photos.slice(0, idx).filter((other) => other.resultUrl).length;
  open.addEventListener("click", () => openViewer(photoEntries(), place));
  return h(
    "figure",
    { class: "compare" },
    frame,
    h("figcaption", {}, h("label", { for: slider.id }, t("compare_label", { photo: label })), slider, open),
  );
}

/** The album's photos as the viewer walks them: result over its input. */
export function photoEntries() {
  return state.photos.flatMap((photo, idx) =>
    photo.resultUrl
      ? [
          {
            title: `${photoLabel(photo, idx)}${photo.name ? ` · ${photo.name}` : ""}`,
            src: photo.resultUrl,
            before: photo.url,
            masks: photo.masks,
          },
        ]
      : [],
  );
}

/** Before the run: the photo with the boxes drawn on it, and a concept to draw the next one for. */
function hintFrame(photo: Photo, idx: number, forRetry: boolean): HTMLElement {
  const concepts = [...state.edits].filter(([, edit]) => edit.on).map(([concept]) => concept);
  const choices = concepts.length ? concepts : (state.preset?.concepts ?? []);
  const missed = Object.entries(photo.report?.concepts ?? {}).find(([, f]) => f.instances === 0)?.[0];
  const select = h(
    "select",
    { id: `hint-concept-${idx}`, "aria-label": t("hint_concept", { photo: photoLabel(photo, idx) }) },
    ...choices.map((concept) => h("option", { value: concept, selected: concept === missed }, nameText(concept))),
  );
  const image = h("img", {
    src: photo.url!,
    alt: t("alt_input", { photo: photoLabel(photo, idx) }),
    draggable: "false",
  });
  const frame = h("div", { class: "hint-frame", "data-idx": idx }, image);
  for (const [concept, boxes] of Object.entries(photo.hints))
    for (const box of boxes) frame.append(boxElement(box, image, nameText(concept)));
  drawBoxes(frame, image, (box) => {
    (photo.hints[select.value] ??= []).push(box);
    renderPhotos();
  });
  const clearButton = h("button", { type: "button", id: `clear-hints-${idx}` }, t("clear_boxes"));
  clearButton.addEventListener("click", () => {
    photo.hints = {};
    renderPhotos();
  });
  const count = Object.values(photo.hints).flat().length;
  return h(
    "figure",
    { class: "hint-figure" },
    frame,
    h(
      "figcaption",
      {},
      h("label", { for: select.id }, t("draw_box_for")),
      select,
      h(
        "span",
        { class: "hint" },
        count ? t("boxes_drawn", { n: count }) : t(forRetry ? "draw_box_retry" : "draw_box_how"),
      ),
      count ? clearButton : null,
    ),
  );
}
/** A box's left, top, width and height as CSS, each times `by`, in `unit`. */
const placeAt = (left: number, top: number, width: number, height: number, unit: string, by: number): string =>
  `left:${left * by}${unit};top:${top * by}${unit};width:${width * by}${unit};height:${height * by}${unit}`;

function boxElement(box: Box, image: HTMLImageElement, name: string): HTMLElement {
  const width = image.naturalWidth || 1;
  const height = image.naturalHeight || 1;
  const [x0, y0, x1, y1] = box;
  return h(
    "span",
    {
      class: "hint-box",
      style: placeAt(x0 / width, y0 / height, (x1 - x0) / width, (y1 - y0) / height, "%", 100),
      title: name,
    },
    h("span", { class: "hint-box-name" }, name),
  );
}
/** A box dragged on the image, in the photo's own pixels (what scan and execute take as hints). */
function drawBoxes(frame: HTMLElement, image: HTMLImageElement, onBox: (box: Box) => void): void {
  frame.addEventListener("pointerdown", (start) => {
    if (start.button !== 0) return;
    start.preventDefault();
    frame.setPointerCapture(start.pointerId);
    const rect = image.getBoundingClientRect();
    const scale = (image.naturalWidth || rect.width) / rect.width;
    const toPixels = (event: PointerEvent): [number, number] => [
      Math.round(Math.min(Math.max(event.clientX - rect.left, 0), rect.width) * scale),
      Math.round(Math.min(Math.max(event.clientY - rect.top, 0), rect.height) * scale),
    ];
    const [sx, sy] = toPixels(start);
    const live = h("span", { class: "hint-box drawing" });
    frame.append(live);
    const move = (event: PointerEvent) => {
      const [x, y] = toPixels(event);
      live.style.cssText = placeAt(
        Math.min(sx, x),
        Math.min(sy, y),
        Math.abs(x - sx),
        Math.abs(y - sy),
        "px",
        1 / scale,
      );
    };
    const up = (event: PointerEvent) => {
      frame.removeEventListener("pointermove", move);
      frame.removeEventListener("pointerup", up);
      live.remove();
      const [x, y] = toPixels(event);
      if (Math.abs(x - sx) > 4 && Math.abs(y - sy) > 4)
        onBox([Math.min(sx, x), Math.min(sy, y), Math.max(sx, x), Math.max(sy, y)]);
    };
    frame.addEventListener("pointermove", move);
    frame.addEventListener("pointerup", up);
  });
}
