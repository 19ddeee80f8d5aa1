// What the console holds between clicks: the preset and the rule being edited, the album being
// prepared and the one uploaded, the job being watched, the history's cursor. Every section reads
// and changes this one object.
import type { Action, ItemReport, ItemStatus, Job, Me, PresetDetail } from "@s3/contract";

/** One concept's edit in the rule editor: ticked or not, its action and value. */
export interface Edit {
  on: boolean;
  action: Action;
  value: string;
}
/** A box drawn on a photo as a hint (SPEC-free words: docs/console.md), in the photo's pixels. */
export type Box = [number, number, number, number];
export interface Photo {
  file: Blob | null;
  /** The file's own name, kept with the job (store.ts). */
  name: string | null;
  url: string | null;
  status: ItemStatus | "uploading" | "uploaded";
  uploaded: number;
  resultUrl: string | null;
  /** The done photo's concept masks (GET /jobs/{id} outputs_ready[].masks), for the viewer's overlay. */
  masks: PhotoMask[];
  error: string | null;
  /** The item's report (docs/reports.md), from a scan or the edit. */
  report: PhotoReport | null;
  needsReview: boolean;
  /** Concept → boxes drawn on this photo. */
  hints: Record<string, Box[]>;
}
/** One concept's mask of a done photo: a PNG the photo's size, white where the concept is. */
export interface PhotoMask {
  concept: string;
  protect: boolean;
  url: string;
}
/** A scan's report of a photo (docs/reports.md): what was found, no edit figures (nothing was edited). */
export type FoundReport = Pick<ItemReport, "segmented" | "segmenter" | "flags"> & {
  concepts: Record<string, { instances: number; area_pct: number; score: number }>;
};
/** What a photo's report can be: an edit's, or a scan's. */
export type PhotoReport = ItemReport | FoundReport;
/** GET /jobs/{id} with the album's scan state (docs/console.md, "The album's life"), once the API scans. */
export type ScannedJob = Job & { scan?: { status: "scanning" | "scanned" } };
/** A variant as the form edits it: a name and a value per edited concept. */
export interface VariantDraft {
  name: string;
  values: Record<string, string>;
}

export const newPhoto = (file: Blob | null, name: string | null, url: string | null): Photo => ({
  file,
  name,
  url,
  status: "pending",
  uploaded: file ? 0 : 1,
  resultUrl: null,
  masks: [],
  error: null,
  report: null,
  needsReview: false,
  hints: {},
});

export const state = {
  me: null as Me | null,
  preset: null as PresetDetail | null,
  edits: new Map<string, Edit>(),
  protect: new Set<string>(),
  /** The saved rule loaded into the editor: Save updates it in place (PUT /rules/{id}). */
  ruleId: null as string | null,
  /** The photos being chosen, before their upload; null when the list shows the uploaded album. */
  draft: [] as Photo[] | null,
  /** The album of the job being watched (uploaded, scanned, run). */
  photos: [] as Photo[],
  jobId: null as string | null,
  jobStatus: null as string | null,
  /** The watched job's objects were deleted (docs/trust.md): nothing to re-run or retry. */
  deletedJob: false,
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
  /** Opens a job in the progress section (watch.ts), for the sections above it (album, history). */
  openJob: (_jobId: string): Promise<void> => Promise.resolve(),
  /** The album list (album.ts) and the run controls (run.ts), for the watch below them. */
  renderUploads: (): void => undefined,
  renderControls: (): void => undefined,
};
