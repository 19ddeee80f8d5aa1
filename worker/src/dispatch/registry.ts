// GPU_DISPATCH mode → provider. Adding a GPU provider is one file in this folder that
// implements Dispatcher (dispatcher.ts) and one line here; its mode name becomes a valid
// GPU_DISPATCH value and `needs` lists the variables config.ts must find for it.
import { bridgeDispatcher } from "./bridge";
import type { Dispatcher, ProviderConfig } from "./dispatcher";
import { httpDispatcher } from "./http";
import { pullConsumerDispatcher } from "./pull-consumer";
import { runpodDispatcher } from "./runpod";

export interface DispatchProvider {
  /** Variables this mode cannot work without; a missing one fails the configuration. */
  needs: readonly string[];
  create(env: Env, config: ProviderConfig): Dispatcher;
}

export const dispatchProviders = {
  bridge: { needs: [], create: bridgeDispatcher },
  http: { needs: ["GPU_HTTP_URL"], create: httpDispatcher },
  runpod: { needs: ["RUNPOD_ENDPOINT_ID", "RUNPOD_API_KEY"], create: runpodDispatcher },
  queue: { needs: [], create: pullConsumerDispatcher },
} satisfies Record<string, DispatchProvider>;

export type DispatchMode = keyof typeof dispatchProviders;
export const DISPATCH_MODES = Object.keys(dispatchProviders) as [DispatchMode, ...DispatchMode[]];
