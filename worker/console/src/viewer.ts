// The viewer: a lightbox over the page for the album's results and the set's files. Zoom (buttons,
// + and −, the wheel), pan (drag, once zoomed), the before/after split dragged on the image itself,
// ← and → across the photos or files, Escape to close; the file opens in a tab of its own. A photo's
// concept masks (docs/storage.md, Masks) can be laid over it, one tinted layer per concept, so a person
// sees what the segmenter took for the wall before trusting the result.
import { byId, clear, h, keepFocus } from "./dom";
import { t } from "./i18n";
import { nameText } from "./names";
import type { PhotoMask } from "./state";

export interface ViewerEntry {
  title: string;
  src: string;
  /** The input, for a before/after; null for a set's file. */
  before: string | null;
  /** The photo's concept masks; none for a set's file. */
  masks?: PhotoMask[];
}

/** The overlay's tints, one per mask in order: apart from each other and from the usual wall colours. */
const TINTS = ["#ff2d95", "#00c2ff", "#ffd400", "#6bff3d", "#a35cff", "#ff7a00"];
/** Protect masks: one tint, hatched, for "never touched". */
const PROTECT_TINT = "#ff2020";

const view = {
  entries: [] as ViewerEntry[],
  index: 0,
  zoom: 1,
  x: 0,
  y: 0,
  split: 50,
  compare: true,
  /** The concepts whose masks are shown; kept across photos, so ← → compares one concept's masks. */
  shownMasks: new Set<string>(),
};
let wired = false;

export function openViewer(entries: ViewerEntry[], index: number): void {
  if (entries.length === 0) return;
  const dialog = byId<HTMLDialogElement>("viewer");
  if (!wired) wire(dialog);
  view.entries = entries;
  view.index = Math.max(0, Math.min(index, entries.length - 1));
  show();
  if (!dialog.open) dialog.showModal();
  byId("viewer-stage").focus();
}

function show(): void {
  const entry = view.entries[view.index]!;
  Object.assign(view, { zoom: 1, x: 0, y: 0, split: 50, compare: entry.before !== null });
  byId("viewer-title").textContent = `${entry.title} (${view.index + 1}/${view.entries.length})`;
  const open = byId<HTMLAnchorElement>("viewer-open");
  open.href = entry.src;
  byId("viewer-compare").hidden = entry.before === null;
  const canvas = byId("viewer-canvas");
  clear(canvas);
  if (entry.before)
    canvas.append(h("img", { src: entry.before, alt: t("alt_before", { photo: entry.title }), class: "before" }));
  canvas.append(
    h("img", {
      src: entry.src,
      alt: entry.before ? t("alt_after", { photo: entry.title }) : entry.title,
      class: "after",
      draggable: "false",
    }),
  );
  byId<HTMLButtonElement>("viewer-prev").disabled = view.index === 0;
  byId<HTMLButtonElement>("viewer-next").disabled = view.index === view.entries.length - 1;
  showMasks(entry.masks ?? []);
  apply();
}

/** The mask toggles for this photo, and a tinted layer over the picture for each one switched on. */
function showMasks(masks: PhotoMask[]): void {
  const buttons = byId("viewer-mask-buttons");
  byId("viewer-masks").hidden = masks.length === 0;
  const canvas = byId("viewer-canvas");
  canvas.querySelectorAll(".mask-layer").forEach((layer) => layer.remove());
  // The toggle just pressed keeps the keyboard's focus across the redraw.
  keepFocus(buttons, () => {
    clear(buttons);
    masks.forEach((mask, index) => {
      const tint = mask.protect ? PROTECT_TINT : TINTS[index % TINTS.length]!;
      const shown = view.shownMasks.has(mask.concept);
      const name = nameText(mask.concept);
      const button = h(
        "button",
        { type: "button", id: `viewer-mask-${mask.concept}`, "aria-pressed": String(shown), class: "mask-toggle" },
        h("span", { class: "swatch", style: `background:${tint}`, "aria-hidden": "true" }),
        mask.protect ? t("mask_protected", { name }) : name,
      );
      button.addEventListener("click", () => {
        if (view.shownMasks.has(mask.concept)) view.shownMasks.delete(mask.concept);
        else view.shownMasks.add(mask.concept);
        showMasks(masks);
      });
      buttons.append(button);
      if (shown)
        canvas.append(
          h("div", {
            class: `mask-layer${mask.protect ? " protect" : ""}`,
            "data-concept": mask.concept,
            style: `--tint:${tint};--mask:url("${mask.url}")`,
          }),
        );
    });
  });
}
function apply(): void {
  const canvas = byId("viewer-canvas");
  canvas.style.transform = `translate(${view.x}px, ${view.y}px) scale(${view.zoom})`;
  canvas.style.setProperty("--split", view.compare ? `${view.split}%` : "0%");
  canvas.classList.toggle("comparing", view.compare);
  byId("viewer-zoom").textContent = `${Math.round(view.zoom * 100)} %`;
  byId("viewer-compare").setAttribute("aria-pressed", String(view.compare));
}
function zoomBy(factor: number): void {
  view.zoom = Math.min(8, Math.max(1, view.zoom * factor));
  if (view.zoom === 1) Object.assign(view, { x: 0, y: 0 });
  apply();
}
function step(by: number): void {
  const next = view.index + by;
  if (next < 0 || next >= view.entries.length) return;
  view.index = next;
  show();
}

/** M: every mask of this photo on, or all off when some are on. */
function toggleAllMasks(): void {
  const masks = view.entries[view.index]?.masks ?? [];
  if (masks.length === 0) return;
  const anyShown = masks.some((mask) => view.shownMasks.has(mask.concept));
  for (const mask of masks) {
    if (anyShown) view.shownMasks.delete(mask.concept);
    else view.shownMasks.add(mask.concept);
  }
  showMasks(masks);
}

function wire(dialog: HTMLDialogElement): void {
  wired = true;
  byId("viewer-close").addEventListener("click", () => dialog.close());
  byId("viewer-prev").addEventListener("click", () => step(-1));
  byId("viewer-next").addEventListener("click", () => step(1));
  byId("viewer-zoom-in").addEventListener("click", () => zoomBy(1.5));
  byId("viewer-zoom-out").addEventListener("click", () => zoomBy(1 / 1.5));
  byId("viewer-compare").addEventListener("click", () => {
    view.compare = !view.compare;
    apply();
  });
  dialog.addEventListener("keydown", (event) => {
    if (event.target instanceof HTMLInputElement) return;
    const keys: Record<string, () => void> = {
      ArrowLeft: () => step(-1),
      ArrowRight: () => step(1),
      "+": () => zoomBy(1.5),
      "=": () => zoomBy(1.5),
      "-": () => zoomBy(1 / 1.5),
      "0": () => zoomBy(0),
      m: () => toggleAllMasks(),
      M: () => toggleAllMasks(),
    };
    const act = keys[event.key];
    if (!act) return;
    event.preventDefault();
    act();
  });
  const stage = byId("viewer-stage");
  stage.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      zoomBy(event.deltaY < 0 ? 1.2 : 1 / 1.2);
    },
    { passive: false },
  );
  // Dragging: zoomed in, it pans; at full view over a before/after, it moves the split.
  stage.addEventListener("pointerdown", (start) => {
    if (start.button !== 0 || (start.target as HTMLElement).closest("button, a")) return;
    stage.setPointerCapture(start.pointerId);
    const origin = { x: start.clientX - view.x, y: start.clientY - view.y };
    const splitting = view.zoom === 1 && view.compare;
    const move = (event: PointerEvent) => {
      if (splitting) {
        const box = byId("viewer-canvas").getBoundingClientRect();
        view.split = Math.round(Math.min(100, Math.max(0, ((event.clientX - box.left) / box.width) * 100)));
      } else if (view.zoom > 1) Object.assign(view, { x: event.clientX - origin.x, y: event.clientY - origin.y });
      apply();
    };
    move(start);
    const up = () => {
      stage.removeEventListener("pointermove", move);
      stage.removeEventListener("pointerup", up);
    };
    stage.addEventListener("pointermove", move);
    stage.addEventListener("pointerup", up);
  });
}
