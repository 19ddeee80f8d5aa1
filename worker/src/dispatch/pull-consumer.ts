// GPU_DISPATCH=queue (production with GPU workers pulling): the gpu-jobs queue has a Cloudflare
// HTTP pull consumer instead of this Worker, so the Worker never sends a message on. The GPU workers
// pull each message from the queue themselves; this provider only refuses a push it should never get.
import { keepsNoRefs, type Dispatcher } from "./dispatcher";

export function pullConsumerDispatcher(): Dispatcher {
  return {
    ...keepsNoRefs,
    async send() {
      throw new Error("GPU_DISPATCH=queue does not consume the queue in the Worker");
    },
  };
}
