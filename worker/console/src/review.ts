// A photo's report in a person's words (docs/reports.md): what needs a look, and what was found.
import type { ItemReport } from "@s3/contract";

const FLAG_WORDS: Record<string, (subject: string) => string> = {
  concept_not_found: (concept) => `${concept} not found`,
  low_confidence: (concept) => `${concept} found with low confidence`,
  no_change: () => "nothing was changed",
  variant_unchanged: (variant) => `option “${variant}” is unchanged`,
};

/** One line for the photo's flags, or null when the report raised none (or there is no report). */
export function reviewNote(report: ItemReport | null | undefined): string | null {
  if (!report || report.flags.length === 0) return null;
  const words = report.flags.map((flag) => {
    const [kind = flag, ...rest] = flag.split(":");
    return FLAG_WORDS[kind]?.(rest.join(":")) ?? flag;
  });
  return `Check this photo: ${words.join("; ")}.`;
}
