// The console's language: Korean or English, from the browser's language, switched by the person and
// remembered. Every string the console writes comes from strings-en.ts / strings-ko.ts through t(), so
// the two lists have the same keys (the typecheck says when one lacks a sentence).
import { EN, type Strings } from "./strings-en";
import { KO } from "./strings-ko";

export type Lang = "ko" | "en";
const LANG_KEY = "s3.lang";
const TABLES: Record<Lang, Strings> = { en: EN, ko: KO };

function initial(): Lang {
  const saved = localStorage.getItem(LANG_KEY);
  if (saved === "ko" || saved === "en") return saved;
  // The product's users read Korean first: Korean unless the browser prefers English.
  const preferred = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of preferred) {
    const base = tag.toLowerCase().split("-")[0];
    if (base === "ko" || base === "en") return base;
  }
  return "ko";
}

let current: Lang = initial();
const listeners: (() => void)[] = [];

export const lang = (): Lang => current;
export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(LANG_KEY, next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}
/** Called again whenever the language changes: each section re-renders its words. */
export function onLangChange(listener: () => void): void {
  listeners.push(listener);
}

type Key = keyof Strings;
type Vars = Record<string, string | number>;

/** The sentence for `key` in the current language, with {name} placeholders filled in. */
export function t(key: Key, vars: Vars = {}): string {
  const entry = TABLES[current][key] as string | ((vars: Vars) => string);
  const text = typeof entry === "function" ? entry(vars) : entry;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}
export const hasKey = (key: string): key is Key => key in EN;

/** The static page's words: elements with data-t (text), data-t-label (aria-label), data-t-title. */
export function translatePage(root: ParentNode = document): void {
  document.documentElement.lang = current;
  for (const element of root.querySelectorAll<HTMLElement>("[data-t]")) {
    const key = element.dataset.t!;
    if (hasKey(key)) element.textContent = t(key);
  }
  for (const element of root.querySelectorAll<HTMLElement>("[data-t-label]")) {
    const key = element.dataset.tLabel!;
    if (hasKey(key)) element.setAttribute("aria-label", t(key));
  }
  for (const element of root.querySelectorAll<HTMLElement>("[data-t-alt]")) {
    const key = element.dataset.tAlt!;
    if (hasKey(key)) element.setAttribute("alt", t(key));
  }
  document.title = t("page_title");
}
