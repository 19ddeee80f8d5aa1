// The account: signing in, the line that shows the plan, credits, open jobs and rule slots, and the
// workspace a session opens onto.
import type { AnonUser, Me, PresetSummary } from "@s3/contract";
import { api, token } from "./api";
import { byId, h } from "./dom";
import { loadHistory } from "./history";
import { say } from "./notices";
import { loadPreset, loadRules } from "./rule-editor";

export async function refreshAccount(): Promise<void> {
  const me = await api<Me>("GET", "/me");
  byId("account").textContent =
    `Plan ${me.plan} · ${me.credits} credits · ${me.active_jobs} active job${me.active_jobs === 1 ? "" : "s"} · ` +
    `rules ${me.rule_slots.used}/${me.rule_slots.max}`;
}
export async function signIn(): Promise<void> {
  const { token: issued } = await api<AnonUser>("POST", "/auth/anon");
  token.set(issued);
  await enterWorkspace();
  // The sign-in button is gone: keyboard focus moves to the first step rather than the page's top.
  byId("preset").focus();
  say("Signed in. Pick a preset and a rule, then add photos.");
}
export async function enterWorkspace(): Promise<void> {
  await refreshAccount();
  byId("start").hidden = true;
  byId("workspace").hidden = false;
  const presets = await api<PresetSummary[]>("GET", "/presets");
  const select = byId<HTMLSelectElement>("preset");
  select.replaceChildren(
    ...presets.map((p) => h("option", { value: p.id }, `${p.name} — ${p.concept_count} concepts`)),
  );
  await loadPreset(select.value);
  await Promise.all([loadRules(), loadHistory(true)]);
}
