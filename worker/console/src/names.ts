// Display names (docs/console.md, "Language"): people see "Light oak" / "밝은 오크", never `oak_a`.
// The names come from GET /presets/{id} `labels` ({ko, en} per id, from the contract's catalog);
// where an API does not publish one, a template's or preset's own "한국어 (English)" name is split,
// and any other id is shown as words ("Frame_Molding" → "Frame molding").
import { PRESETS, type PresetDetail } from "@s3/contract";
import { h } from "./dom";
import { lang, type Lang } from "./i18n";
import { state } from "./state";

export interface Named {
  text: string;
  lang: Lang;
}
type Label = { ko: string; en: string };
const isLabel = (value: unknown): value is Label =>
  typeof value === "object" &&
  value !== null &&
  typeof (value as Label).ko === "string" &&
  typeof (value as Label).en === "string";

/** Every {ko, en} of a preset's labels by id, whatever grouping the API gives them. */
function collect(node: unknown, into: Map<string, Label>): void {
  if (typeof node !== "object" || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if (isLabel(value)) into.set(key, value);
    else collect(value, into);
  }
}
let cachedFor: PresetDetail | null = null;
let cached = new Map<string, Label>();
function labels(): Map<string, Label> {
  if (state.preset !== cachedFor) {
    cachedFor = state.preset;
    cached = new Map();
    collect((state.preset as { labels?: unknown } | null)?.labels, cached);
  }
  return cached;
}

const HANGUL = /[\uac00-\ud7a3]/;
/** "전후비교 (before/after)" → {ko: "전후비교", en: "before/after"}; null for a name without both. */
export function splitName(name: string): Label | null {
  const match = /^(.*?)\s*\(([^()]+)\)\s*$/.exec(name);
  if (!match || !HANGUL.test(match[1]!)) return null;
  const en = match[2]!;
  return { ko: match[1]!, en: en.charAt(0).toUpperCase() + en.slice(1) };
}

/** An id as words: "Frame_Molding" → "Frame molding", "oak_a" → "Oak", "oak_b" → "Oak 2". */
function words(id: string): string {
  const spaced = id
    .replace(/_([a-h])$/i, (_, letter: string) =>
      letter.toLowerCase() === "a" ? "" : ` ${letter.toLowerCase().charCodeAt(0) - 96}`,
    )
    .replace(/_/g, " ")
    .toLowerCase();
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/** The name of an id (concept, palette value, tone, texture, style, template, preset) in the page's language. */
export function nameOf(id: string, fallbackName?: string): Named {
  const want = lang();
  const label = labels().get(id) ?? (fallbackName ? splitName(fallbackName) : null) ?? splitName(id);
  if (label) return { text: label[want], lang: want };
  if (fallbackName) return { text: fallbackName, lang: HANGUL.test(fallbackName) ? "ko" : "en" };
  return { text: HANGUL.test(id) ? id : words(id), lang: HANGUL.test(id) ? "ko" : "en" };
}
export const nameText = (id: string, fallbackName?: string): string => nameOf(id, fallbackName).text;

/** A span of the name, with its own `lang` where it differs from the page's (a screen reader's voice). */
export function nameSpan(id: string, fallbackName?: string): HTMLSpanElement {
  const named = nameOf(id, fallbackName);
  return h("span", { lang: named.lang === lang() ? null : named.lang }, named.text);
}

/** A template's name by id or slug, from the loaded preset (else the id, which is the Korean name). */
export function templateName(idOrSlug: string | null): Named | null {
  if (!idOrSlug) return null;
  // The loaded preset's first, then the catalog's (the history lists jobs of every preset).
  const all = [...(state.preset?.output_templates ?? []), ...PRESETS.flatMap((preset) => preset.output_templates)];
  const template = all.find((t) => t.id === idOrSlug || t.slug === idOrSlug);
  return nameOf(template?.id ?? idOrSlug, template?.name);
}

/** A preset's name by id, from the catalog (the history lists jobs of presets not loaded). */
export function presetName(id: string): Named {
  return nameOf(id, PRESETS.find((preset) => preset.id === id)?.name);
}
