// What a client reads in a set's ZIP (docs/sets.md): each file named after its photo
// (`living-room_before_after.jpg`), the ZIP after the rule and the day the job ended.
import type { SetRole } from "@s3/contract";

/** The longest file name a client may give a photo, in characters. */
export const PHOTO_NAME_MAX = 255;
/** The longest stem kept of a photo's file name, in characters. */
export const PHOTO_STEM_MAX = 80;

/** `text` safe in a file name: characters a file system refuses or a ZIP reads as a path, and runs of
 *  spaces, become one `-`; cut at PHOTO_STEM_MAX characters. Empty: null. */
export function safeStem(text: string): string | null {
  const stem = text
    .normalize("NFC")
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*\s]+/gu, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^[-.]+|[-.]+$/g, "");
  return [...stem].slice(0, PHOTO_STEM_MAX).join("") || null;
}

/** A photo's file name as the stem of its entries: no folders, no extension; null when nothing is left. */
export function photoStem(name: string | undefined): string | null {
  if (!name) return null;
  const base = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  return safeStem(dot > 0 ? base.slice(0, dot) : base);
}

/**
 * Each photo's stem by idx: its file name's, else `photo-{idx + 1}`; a stem already taken (case aside)
 * gets `-2`, `-3`… so no two photos share entry names.
 */
export function photoStems(names: readonly (string | undefined)[], count: number): string[] {
  const taken = new Set<string>();
  return Array.from({ length: count }, (_, idx) => {
    const stem = photoStem(names[idx]) ?? `photo-${idx + 1}`;
    let unique = stem;
    for (let n = 2; taken.has(unique.toLowerCase()); n++) unique = `${stem}-${n}`;
    taken.add(unique.toLowerCase());
    return unique;
  });
}

/** A set file's entry: `{role}/{stem}_{what}.{ext}`, `what` the part where it says more than the role. */
export function entryName(stem: string, role: SetRole, part: string | null, key: string): string {
  const ext = key.slice(key.lastIndexOf(".") + 1);
  return `${role}/${stem}_${part ?? role}.${ext}`;
}

/** `attachment` with the ZIP's name, after the rule (or the template) and the day; an ASCII fallback beside it. */
export function zipDisposition(title: string | null, endedAt: string): string {
  const day = endedAt.slice(0, 10);
  const stem = (title && safeStem(title)) || "s3-set";
  const ascii = stem.replace(/[^\x21-\x7e]|"/g, "").replace(/^[-_.]+|[-_.]+$/g, "") || "s3-set";
  return `attachment; filename="${ascii}_${day}.zip"; filename*=UTF-8''${encodeURIComponent(`${stem}_${day}.zip`)}`;
}
