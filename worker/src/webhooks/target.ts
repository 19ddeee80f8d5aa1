// Which webhook URLs the Worker will contact (docs/webhooks.md): https to a public host; http only to
// loopback where WEBHOOK_ALLOW_LOOPBACK=true. Private, link-local, carrier-grade NAT, unspecified and
// cloud metadata addresses are refused, whether written as an IP or as a well-known internal name.
// Checked at execute (400) and again before every delivery; redirects are never followed.

import type { WebhookRequest } from "@s3/contract";
import type { Config } from "../config";
import { ApiError } from "../lib/errors";

export type TargetVerdict = { ok: true; url: URL } | { ok: false; reason: string };

const INTERNAL_NAMES = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa)$/i;
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata", "instance-data"]);

function ipv4(host: string): number[] | null {
  const parts = host.split(".");
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part))) return null;
  const bytes = parts.map(Number);
  return bytes.every((byte) => byte <= 255) ? bytes : null;
}

function isLoopbackV4([a]: number[]): boolean {
  return a === 127;
}

function isNonPublicV4([a, b]: number[]): boolean {
  return (
    a === 0 || // this network
    a === 10 ||
    a === 127 ||
    (a === 100 && b! >= 64 && b! <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local, incl. the 169.254.169.254 metadata service
    (a === 172 && b! >= 16 && b! <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking
    a! >= 224 // multicast and reserved
  );
}

/** The IPv4 inside an IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, `::ffff:a00:1`), else null. */
function mappedV4(v6: string): number[] | null {
  const dotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(v6);
  if (dotted) return ipv4(dotted[1]!);
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(v6);
  if (!hex) return null;
  const [high, low] = [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16)];
  return [high >> 8, high & 255, low >> 8, low & 255];
}

function isLoopbackV6(v6: string): boolean {
  const mapped = mappedV4(v6);
  return v6 === "::1" || (mapped !== null && isLoopbackV4(mapped));
}

function isNonPublicV6(v6: string): boolean {
  const mapped = mappedV4(v6);
  if (mapped) return isNonPublicV4(mapped);
  const first = v6.split(":")[0]!.toLowerCase();
  const word = first === "" ? 0 : parseInt(first, 16);
  return (
    v6 === "::" ||
    v6 === "::1" ||
    (word & 0xfe00) === 0xfc00 || // unique local
    (word & 0xffc0) === 0xfe80 || // link-local
    (word & 0xff00) === 0xff00 || // multicast
    first === "fd00" ||
    v6.toLowerCase().startsWith("64:ff9b:") // NAT64 can reach private IPv4
  );
}

/** Whether a delivery to this URL is allowed; `allowLoopback` is WEBHOOK_ALLOW_LOOPBACK. */
export function checkWebhookTarget(raw: string, allowLoopback: boolean): TargetVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a URL" };
  }
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed" };
  const host = url.hostname.toLowerCase();
  const v6 = host.startsWith("[") ? host.slice(1, -1) : null;
  const v4 = v6 === null ? ipv4(host) : null;
  const loopback = (v4 !== null && isLoopbackV4(v4)) || (v6 !== null && isLoopbackV6(v6)) || host === "localhost";
  if (loopback) {
    if (!allowLoopback) return { ok: false, reason: "loopback addresses are refused" };
    if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: "http or https only" };
    return { ok: true, url };
  }
  if (url.protocol !== "https:") return { ok: false, reason: "https only (http is allowed to loopback in local dev)" };
  if ((v4 !== null && isNonPublicV4(v4)) || (v6 !== null && isNonPublicV6(v6))) {
    return { ok: false, reason: "private, link-local and metadata addresses are refused" };
  }
  if (v4 !== null || v6 !== null) return { ok: true, url };
  // WHATWG URL parsing already turned 0x7f000001 or 2130706433 into dotted IPv4 above.
  if (METADATA_NAMES.has(host) || INTERNAL_NAMES.test(host) || !host.includes(".")) {
    return { ok: false, reason: "internal host names are refused" };
  }
  return { ok: true, url };
}

/** Execute's `webhook`, or VALIDATION_ERROR naming `webhook.url` when the Worker would not contact it. */
export function webhookOrInvalid(config: Config, webhook: WebhookRequest): WebhookRequest {
  const verdict = checkWebhookTarget(webhook.url, config.webhooks.allowLoopback);
  if (!verdict.ok) {
    throw new ApiError("VALIDATION_ERROR", `webhook.url: ${verdict.reason}.`, undefined, {}, { field: "webhook.url" });
  }
  return { ...webhook, url: verdict.url.href };
}
