// GPU_DISPATCH=http, for self-hosted GPU servers: each message is POSTed to a GPU worker's
// http adapter, which answers once it has accepted the job.
import { keepsNoRefs, type Dispatcher, type ProviderConfig } from "./dispatcher";

const TIMEOUT_MS = 10_000;

export function httpDispatcher(_env: Env, config: ProviderConfig): Dispatcher {
  const { httpUrl, queueToken } = config.dispatch;
  return {
    ...keepsNoRefs,
    async send(message) {
      if (!httpUrl) throw new Error("GPU_DISPATCH=http needs GPU_HTTP_URL");
      const response = await fetch(`${httpUrl}/jobs`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(queueToken ? { authorization: `Bearer ${queueToken}` } : {}),
        },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`GPU worker answered ${response.status}`);
    },
  };
}
