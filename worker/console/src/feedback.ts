// Feedback where the action is (docs/console.md, "Feedback"): a failure shows beside the control that
// caused it, takes the focus and, where one helps, carries the action that fixes it ("Cancel the open
// job"). The page's one status line (#notice, polite) says only what a step achieved; the top alert
// is for what no control caused (an expired session).
import { ApiFailure, token } from "./api";
import { byId, h } from "./dom";
import { t } from "./i18n";
import { explain } from "./messages";

/** A button inside a message: what to do about it. */
export interface Remedy {
  label: string;
  run: () => Promise<void> | void;
}
/** The remedies a failure's code suggests; filled in by main.ts (they need the sections). */
export const remedies: Partial<Record<string, () => Remedy | null>> = {};

const SESSION_ENDED = ["TOKEN_EXPIRED", "TOKEN_INVALID", "AUTH_REQUIRED"];

/** Where a control's message goes: after the row it sits in (or the control itself). */
function anchorOf(control: HTMLElement): HTMLElement {
  return control.closest<HTMLElement>(".row, .feedback-anchor, li, tr") ?? control;
}
function slotAfter(control: HTMLElement): HTMLElement | null {
  const next = anchorOf(control).nextElementSibling;
  return next instanceof HTMLElement && next.classList.contains("feedback") ? next : null;
}
export function clearFeedback(control: HTMLElement): void {
  slotAfter(control)?.remove();
}

/** A message beside `control`; `kind` error takes the focus, so a keyboard or screen reader lands on it. */
export function tell(
  control: HTMLElement,
  text: string,
  kind: "error" | "info" = "error",
  remedy?: Remedy | null,
): void {
  clearFeedback(control);
  const message = h(
    "div",
    { class: `feedback ${kind}`, role: kind === "error" ? "alert" : "status", tabindex: -1 },
    h("span", {}, text),
  );
  if (remedy) {
    const button = h("button", { type: "button", class: "remedy" }, remedy.label);
    button.addEventListener("click", () => {
      message.remove();
      void attempt(async () => void (await remedy.run()), control);
    });
    message.append(" ", button);
  }
  const anchor = anchorOf(control);
  // A table row cannot hold a div beside it: the message goes into a row of its own.
  if (anchor instanceof HTMLTableRowElement) {
    const row = h("tr", { class: "feedback" }, h("td", { colspan: anchor.cells.length }, message));
    message.classList.remove("feedback");
    anchor.after(row);
    if (kind === "error") message.focus();
    return;
  }
  anchor.after(message);
  if (kind === "error") message.focus();
}

export function showError(error: unknown, near?: HTMLElement | null): void {
  if (error instanceof ApiFailure && SESSION_ENDED.includes(error.code)) {
    token.clear();
    showSignedOut();
    const box = byId("error");
    box.textContent = explain(error);
    box.hidden = false;
    return;
  }
  const code = error instanceof ApiFailure ? error.code : "";
  const remedy = remedies[code]?.() ?? null;
  if (near && near.isConnected) return tell(near, explain(error), "error", remedy);
  const box = byId("error");
  box.textContent = explain(error);
  box.hidden = false;
}
/** The status line: what a step achieved, said once. */
export function say(message: string): void {
  byId("error").hidden = true;
  byId("notice").textContent = message;
}
/** Runs an action, turning any failure into a plain sentence beside `near` (else at the top). */
export async function attempt(action: () => Promise<void>, near?: HTMLElement | null): Promise<void> {
  if (near) clearFeedback(near);
  try {
    await action();
  } catch (error) {
    showError(error, near);
  }
}
export function showSignedOut(): void {
  byId("start").hidden = false;
  byId("workspace").hidden = true;
  byId("account").textContent = t("not_signed_in");
}
