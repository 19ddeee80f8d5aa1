// Notices: the one alert region for failures in plain words, the status line for progress, and the
// signed-out view an expired session falls back to.
import { ApiFailure, token } from "./api";
import { byId } from "./dom";
import { explain } from "./messages";

export function showError(error: unknown): void {
  const box = byId("error");
  box.textContent = explain(error);
  box.hidden = false;
  if (error instanceof ApiFailure && ["TOKEN_EXPIRED", "TOKEN_INVALID", "AUTH_REQUIRED"].includes(error.code)) {
    token.clear();
    showSignedOut();
  }
}
export function say(message: string): void {
  byId("error").hidden = true;
  byId("notice").textContent = message;
}
/** Runs an action, turning any failure into a plain sentence in the alert region. */
export async function attempt(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    showError(error);
  }
}
export function showSignedOut(): void {
  byId("start").hidden = false;
  byId("workspace").hidden = true;
  byId("account").textContent = "Not signed in";
}
