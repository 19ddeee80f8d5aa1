// The account: signing in, the line that shows the plan, credits, open jobs and rule slots, the
// language switch, and the workspace a session opens onto.
import { planName, type PresetSummary } from "@s3/contract";
import { call, client, token } from "./api";
import { byId, h } from "./dom";
import { say } from "./feedback";
import { lang, setLang, t, type Lang } from "./i18n";
import { loadHistory } from "./history";
import { presetName } from "./names";
import { loadPreset } from "./rule-editor";
import { loadRules } from "./rules";
import { state } from "./state";

export async function refreshAccount(): Promise<void> {
  state.me = await call(client.GET("/me"));
  renderAccount();
}
export function renderAccount(): void {
  const me = state.me;
  byId("account").textContent = me
    ? t("account_line", {
        plan: planName(me.plan, lang()),
        credits: me.credits,
        jobs: me.active_jobs,
        used: me.rule_slots.used,
        max: me.rule_slots.max,
      })
    : t("not_signed_in");
}
export async function signIn(): Promise<void> {
  const { token: issued } = await call(client.POST("/auth/anon"));
  token.set(issued);
  await enterWorkspace();
  // The sign-in button is gone: keyboard focus moves to the first step rather than the page's top.
  byId("preset").focus();
  say(t("signed_in"));
}
let presets: PresetSummary[] = [];
export async function enterWorkspace(): Promise<void> {
  await refreshAccount();
  byId("start").hidden = true;
  byId("workspace").hidden = false;
  presets = await call(client.GET("/presets"));
  renderPresetOptions();
  await loadPreset(byId<HTMLSelectElement>("preset").value);
  await Promise.all([loadRules(), loadHistory(true)]);
}
export function renderPresetOptions(): void {
  const select = byId<HTMLSelectElement>("preset");
  const chosen = select.value;
  select.replaceChildren(
    ...presets.map((p) => {
      const name = presetName(p.id);
      return h(
        "option",
        { value: p.id, selected: p.id === chosen, lang: name.lang === lang() ? null : name.lang },
        t("preset_option", { name: name.text, count: p.concept_count }),
      );
    }),
  );
}

/** The two language buttons: each named in its own language, the current one pressed. */
export function renderLanguageSwitch(): void {
  for (const button of document.querySelectorAll<HTMLButtonElement>("#lang-switch button")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === lang()));
    button.onclick = () => setLang(button.dataset.lang as Lang);
  }
}
