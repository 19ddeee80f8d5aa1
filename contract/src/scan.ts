// A scan (docs/reports.md, Scan reports): a segment-only pass over an uploaded job's photos, so a
// person sees what was found before paying attention to a rule, and execute reuses the masks.
import type { Preset } from "./presets";

export const SCAN_STATUSES = ["scanning", "scanned"] as const;
export type ScanStatus = (typeof SCAN_STATUSES)[number];

/** A job's latest scan, as GET /jobs/{id} and the events show it; absent until the first scan. */
export interface ScanState {
  /** 1 for the job's first scan, +1 for each after; callbacks of an older scan are ignored. */
  id: number;
  status: ScanStatus;
  /** Every concept this scan segments: the found-figure ones, then the protect ones. */
  concepts: string[];
  /** Items reported for this scan: done (a report) or failed, of total. */
  progress: { done: number; failed: number; total: number };
}

/**
 * What a scan of `requested` (default: the preset's concepts and protect defaults) segments, split as
 * the message carries it: protect defaults under `protect` (reported as protect figures), the rest
 * under `concepts` (found figures and flags). Order follows the preset's lists.
 */
export function scanTargets(preset: Preset, requested?: readonly string[]): { concepts: string[]; protect: string[] } {
  const wanted = new Set(requested ?? [...preset.concepts, ...preset.protect_defaults]);
  const protect = preset.protect_defaults.filter((name) => wanted.has(name));
  const concepts = preset.concepts.filter((name) => wanted.has(name) && !protect.includes(name));
  return { concepts, protect };
}
