// The API client of the console: same origin, the JSON envelope, the token kept in localStorage.
import {
  FINAL_JOB_STATUSES,
  type ErrorCode,
  type OutputTemplate,
  type SetManifest,
  type SetManifestFile,
} from "@s3/contract";

export type { OutputTemplate };
/** The set of GET /jobs/{id}/set and one of its files (docs/sets.md). */
export type JobSet = SetManifest;
export type SetFile = SetManifestFile;

const TOKEN_KEY = "s3.token";

/** A failed call: the catalog's code, the server's message, and the HTTP status. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode | "NETWORK_ERROR" | (string & {}),
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export const token = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (value: string): void => localStorage.setItem(TOKEN_KEY, value),
  clear: (): void => localStorage.removeItem(TOKEN_KEY),
};

interface Envelope<T> {
  success: boolean;
  data: T | null;
  error: { code: string; message: string } | null;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  const bearer = token.get();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiFailure("NETWORK_ERROR", "The API did not answer.", 0);
  }
  let envelope: Envelope<T> | null = null;
  try {
    envelope = (await response.json()) as Envelope<T>;
  } catch {
    // a proxy's HTML error page or an empty body: reported by status below
  }
  if (!response.ok || !envelope?.success) {
    const error = envelope?.error;
    throw new ApiFailure(error?.code ?? "INTERNAL_ERROR", error?.message ?? `HTTP ${response.status}`, response.status);
  }
  return envelope.data as T;
}

/** True when the server has no such route at all (404 NOT_FOUND; a missing job is JOB_NOT_FOUND). */
export const isMissingRoute = (error: unknown): boolean =>
  error instanceof ApiFailure && error.status === 404 && error.code === "NOT_FOUND";

export interface Me {
  user_id: string;
  plan: string;
  credits: number;
  active_jobs: number;
  rule_slots: { used: number; max: number };
}
export interface PresetSummary {
  id: string;
  name: string;
  concept_count: number;
}
export interface ConceptPalette {
  recolor: string[];
  tone: string[];
  texture: string[];
}
export interface Preset {
  id: string;
  name: string;
  concepts: string[];
  protect_defaults: string[];
  output_templates: OutputTemplate[];
  palette: { actions: Action[]; colors: Record<string, string>; concepts: Record<string, ConceptPalette> };
}
export type Action = "recolor" | "tone" | "texture";
export type ConceptMap = Record<string, { action: Action; value: string }>;
export interface Rule {
  id: string;
  name: string;
  preset_id: string;
  concepts?: ConceptMap;
  protect?: string[];
  created_at: string;
}
export interface Progress {
  done: number;
  failed: number;
  total: number;
}
export type ItemStatus = "pending" | "running" | "done" | "failed";
export interface JobView {
  job_id: string;
  status: string;
  preset: string;
  progress: Progress;
  outputs_ready: { idx: number; result_url: string; preview_url: string }[];
  items: { idx: number; status: ItemStatus; error: { code: string; message: string } | null }[];
  /** Set once the job's objects were deleted (docs/trust.md): then there are no URLs. */
  deleted_at?: string;
}
export interface JobCreated {
  job_id: string;
  upload: { idx: number; url: string; key: string }[];
  confirm_url: string;
}
export interface JobSummary {
  job_id: string;
  status: string;
  preset: string;
  output_template: string | null;
  created_at: string;
  progress: Progress;
}

export const TERMINAL: ReadonlySet<string> = new Set(FINAL_JOB_STATUSES);

/** PUT one file to its presigned URL, reporting upload progress (fetch cannot). */
export function putFile(url: string, file: Blob, onProgress: (fraction: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new ApiFailure("UPLOAD_FAILED", `storage answered ${request.status}`, request.status));
    request.onerror = () => reject(new ApiFailure("UPLOAD_FAILED", "the upload was interrupted", 0));
    request.send(file);
  });
}
