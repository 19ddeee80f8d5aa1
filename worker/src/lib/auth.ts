// JWT auth (docs/architecture.md, Conventions): HS256 only, sub = user id, exp = iat + 30 days.
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { BEARER_SUBPROTOCOL_PREFIX } from "@s3/contract";
import { configOf } from "../config";
import { ApiError } from "./errors";
import { userLimiter } from "./durable";
import { ID_PATTERN } from "./ids";

export const TOKEN_LIFETIME_SEC = 30 * 24 * 60 * 60;

const keys = new Map<string, Promise<CryptoKey>>();

/** One imported HMAC key per secret and isolate: importing costs more than verifying. */
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keys.set(secret, key);
  }
  return key;
}

export async function issueToken(
  secret: string,
  userId: string,
  nowSec = Math.floor(Date.now() / 1000),
): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(userId)
    .setIssuedAt(nowSec)
    .setExpirationTime(nowSec + TOKEN_LIFETIME_SEC)
    .sign(await hmacKey(secret));
}

/** The token's user id; TOKEN_EXPIRED or TOKEN_INVALID otherwise (signature checked before expiry). */
export async function verifyToken(secret: string, token: string): Promise<string> {
  try {
    const { payload } = await jwtVerify(token, await hmacKey(secret), {
      algorithms: ["HS256"],
      requiredClaims: ["sub", "iat", "exp"],
    });
    if (typeof payload.sub !== "string" || !ID_PATTERN.u.test(payload.sub)) throw new ApiError("TOKEN_INVALID");
    return payload.sub;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new ApiError("TOKEN_EXPIRED");
    throw new ApiError("TOKEN_INVALID");
  }
}

/**
 * Users are never deleted, so once a user's ledger is seen to exist the isolate may
 * remember it; this keeps an authenticated GET to one DO call instead of two.
 */
const knownUsers = new Set<string>();
const KNOWN_USERS_MAX = 50_000;

export function rememberUser(userId: string): void {
  if (knownUsers.size >= KNOWN_USERS_MAX) knownUsers.clear();
  knownUsers.add(userId);
}

/** The Bearer token of a request, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = header?.match(/^Bearer[ ]+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/**
 * The user a token names, once its signature, expiry and user are checked;
 * TOKEN_EXPIRED or TOKEN_INVALID otherwise.
 */
export async function authenticate(env: Env, token: string): Promise<string> {
  const userId = await verifyToken(configOf(env).jwtSecret, token);
  if (!knownUsers.has(userId)) {
    const state = await userLimiter(env, userId).state();
    if (!state) throw new ApiError("TOKEN_INVALID");
    rememberUser(userId);
  }
  return userId;
}

/** The JWT a WebSocket handshake offers as the `bearer.<JWT>` subprotocol (docs/events.md), or null. */
export function subprotocolToken(header: string | undefined): string | null {
  const offered = (header ?? "").split(",").map((protocol) => protocol.trim());
  const bearer = offered.find((protocol) => protocol.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  return bearer === undefined ? null : bearer.slice(BEARER_SUBPROTOCOL_PREFIX.length);
}

/** Constant-time comparison of a presented secret with the configured one. */
export async function secretMatches(presented: string | null, expected: string): Promise<boolean> {
  if (presented === null || !expected) return false;
  const encoder = new TextEncoder();
  // Hashing first gives equal lengths, so timingSafeEqual never leaks the secret's length.
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(presented)),
    crypto.subtle.digest("SHA-256", encoder.encode(expected)),
  ]);
  return crypto.subtle.timingSafeEqual(a, b);
}
