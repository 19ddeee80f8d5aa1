// What every platform adapter offers start.ts: start taking work, stop taking it.
export interface Adapter {
  start(): Promise<void>;
  /** Stop taking work; wait up to `graceMs` for in-flight items, release the rest. */
  stop(graceMs: number): Promise<void>;
}
