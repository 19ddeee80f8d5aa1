// One delivery attempt (docs/webhooks.md): a Standard Webhooks POST signed with each of the user's
// current secrets, answered within 15 s, redirects not followed. Answers the receiver's status, or
// null when it gave none (timeout, refused connection, refused address).
import { Webhook } from "standardwebhooks";
import { WEBHOOK_TIMEOUT_MS } from "@s3/contract";
import { checkWebhookTarget } from "./target";

export interface Delivery {
  webhookId: string;
  url: string;
  body: string;
  /** Newest first; during a rotation the old secret signs too. */
  secrets: string[];
  allowLoopback: boolean;
}

/** The three Standard Webhooks headers; one `v1,` signature per secret, space-separated. */
export function signedHeaders(webhookId: string, body: string, secrets: string[], at = new Date()) {
  return {
    "webhook-id": webhookId,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": secrets.map((secret) => new Webhook(secret).sign(webhookId, at, body)).join(" "),
  };
}

export async function deliver(delivery: Delivery): Promise<number | null> {
  const target = checkWebhookTarget(delivery.url, delivery.allowLoopback);
  if (!target.ok) return null;
  try {
    const response = await fetch(target.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "S3-Webhooks/1",
        ...signedHeaders(delivery.webhookId, delivery.body, delivery.secrets),
      },
      body: delivery.body,
      redirect: "manual",
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    // The answer's body is not read beyond what the runtime needs to free the connection.
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  }
}
