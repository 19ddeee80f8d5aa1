// What the console holds between clicks: the preset and the rule being edited, the album, the job
// being watched, the history's cursor. Every section reads and changes this one object.
import type { Action, ItemStatus, PresetDetail } from "@s3/contract";

/** One concept's edit in the rule editor: ticked or not, its action and value. */
export interface Edit {
  on: boolean;
  action: Action;
  value: string;
}
export interface Photo {
  file: File | null;
  url: string | null;
  status: ItemStatus | "uploading" | "uploaded";
  uploaded: number;
  resultUrl: string | null;
  error: string | null;
  /** What the photo's report asks a person to check (review.ts), or null. */
  review: string | null;
}
/** A variant as the form edits it: a name and a value per edited concept. */
export interface VariantDraft {
  name: string;
  values: Record<string, string>;
}

export const state = {
  preset: null as PresetDetail | null,
  edits: new Map<string, Edit>(),
  protect: new Set<string>(),
  photos: [] as Photo[],
  jobId: null as string | null,
  jobStatus: null as string | null,
  variants: [] as VariantDraft[],
  watch: null as { stop(): void } | null,
  historyCursor: null as string | null,
  /** Jobs deleted in this session: GET /jobs still lists them (their history stays, docs/trust.md). */
  deleted: new Set<string>(),
};

/**
 * The account line and the history, refreshed by the sections that change them (a saved rule, an
 * upload, a finished job). Both sections sit above those in the import order, so main.ts connects
 * them here at start and the modules import in one direction.
 */
export const sections = {
  refreshAccount: (): Promise<void> => Promise.resolve(),
  loadHistory: (_fromStart: boolean): Promise<void> => Promise.resolve(),
};
