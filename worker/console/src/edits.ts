// The rule being edited, as the rule editor and the variants both use it: its concept map and the
// picker for one concept's value.
import type { ConceptPaletteView, RuleAction } from "@s3/contract";
import { h } from "./dom";
import { state, type Edit } from "./state";

/** concept → {action, value}: what execute, a saved rule and each variant carry. */
export type ConceptMap = Record<string, RuleAction>;

/** Colours as a radio group of swatches; tones and textures as a select. */
export function valuePicker(
  concept: string,
  edit: Edit,
  palette: ConceptPaletteView,
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

export function conceptMap(): ConceptMap {
  const map: ConceptMap = {};
  for (const [concept, edit] of state.edits) if (edit.on) map[concept] = { action: edit.action, value: edit.value };
  return map;
}
