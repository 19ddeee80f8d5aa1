// Reports one item to the Worker (docs/messages.md): POST with the GPU secret, retried with
// backoff until acknowledged. The Worker dedupes by idempotency key, so a retry whose
// first try did arrive changes nothing. The secret goes only to CALLBACK_BASE_URL's origin.
import type { Logger } from "pino";
import { callbackBodySchema, type CallbackAnswer, type CallbackBody, type Envelope } from "@s3/contract";
import { TransientError } from "./errors";
import { isTransientStatus, withRetry, type RetryPolicy } from "./retry";

/** "canceled": acknowledged, and the Worker says the job was canceled (its other items need no work). */
export type CallbackResult = "acknowledged" | "canceled" | "refused" | "gave_up";

export interface CallbackOptions {
  secret: string;
  /** The Worker's origin (CALLBACK_BASE_URL): a callback_url elsewhere is never posted to. */
  origin: string;
  /** Per try. */
  timeoutSec: number;
  retry?: RetryPolicy;
  logger: Logger;
}

export interface CallbackSender {
  /** True when `url` is on the Worker's origin, so the secret may be sent there. */
  allows(url: string): boolean;
  send(url: string, body: CallbackBody, logger?: Logger): Promise<CallbackResult>;
}

/** About two minutes of trying before the job is left to the queue's redelivery. */
export const CALLBACK_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 };

export function createCallbackSender(options: CallbackOptions): CallbackSender {
  const policy = options.retry ?? CALLBACK_RETRY;
  const origin = new URL(options.origin).origin;
  const allows = (url: string) => URL.canParse(url) && new URL(url).origin === origin;
  return {
    allows,
    async send(url, body, logger = options.logger) {
      if (!allows(url)) {
        logger.error(
          { callback_url: url, allowed_origin: origin },
          "callback_url is not on CALLBACK_BASE_URL; not sent",
        );
        return "refused";
      }
      const payload = JSON.stringify(callbackBodySchema.parse(body));
      try {
        const { status, jobStatus } = await withRetry(
          policy,
          async () => {
            const response = await fetch(url, {
              method: "POST",
              headers: { "Content-Type": "application/json", Authorization: `Bearer ${options.secret}` },
              body: payload,
              signal: AbortSignal.timeout(options.timeoutSec * 1000),
            });
            if (isTransientStatus(response.status)) {
              await response.body?.cancel();
              throw new TransientError(`callback answered ${response.status}`);
            }
            const answer = (await response.json().catch(() => null)) as Envelope<CallbackAnswer> | null;
            return { status: response.status, jobStatus: answer?.data?.status };
          },
          (error, attempt) => logger.warn({ err: String(error), attempt }, "callback failed, retrying"),
        );
        if (status >= 200 && status < 300) return jobStatus === "canceled" ? "canceled" : "acknowledged";
        // A 4xx other than 408/429 will not change on retry: the Worker refused the report.
        logger.error({ status, idempotency_key: body.idempotency_key }, "callback refused by the Worker");
        return "refused";
      } catch (error) {
        logger.error({ err: String(error), idempotency_key: body.idempotency_key }, "callback never acknowledged");
        return "gave_up";
      }
    },
  };
}
