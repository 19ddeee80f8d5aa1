// The rule editor: the preset's concepts to edit (an action and a value each), the concepts to
// protect, and the saved rules to load, save and delete.
import type { Action, PresetDetail, SavedRule } from "@s3/contract";
import { api } from "./api";
import { byId, clear, h } from "./dom";
import { conceptMap, valuePicker } from "./edits";
import { attempt, say } from "./notices";
import { sections, state } from "./state";
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
  renderConcepts();
  renderProtect();
  renderTemplates();
}

export function renderConcepts(): void {
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

export function renderProtect(): void {
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

export async function loadRules(): Promise<void> {
  const rules = await api<SavedRule[]>("GET", "/rules");
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
export async function saveRule(): Promise<void> {
  const name = byId<HTMLInputElement>("rule-name").value.trim() || `Rule ${new Date().toLocaleString()}`;
  const concepts = conceptMap();
  if (Object.keys(concepts).length === 0) return say("Tick at least one concept to edit before saving a rule.");
  await api("POST", "/rules", { name, preset_id: state.preset!.id, concepts, protect: [...state.protect] });
  say(`Rule "${name}" saved.`);
  await Promise.all([loadRules(), sections.refreshAccount()]);
}
export async function applyRule(id: string): Promise<void> {
  const rule = await api<SavedRule>("GET", `/rules/${id}`);
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
export async function deleteRule(rule: SavedRule): Promise<void> {
  await api("DELETE", `/rules/${rule.id}`);
  say(`Rule "${rule.name}" deleted.`);
  await Promise.all([loadRules(), sections.refreshAccount()]);
}
