// The signed, expiring zip_url (docs/sets.md): HMAC-SHA256 over job id and expiry, with a key derived
// from JWT_SECRET for this one purpose, so a link never doubles as a token or vice versa. Job ids are
// unguessable and the job names its owner, so the link is checked before the job is read: a bad link
// says nothing of whether the job exists (docs/trust.md).
import { ApiError } from "./errors";

const PURPOSE = "s3:set.zip:v2";
const keys = new Map<string, Promise<CryptoKey>>();

/** HMAC(JWT_SECRET, PURPOSE) as the link key: one import per secret and isolate. */
function linkKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    const encoder = new TextEncoder();
    key = crypto.subtle
      .importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      .then((master) => crypto.subtle.sign("HMAC", master, encoder.encode(PURPOSE)))
      .then((derived) =>
        crypto.subtle.importKey("raw", derived, { name: "HMAC", hash: "SHA-256" }, false, ["sign", "verify"]),
      );
    keys.set(secret, key);
  }
  return key;
}

const signed = (jobId: string, expires: number) => new TextEncoder().encode(`${jobId}\n${expires}`);

function toBase64Url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "=");
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

/** `?expires=…&sig=…` for this job, valid for `ttlSec`. */
export async function signSetLink(
  secret: string,
  jobId: string,
  ttlSec: number,
  nowSec = Math.floor(Date.now() / 1000),
): Promise<string> {
  const expires = nowSec + ttlSec;
  const sig = await crypto.subtle.sign("HMAC", await linkKey(secret), signed(jobId, expires));
  return `expires=${expires}&sig=${toBase64Url(sig)}`;
}

/**
 * TOKEN_INVALID unless `sig` signs this job and expiry (crypto.subtle.verify: constant time),
 * then TOKEN_EXPIRED once `expires` has passed; the signature is checked first, so a changed expiry is invalid.
 */
export async function verifySetLink(
  secret: string,
  jobId: string,
  expiresParam: string | undefined,
  sigParam: string | undefined,
  nowSec = Math.floor(Date.now() / 1000),
): Promise<void> {
  const sig = fromBase64Url(sigParam ?? "");
  if (!sig || !/^\d{1,12}$/.test(expiresParam ?? ""))
    throw new ApiError("TOKEN_INVALID", "The download link is not valid.");
  const expires = Number(expiresParam);
  const valid = await crypto.subtle.verify("HMAC", await linkKey(secret), sig, signed(jobId, expires));
  if (!valid) throw new ApiError("TOKEN_INVALID", "The download link is not valid.");
  if (expires <= nowSec) throw new ApiError("TOKEN_EXPIRED", "The download link has expired.");
}
