// The web console: one page over the public API, served by the Worker as static assets.
// No framework: the page is a few forms and lists that change in place, so plain DOM calls and the
// small h() builder keep the bundle small with nothing to download at run time.
// This module wires the page's controls to the sections (one module each: account, rule editor,
// rules, variants, album, run, watch, photos, set, history, viewer, i18n) and starts the session.
import { TERMINAL, token } from "./api";
import {
  enterWorkspace,
  refreshAccount,
  renderAccount,
  renderLanguageSwitch,
  renderPresetOptions,
  signIn,
} from "./account";
import { addFiles, clearDraft, renderUploads, uploadAlbum } from "./album";
import { byId } from "./dom";
import { attempt, remedies, showSignedOut, tell } from "./feedback";
import { onLangChange, t, translatePage } from "./i18n";
import { loadHistory, renderHistory } from "./history";
import { renderPhotos } from "./photos";
import { loadPreset, renderEditor } from "./rule-editor";
import { renderRules, saveRule } from "./rules";
import { cancelJob, execute, renderControls, rerun, retry, scan } from "./run";
import { sections, state } from "./state";
import { addVariant, renderTemplates } from "./variants";
import { openJob } from "./watch";

function wire(): void {
  const click = (id: string, action: () => Promise<void>) => {
    const button = byId(id);
    button.addEventListener("click", () => void attempt(action, button));
  };
  click("sign-in", signIn);
  byId<HTMLSelectElement>("preset").addEventListener("change", (event) => {
    const select = event.target as HTMLSelectElement;
    if (select.value !== state.preset?.id) void attempt(() => loadPreset(select.value), select);
  });
  click("save-rule", () => saveRule(false));
  click("save-new-rule", () => saveRule(true));
  byId<HTMLInputElement>("files").addEventListener("change", (event) => {
    const input = event.target as HTMLInputElement;
    if (input.files) addFiles(input.files);
    // Cleared, so choosing the same photos again fires another change.
    input.value = "";
  });
  const drop = byId("drop");
  drop.addEventListener("dragover", (event) => {
    event.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("over");
    if (event.dataTransfer?.files) addFiles(event.dataTransfer.files);
  });
  click("upload", uploadAlbum);
  byId("clear-photos").addEventListener("click", clearDraft);
  const add = byId("add-variant");
  add.addEventListener("click", () => {
    const problem = addVariant();
    if (problem) tell(add, problem);
  });
  click("scan", scan);
  click("execute", execute);
  click("cancel", () => cancelJob(state.jobId, byId("cancel")));
  click("rerun", rerun);
  click("retry", retry);
  click("more-jobs", () => loadHistory(false));
}

/** A failure's way out, offered inside its message (feedback.ts). */
remedies.CONCURRENCY_LIMIT = () => ({
  label: t("remedy_cancel_open"),
  run: async () => {
    const open = state.jobId && state.jobStatus && !TERMINAL.has(state.jobStatus) ? state.jobId : null;
    const row = document.querySelector<HTMLElement>(
      "#history tr:not([data-status=done]):not([data-status=failed]):not([data-status=canceled])",
    );
    await cancelJob(open ?? row?.dataset.jobId ?? null);
  },
});
remedies.RULE_SLOT_FULL = () =>
  document.querySelector("#rule-list button.danger")
    ? {
        label: t("remedy_delete_rule"),
        run: () => document.querySelector<HTMLElement>("#rule-list button.danger")?.focus(),
      }
    : null;
remedies.CREDITS_EXHAUSTED = () =>
  state.draft?.length ? { label: t("remedy_remove_photo"), run: () => byId("remove-0").focus() } : null;

sections.refreshAccount = refreshAccount;
sections.loadHistory = loadHistory;
sections.openJob = openJob;
sections.renderUploads = renderUploads;
sections.renderControls = renderControls;
onLangChange(() => {
  translatePage();
  renderLanguageSwitch();
  renderAccount();
  if (!state.preset) return;
  renderPresetOptions();
  renderEditor();
  renderTemplates();
  renderRules();
  renderUploads();
  renderPhotos();
  renderHistory();
});
translatePage();
renderLanguageSwitch();
wire();
renderUploads();
if (token.get()) void attempt(enterWorkspace);
else showSignedOut();
