// The boundary between the job state machine and the GPU provider: what the JobCoordinator,
// the queue consumer and the routes may ask of whichever GPU_DISPATCH mode is configured.
import type { QueueMessage } from "@s3/contract";
import type { JobCoordinatorApi } from "../rpc";

/**
 * What the provider knows of a job's latest dispatch, for the lease: still waiting, running,
 * gone (it will not run the job any more), failed, unavailable (it keeps per-job state, but
 * gave no answer this time), or unknown (a provider that keeps no per-job state, or a job it
 * calls finished with items still unreported).
 */
export type ProviderStatus = "waiting" | "running" | "gone" | "failed" | "unavailable" | "unknown";

/** The settings a provider is created with: the dispatch part of the Worker's config (config.ts). */
export interface DispatchSettings {
  httpUrl: string | null;
  queueToken: string | null;
  runpod: { apiBase: string; endpointId: string | null; apiKey: string | null };
}

export interface ProviderConfig {
  dispatch: DispatchSettings;
}

/** One gpu-jobs delivery: its queue id (dedupes a redelivery) and the job's coordinator. */
export interface Delivery {
  id: string;
  job: JobCoordinatorApi;
}

export interface Dispatcher {
  /** Hands one queue message to the GPU side; throws to have the message retried. */
  send(message: QueueMessage, delivery: Delivery): Promise<void>;
  /** Best effort: stops the provider's work under these dispatch refs; never throws. */
  cancel(refs: readonly string[]): Promise<void>;
  /** What the provider knows of the latest of these dispatch refs; never throws. */
  status(refs: readonly string[]): Promise<ProviderStatus>;
  /**
   * How long the provider may run this message once dispatched before it stops it itself: the lease
   * waits on a job the provider calls waiting or running at most this long (docs/state-machine.md).
   */
  runLimitMs(message: QueueMessage): number;
}

/** For providers that record no dispatch refs: nothing to cancel, nothing known, nothing to wait on. */
export const keepsNoRefs: Pick<Dispatcher, "cancel" | "status" | "runLimitMs"> = {
  cancel: async () => {},
  status: async () => "unknown",
  runLimitMs: () => 0,
};
