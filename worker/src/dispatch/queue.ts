// GPU_DISPATCH=queue (production with GPU workers pulling): the gpu-jobs queue has a Cloudflare
// HTTP pull consumer instead of this Worker, so the Worker never sends a message on.
import { keepsNoRefs, type Dispatcher } from "./dispatcher";

export function queueDispatcher(): Dispatcher {
  return {
    ...keepsNoRefs,
    async send() {
      throw new Error("GPU_DISPATCH=queue does not consume the queue in the Worker");
    },
  };
}
