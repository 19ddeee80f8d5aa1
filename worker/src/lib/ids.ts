// Unguessable ids (docs/architecture.md, Conventions): 16 random bytes (128 bits) in lowercase base32.
import { ID_PATTERN } from "@s3/contract";
import { ApiError } from "./errors";
const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

export type IdPrefix = "u" | "rule" | "job";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${base32(crypto.getRandomValues(new Uint8Array(16)))}`;
}

/** The shape every id above has (declared in the contract, which the scripts and tests read too). */
export { ID_PATTERN };

/** JOB_NOT_FOUND for an id this API could never have issued, without waking a Durable Object. */
export function checkJobId(jobId: string): string {
  if (!ID_PATTERN.job.test(jobId)) throw new ApiError("JOB_NOT_FOUND");
  return jobId;
}
