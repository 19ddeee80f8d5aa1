// GPU_DISPATCH → Dispatcher: each mode resolves to its own provider, and the modes are the registry's keys.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { dispatcherFor } from "../../src/dispatch";
import { DISPATCH_MODES, dispatchProviders } from "../../src/dispatch/registry";

const settingsFor: Record<string, Record<string, string>> = { http: { GPU_HTTP_URL: "http://127.0.0.1:9" } };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("dispatch registry", () => {
  it("knows the four modes of GPU_DISPATCH", () => {
    expect(DISPATCH_MODES).toEqual(["bridge", "http", "runpod", "queue"]);
  });

  for (const mode of ["bridge", "http", "runpod", "queue"] as const) {
    it(`GPU_DISPATCH=${mode} resolves to the ${mode} provider and no other`, () => {
      const factories = Object.fromEntries(
        DISPATCH_MODES.map((candidate) => [candidate, vi.spyOn(dispatchProviders[candidate], "create")]),
      );
      const modeEnv: Env = { ...env, ...settingsFor[mode], GPU_DISPATCH: mode };
      const dispatcher = dispatcherFor(modeEnv);
      expect(factories[mode]).toHaveBeenCalledTimes(1);
      expect(factories[mode]!.mock.calls[0]![1]).toMatchObject({ dispatch: { mode } });
      expect(factories[mode]!.mock.results[0]!.value).toBe(dispatcher);
      for (const other of DISPATCH_MODES.filter((candidate) => candidate !== mode)) {
        expect(factories[other]).not.toHaveBeenCalled();
      }
    });
  }

  it("providers that record no dispatch refs know nothing of a job's status", async () => {
    for (const mode of ["bridge", "http", "queue"] as const) {
      const dispatcher = dispatcherFor({ ...env, ...settingsFor[mode], GPU_DISPATCH: mode });
      expect(await dispatcher.status(["ref"])).toBe("unknown");
    }
  });
});
