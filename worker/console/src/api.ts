// The API client of the console: same origin, the JSON envelope, the token kept in localStorage.
// The answers' types (Me, Job, SetManifest…) are the contract's, so the console reads what the Worker sends.
import { FINAL_JOB_STATUSES, type Envelope, type ErrorCode } from "@s3/contract";

const TOKEN_KEY = "s3.token";

/** A failed call: the catalog's code, the server's message, and the HTTP status. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ErrorCode | "NETWORK_ERROR" | (string & {}),
    message: string,
    readonly status: number,
    /** The catalog's details: `field` names the offending field of a VALIDATION_ERROR. */
    readonly details: { field?: string } = {},
  ) {
    super(message);
  }
}

export const token = {
  get: (): string | null => localStorage.getItem(TOKEN_KEY),
  set: (value: string): void => localStorage.setItem(TOKEN_KEY, value),
  clear: (): void => localStorage.removeItem(TOKEN_KEY),
};

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
    throw new ApiFailure(
      error?.code ?? "INTERNAL_ERROR",
      error?.message ?? `HTTP ${response.status}`,
      response.status,
      (error?.details as { field?: string } | undefined) ?? {},
    );
  }
  return envelope.data as T;
}

/**
 * A body with optional fields an older API may refuse as unknown (strict bodies, docs/retries.md):
 * sent whole, and again without the one field it named, so the step still runs there.
 */
export async function apiWithOptional<T>(
  method: string,
  path: string,
  body: Record<string, unknown>,
  optional: string[],
): Promise<T> {
  const sent = { ...body };
  for (;;) {
    try {
      return await api<T>(method, path, sent);
    } catch (error) {
      const field = error instanceof ApiFailure && error.code === "VALIDATION_ERROR" ? error.details.field : undefined;
      if (!field || !optional.includes(field) || !(field in sent)) throw error;
      delete sent[field];
    }
  }
}

/** True when the server has no such route at all (404 NOT_FOUND; a missing job is JOB_NOT_FOUND). */
export const isMissingRoute = (error: unknown): boolean =>
  error instanceof ApiFailure && error.status === 404 && error.code === "NOT_FOUND";

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
