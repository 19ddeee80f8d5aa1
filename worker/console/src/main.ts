// The web console: one page over the public API, served by the Worker as static assets.
// No framework: the page is a few forms and lists that change in place, so plain DOM calls and the
// small h() builder keep the bundle a few KiB with nothing to download at run time.
// This module wires the page's controls to the sections (one module each: account, rule-editor,
// variants, album, watch, set, history) and starts the session.
import { token } from "./api";
import { enterWorkspace, refreshAccount, signIn } from "./account";
import { addFiles, uploadAlbum } from "./album";
import { byId } from "./dom";
import { loadHistory } from "./history";
import { attempt, showSignedOut } from "./notices";
import { loadPreset, saveRule } from "./rule-editor";
import { sections, state } from "./state";
import { renderVariants } from "./variants";
import { cancelJob, execute } from "./watch";

function wire(): void {
  byId("sign-in").addEventListener("click", () => void attempt(signIn));
  byId<HTMLSelectElement>("preset").addEventListener("change", (event) => {
    const id = (event.target as HTMLSelectElement).value;
    if (id !== state.preset?.id) void attempt(() => loadPreset(id));
  });
  byId("save-rule").addEventListener("click", () => void attempt(saveRule));
  byId<HTMLInputElement>("files").addEventListener("change", (event) => {
    const input = event.target as HTMLInputElement;
    if (input.files) addFiles(input.files);
    // Cleared, so choosing the same photos again (a new album) fires another change.
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
  byId("upload").addEventListener("click", () => void attempt(uploadAlbum));
  byId("template").addEventListener("change", renderVariants);
  byId("add-variant").addEventListener("click", () => {
    state.variants.push({ name: `Option ${state.variants.length + 1}`, values: {} });
    renderVariants();
    byId(`variant-${state.variants.length - 1}`).focus();
  });
  byId("execute").addEventListener("click", () => void attempt(execute));
  byId("cancel").addEventListener("click", () => void attempt(() => cancelJob()));
  byId("more-jobs").addEventListener("click", () => void attempt(() => loadHistory(false)));
}

sections.refreshAccount = refreshAccount;
sections.loadHistory = loadHistory;
wire();
if (token.get()) void attempt(enterWorkspace);
else showSignedOut();
