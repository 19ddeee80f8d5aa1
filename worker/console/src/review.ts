// A photo's report in a person's words (docs/reports.md): what was found ("Wall 41 % · Cabinet not
// found"), what needs a look, and whether the masks came from the local stand-in rather than SAM 3.
import type { PhotoReport } from "./state";
import { t } from "./i18n";
import { nameText } from "./names";

/** What the segmenter found of each concept the photo was scanned or edited for. */
export function foundLine(report: PhotoReport | null | undefined): string | null {
  if (!report) return null;
  const parts = Object.entries(report.concepts).map(([concept, figures]) =>
    figures.instances === 0
      ? t("concept_not_found", { name: nameText(concept) })
      : t("concept_found", { name: nameText(concept), pct: Math.round(figures.area_pct) }),
  );
  return parts.length ? parts.join(" · ") : null;
}

/** One line for the photo's flags, or null when the report raised none (or there is no report). */
export function reviewNote(report: PhotoReport | null | undefined): string | null {
  if (!report || report.flags.length === 0) return null;
  const words = report.flags.map((flag) => {
    const [kind = flag, ...rest] = flag.split(":");
    const subject = rest.join(":");
    if (kind === "concept_not_found") return t("concept_not_found", { name: nameText(subject) });
    if (kind === "low_confidence") return t("flag_low_confidence", { name: nameText(subject) });
    if (kind === "no_change") return t("flag_no_change");
    if (kind === "variant_unchanged") return t("flag_variant_unchanged", { name: subject });
    return flag;
  });
  return t("check_photo", { what: words.join("; ") });
}

/** The masks came from the CPU stand-in (SPEC's `segmenter` "cpu-stand-in@…"), not SAM 3. */
export const fromStandIn = (report: PhotoReport | null | undefined): boolean =>
  Boolean(report?.segmenter.startsWith("cpu-stand-in"));
