// Every error code of the catalog (the contract's error catalog, @s3/contract) in words a person
// understands, in the page's language: translated by `code`, since the API's messages stay English.
// Typed by the catalog, so a code added there without a sentence in both languages fails the typecheck.
import type { ErrorCode } from "@s3/contract";
import { ApiFailure } from "./api";
import { lang, t } from "./i18n";
import { ERRORS_EN } from "./strings-en";
import { ERRORS_KO } from "./strings-ko";

/** The codes the console names besides the catalog's: no answer, a failed upload, an item's failure. */
export type ConsoleCode =
  | ErrorCode
  | "NETWORK_ERROR"
  | "UPLOAD_FAILED"
  | "PROTECT_VIOLATION"
  | "TOO_MANY_PHOTOS"
  // The albums' codes (re-run and retry), named here until the catalog has them.
  | "NOTHING_TO_RETRY"
  | "JOB_DELETED";

/** The English sentences, as tests compare them. */
export const SENTENCES: Record<ConsoleCode, string> = ERRORS_EN;

/** Where a validation error names a field the console knows, a sentence for it instead of the server's detail. */
function validationDetail(message: string): string | null {
  if (/item_count must be/.test(message)) return t("too_many_photos_detail");
  if (/name/.test(message)) return t("rule_name_detail");
  return null;
}

export function explain(error: unknown): string {
  if (!(error instanceof ApiFailure)) return t("unexpected");
  const table: Record<string, string> = lang() === "ko" ? ERRORS_KO : ERRORS_EN;
  const sentence = table[error.code];
  if (!sentence) return lang() === "en" ? error.message : t("unknown_error", { code: error.code });
  if (error.code === "VALIDATION_ERROR") {
    const detail = validationDetail(error.message);
    return detail ? `${sentence}: ${detail}` : lang() === "en" ? `${sentence}: ${error.message}` : `${sentence}.`;
  }
  if (error.code === "UPLOAD_FAILED") return `${sentence}: ${error.message}`;
  return sentence;
}
