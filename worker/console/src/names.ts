// Display names (docs/labels.md, docs/console.md "Language"): people see "Light oak" / "밝은 오크",
// never `oak_a`. The loaded preset's names come from GET /presets/{id} `labels`; an id outside it (a
// past job's template, another preset's concept) from the same catalog in the contract, which the
// console bundles; an id the catalog lacks (a #RRGGBB, a variant's own name) is shown as it is.
import { displayName, presetLabels, PRESETS, type Label, type Locale } from "@s3/contract";
import { h } from "./dom";
import { lang } from "./i18n";
import { state } from "./state";

export interface Named {
  text: string;
  lang: Locale;
}
type Kind = "concepts" | "colors" | "tones" | "textures" | "styles" | "output_templates";
const KINDS: Kind[] = ["concepts", "colors", "tones", "textures", "styles", "output_templates"];

const HANGUL = /[\uac00-\ud7a3]/;
const asIs = (id: string): Named => ({ text: id, lang: HANGUL.test(id) ? "ko" : "en" });

/** The loaded preset's label of `id`, else the catalog's, else null. */
function labelOf(id: string): Label | null {
  const labels = state.preset?.labels;
  if (labels) {
    if (id === state.preset!.id) return labels.preset;
    for (const kind of KINDS) if (labels[kind][id]) return labels[kind][id]!;
  }
  for (const kind of KINDS) {
    const en = displayName(kind, id, "en");
    if (en !== id || displayName(kind, id, "ko") !== id) return { en, ko: displayName(kind, id, "ko") };
  }
  return null;
}

/** The name of an id (concept, palette value, tone, texture, style, template) in the page's language. */
export function nameOf(id: string): Named {
  const label = labelOf(id);
  return label ? { text: label[lang()], lang: lang() } : asIs(id);
}
export const nameText = (id: string): string => nameOf(id).text;

/** A span of the name, with its own `lang` where it differs from the page's (a screen reader's voice). */
export function nameSpan(id: string): HTMLSpanElement {
  const named = nameOf(id);
  return h("span", { lang: named.lang === lang() ? null : named.lang }, named.text);
}

/** A template's name by id or slug (the set's manifest names it by slug). */
export function templateName(idOrSlug: string | null): Named | null {
  if (!idOrSlug) return null;
  const all = [...(state.preset?.output_templates ?? []), ...PRESETS.flatMap((preset) => preset.output_templates)];
  return nameOf(all.find((t) => t.id === idOrSlug || t.slug === idOrSlug)?.id ?? idOrSlug);
}

/** A preset's name, from the catalog (the history and the preset list name presets not loaded). */
export function presetName(id: string): Named {
  const preset = PRESETS.find((candidate) => candidate.id === id);
  const label = preset ? presetLabels(preset).preset : null;
  return label ? { text: label[lang()], lang: lang() } : asIs(id);
}
