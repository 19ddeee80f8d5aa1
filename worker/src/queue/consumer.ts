// The Worker's consumer of the gpu-jobs queue: hands each message to the GPU side
// according to GPU_DISPATCH. With a real Cloudflare pull consumer in production
// (GPU_DISPATCH=queue) the Worker consumes nothing and this handler never runs.
import type { QueueMessage } from "@s3/contract";
import type { Env } from "../env";
import type { QueueBridge } from "./bridge";
import { dispatchToRunpod } from "./runpod";
import { jobCoordinator } from "../lib/durable";

export interface DispatchEnv extends Env {
  QUEUE_BRIDGE?: DurableObjectNamespace<QueueBridge>;
  /** GPU_DISPATCH=http: base URL of a GPU worker's http adapter. */
  GPU_HTTP_URL?: string;
  /** Bearer token the bridge's pull API and the http adapter expect. */
  QUEUE_TOKEN?: string;
}

export const BRIDGE_QUEUE = "gpu-jobs";

export function bridgeStub(env: DispatchEnv): DurableObjectStub<QueueBridge> {
  if (!env.QUEUE_BRIDGE) throw new Error("GPU_DISPATCH=bridge needs the QUEUE_BRIDGE binding");
  return env.QUEUE_BRIDGE.get(env.QUEUE_BRIDGE.idFromName(BRIDGE_QUEUE));
}

export async function dispatchBatch(batch: MessageBatch<QueueMessage>, env: DispatchEnv): Promise<void> {
  const mode = env.GPU_DISPATCH;
  for (const message of batch.messages) {
    try {
      if (mode === "bridge") {
        await bridgeStub(env).enqueue(message.id, JSON.stringify(message.body));
      } else if (mode === "http") {
        await postToGpuWorker(env, message.body);
      } else if (mode === "runpod") {
        await dispatchToRunpod(env, jobCoordinator(env, message.body.job_id), message.body);
      } else {
        throw new Error(`GPU_DISPATCH=${mode} does not consume the queue in the Worker`);
      }
      message.ack();
    } catch (error) {
      console.error(`dispatch of ${message.body.job_id} failed (attempt ${message.attempts}): ${String(error)}`);
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}

async function postToGpuWorker(env: DispatchEnv, body: QueueMessage): Promise<void> {
  if (!env.GPU_HTTP_URL) throw new Error("GPU_DISPATCH=http needs GPU_HTTP_URL");
  const response = await fetch(`${env.GPU_HTTP_URL.replace(/\/$/, "")}/jobs`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(env.QUEUE_TOKEN ? { authorization: `Bearer ${env.QUEUE_TOKEN}` } : {}),
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) throw new Error(`GPU worker answered ${response.status}`);
}
