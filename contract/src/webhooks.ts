// Webhooks (docs/webhooks.md): what execute accepts, the retry schedule, and what a delivery carries.
// Deliveries follow the Standard Webhooks specification (v1).
import { z } from "zod";

export const WEBHOOK_EVENTS = ["item", "end"] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];
export const WEBHOOK_TYPES = { item: "job.item", end: "job.end" } as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[WebhookEvent];

export const WEBHOOK_URL_MAX = 2048;
export const webhookRequestSchema = z.strictObject({
  url: z.string().max(WEBHOOK_URL_MAX),
  events: z
    .array(z.enum(WEBHOOK_EVENTS))
    .min(1)
    .max(WEBHOOK_EVENTS.length)
    .default(["end"])
    .transform((events) => [...new Set(events)]),
});
export type WebhookRequest = z.output<typeof webhookRequestSchema>;

/** Seconds between attempts after a failed one: the first attempt and seven retries. */
export const WEBHOOK_BACKOFF_SEC = [5, 300, 1_800, 7_200, 18_000, 36_000, 86_400] as const;
/** A receiver that has not answered 2xx within this long has failed the attempt. */
export const WEBHOOK_TIMEOUT_MS = 15_000;
/** A delivery's body stays under this many bytes; past it, `data.items` is left out. */
export const WEBHOOK_BODY_MAX = 20_000;

export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** The webhooks queue's message: which delivery to attempt. Bodies stay in the JobCoordinator. */
export interface WebhookTask {
  job_id: string;
  webhook_id: string;
}
