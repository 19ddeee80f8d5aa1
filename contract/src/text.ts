// Text a person names something with (rules, variants). JSON can carry a lone UTF-16 surrogate
// ("\ud800"), which no UTF-8 store can hold: D1 would keep U+FFFD instead of what was sent, so
// such a name is refused (docs/trust.md, "Names").
import { z } from "zod";

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` is well-formed UTF-16 (String.prototype.isWellFormed, which ES2023 lacks). */
export function isWellFormedText(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

/** A trimmed, non-empty name of at most `max` characters, with no lone surrogate. */
export function nameSchema(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .refine(isWellFormedText, { message: "must be valid Unicode text (it holds a lone UTF-16 surrogate)" });
}
