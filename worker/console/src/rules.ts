// The saved rules: the list (each saying what it does), load, save in place (PUT /rules/{id}) or as a
// new rule (POST /rules), and delete after a confirmation.
import type { SavedRule } from "@s3/contract";
import { api } from "./api";
import { confirmAction } from "./confirm";
import { byId, clear, h } from "./dom";
import { conceptMap, describeRule } from "./edits";
import { attempt, say, tell } from "./feedback";
import { t } from "./i18n";
import { loadPreset, renderEditor } from "./rule-editor";
import { sections, state } from "./state";

let saved: SavedRule[] = [];

export async function loadRules(): Promise<void> {
  saved = await api<SavedRule[]>("GET", "/rules");
  renderRules();
}
export function renderRules(): void {
  const list = byId("rule-list");
  clear(list);
  if (saved.length === 0) list.append(h("li", { class: "hint" }, t("no_rules")));
  for (const rule of saved) {
    const load = h("button", { type: "button" }, t("load_rule", { name: rule.name }));
    load.addEventListener("click", () => void attempt(() => applyRule(rule.id), load));
    const remove = h("button", { type: "button", class: "danger" }, t("delete_rule", { name: rule.name }));
    remove.addEventListener("click", () => void attempt(() => deleteRule(rule), remove));
    list.append(
      h(
        "li",
        { class: rule.id === state.ruleId ? "loaded" : null, "data-rule-id": rule.id },
        h(
          "div",
          { class: "rule-text" },
          h("strong", {}, rule.name),
          rule.id === state.ruleId ? h("span", { class: "badge" }, t("rule_in_editor")) : null,
          h("span", { class: "hint" }, describeRule(rule.concepts, rule.protect)),
        ),
        h("div", { class: "rule-actions" }, load, remove),
      ),
    );
  }
  byId("save-rule").textContent = state.ruleId ? t("save_rule_changes") : t("save_rule");
  byId("save-new-rule").hidden = !state.ruleId;
}

/** Save: the loaded rule in place, or a new rule; `asNew` saves a copy even when one is loaded. */
export async function saveRule(asNew = false): Promise<void> {
  const button = byId(asNew ? "save-new-rule" : "save-rule");
  const name =
    byId<HTMLInputElement>("rule-name").value.trim() || t("rule_default_name", { when: new Date().toLocaleString() });
  const concepts = conceptMap();
  if (Object.keys(concepts).length === 0) return tell(button, t("tick_before_save"));
  const body = { name, concepts, protect: [...state.protect] };
  const update = Boolean(state.ruleId && !asNew);
  if (update) {
    // A rule keeps its preset (loading another preset leaves the rule, rule-editor.ts).
    await api("PUT", `/rules/${state.ruleId}`, body);
  } else {
    const created = await api<SavedRule>("POST", "/rules", { ...body, preset_id: state.preset!.id });
    state.ruleId = created.id;
  }
  await Promise.all([loadRules(), sections.refreshAccount()]);
  // Said once the list and the account line show it.
  say(t(update ? "rule_updated" : "rule_saved", { name }));
}
export async function applyRule(id: string): Promise<void> {
  const rule = await api<SavedRule>("GET", `/rules/${id}`);
  if (rule.preset_id !== state.preset?.id) {
    byId<HTMLSelectElement>("preset").value = rule.preset_id;
    await loadPreset(rule.preset_id);
  }
  for (const [concept, edit] of state.edits) {
    const kept = rule.concepts?.[concept];
    edit.on = Boolean(kept);
    if (kept) Object.assign(edit, kept);
  }
  state.protect = new Set(rule.protect ?? []);
  state.ruleId = rule.id;
  byId<HTMLInputElement>("rule-name").value = rule.name;
  renderEditor();
  renderRules();
  say(t("rule_loaded", { name: rule.name }));
}
export async function deleteRule(rule: SavedRule): Promise<void> {
  if (!(await confirmAction(t("confirm_delete_rule", { name: rule.name }), t("delete")))) return;
  await api("DELETE", `/rules/${rule.id}`);
  if (state.ruleId === rule.id) state.ruleId = null;
  await Promise.all([loadRules(), sections.refreshAccount()]);
  say(t("rule_deleted", { name: rule.name }));
  byId("rule-name").focus();
}
