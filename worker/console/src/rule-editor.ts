// The rule editor: the preset's concepts to edit (an action and a value each) and the concepts to
// protect. Each re-render keeps the keyboard's place (dom.ts keepFocus).
import type { Action, PresetDetail } from "@s3/contract";
import { api } from "./api";
import { byId, clear, h, keepFocus } from "./dom";
import { valuePicker } from "./edits";
import { t } from "./i18n";
import { nameOf, nameSpan, nameText } from "./names";
import { state } from "./state";
import { renderTemplates, renderVariants } from "./variants";

export async function loadPreset(id: string): Promise<void> {
  const preset = await api<PresetDetail>("GET", `/presets/${encodeURIComponent(id)}`);
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
  state.ruleId = null;
  renderEditor();
  renderTemplates();
}

/** The concepts, the protect list and the variants that follow them. */
export function renderEditor(): void {
  renderConcepts();
  renderProtect();
  renderVariants();
}

export function renderConcepts(): void {
  const container = byId("concepts");
  keepFocus(container, () => fillConcepts(container));
}
function fillConcepts(container: HTMLElement): void {
  const preset = state.preset!;
  clear(container);
  for (const concept of preset.concepts) {
    const edit = state.edits.get(concept)!;
    const palette = preset.palette.concepts[concept]!;
    const slug = concept.toLowerCase();
    const name = nameOf(concept);
    const actions = preset.palette.actions.filter((action) => palette[action].length > 0);
    const row = h("div", { class: `concept${edit.on ? " on" : ""}`, role: "group", "aria-label": name.text });
    const toggle = h("input", { type: "checkbox", id: `edit-${slug}`, checked: edit.on });
    toggle.addEventListener("change", () => {
      edit.on = toggle.checked;
      if (edit.on) state.protect.delete(concept);
      renderEditor();
    });
    const actionSelect = h(
      "select",
      { id: `action-${slug}`, "aria-label": t("concept_action", { name: name.text }), disabled: !edit.on },
      ...actions.map((action) =>
        h("option", { value: action, selected: action === edit.action }, t(`action_${action}`)),
      ),
    );
    actionSelect.addEventListener("change", () => {
      edit.action = actionSelect.value as Action;
      edit.value = palette[edit.action][0] ?? "";
      renderConcepts();
      renderVariants();
    });
    row.append(
      h("label", { class: "concept-name", for: toggle.id }, toggle, " ", t("edit_concept", { name: name.text })),
      actionSelect,
    );
    row.append(valuePicker(name.text, edit, palette, (value) => (edit.value = value), slug));
    container.append(row);
  }
}

export function renderProtect(): void {
  const container = byId("protect");
  keepFocus(container, () => {
    const preset = state.preset!;
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
          {
            class: "chip-toggle",
            for: box.id,
            title: edited ? t("edited_not_protected", { name: nameText(name) }) : null,
          },
          box,
          " ",
          nameSpan(name),
        ),
      );
    }
  });
}
