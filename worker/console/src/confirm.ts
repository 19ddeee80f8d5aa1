// Confirmations for what cannot be undone (Delete job, Delete rule, Cancel job): a modal <dialog>
// that names what will happen, with the destructive choice styled apart and the safe one focused.
import { byId } from "./dom";
import { t } from "./i18n";

export function confirmAction(question: string, yes: string): Promise<boolean> {
  const dialog = byId<HTMLDialogElement>("confirm");
  byId("confirm-text").textContent = question;
  const yesButton = byId<HTMLButtonElement>("confirm-yes");
  const noButton = byId<HTMLButtonElement>("confirm-no");
  yesButton.textContent = yes;
  noButton.textContent = t("keep");
  const opener = document.activeElement as HTMLElement | null;
  return new Promise((resolve) => {
    const done = (answer: boolean) => {
      yesButton.onclick = null;
      noButton.onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      // Back to the button that asked, unless the action removes it (then the caller moves focus).
      if (opener?.isConnected) opener.focus();
      resolve(answer);
    };
    yesButton.onclick = () => done(true);
    noButton.onclick = () => done(false);
    dialog.onclose = () => done(false);
    dialog.showModal();
    noButton.focus();
  });
}
