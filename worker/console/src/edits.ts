// The rule being edited, as the rule editor and the variants both use it: its concept map, the picker
// for one concept's value, and a rule in words ("Wall → Sage · protects Grout").
import type { ConceptPaletteView, RuleAction } from "@s3/contract";
import { h } from "./dom";
import { lang, t } from "./i18n";
import { nameOf, nameText } from "./names";
import { state, type Edit } from "./state";

/** concept → {action, value}: what execute, a saved rule and each variant carry. */
export type ConceptMap = Record<string, RuleAction>;

/** Colours as a radio group of swatches; tones and textures as a select. Unticked: shown disabled. */
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
      { id: `${idPrefix}-value`, "aria-label": `${concept}: ${t(`action_${edit.action}`)}`, disabled: !edit.on },
      ...values.map((value) => h("option", { value, selected: value === current }, nameText(value))),
    );
    select.addEventListener("change", () => onPick(select.value));
    return select;
  }
  const colors = state.preset!.palette.colors;
  const group = h("div", {
    class: `swatches${edit.on ? "" : " off"}`,
    role: "radiogroup",
    "aria-label": `${concept}: ${t("colour")}`,
    "aria-disabled": edit.on ? null : "true",
  });
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
    const name = nameOf(value);
    group.append(
      radio,
      h(
        "label",
        { for: id, class: "swatch", title: edit.on ? name.text : t("tick_to_choose") },
        h("span", { class: "chip", style: `background:${colors[value] ?? "#ccc"}`, "aria-hidden": "true" }),
        h("span", { class: "swatch-name", lang: name.lang === lang() ? null : name.lang }, name.text),
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

/** What a rule does, in words: each edit, then what it protects. */
export function describeRule(concepts: ConceptMap, protect: string[]): string {
  const edits = Object.entries(concepts).map(
    ([concept, edit]) => `${nameText(concept)} → ${nameText(edit.value)} (${t(`action_${edit.action}`)})`,
  );
  const parts = [edits.join(", ") || t("rule_changes_nothing")];
  if (protect.length) parts.push(t("rule_protects", { names: protect.map((name) => nameText(name)).join(", ") }));
  return parts.join(" · ");
}
