// What the rest of the Worker imports from dispatch/: the configured provider behind its interface.
import { configOf } from "../config";
import type { Dispatcher } from "./dispatcher";
import { dispatchProviders } from "./registry";

export type { Delivery, Dispatcher, ProviderStatus } from "./dispatcher";

/** The Dispatcher of this env's GPU_DISPATCH mode. */
export function dispatcherFor(env: Env): Dispatcher {
  const config = configOf(env);
  return dispatchProviders[config.dispatch.mode].create(env, config);
}
