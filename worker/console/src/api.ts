// The API client of the console: @s3/client (openapi-fetch over the types generated from the
// OpenAPI document, docs/client.md) at the page's own origin, the token kept in localStorage.
// Every call goes through `call`, which answers the envelope's data or throws an ApiFailure.
import { ApiError, createApiClient, unwrap } from "@s3/client";
import { FINAL_JOB_STATUSES, type ErrorCode } from "@s3/contract";

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

/** The typed client: same origin, the kept token read before each request. */
export const client = createApiClient({
  baseUrl: location.origin,
  token: () => token.get() ?? undefined,
});

/** An answer's data (`unwrap`), with a refusal or a lost connection as an ApiFailure. */
export async function call<T extends { data: unknown }>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<T["data"]> {
  try {
    return await unwrap(request);
  } catch (error) {
    if (!(error instanceof ApiError)) throw new ApiFailure("NETWORK_ERROR", "The API did not answer.", 0);
    // ApiError's message is "<route> answered <status> <code>: <the server's message>".
    const said = `answered ${error.status}${error.code ? ` ${error.code}` : ""}: `;
    const at = error.message.indexOf(said);
    const message = at < 0 ? `HTTP ${error.status}` : error.message.slice(at + said.length);
    const details = (error.details as { field?: string } | undefined) ?? {};
    throw new ApiFailure(error.code ?? "INTERNAL_ERROR", message, error.status, details);
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
