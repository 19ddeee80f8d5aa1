// The pool's threads start with their own execArgv, however the process started: each documented
// command runs a pool in a real process and decodes on its threads; a thread that cannot load its
// code fails ready() (the worker's start), not each photo.
import { spawnSync } from "node:child_process";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createRenderPool, threadExecArgv } from "../../src/engine/render-pool";

const GPU_WORKER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ROOT = path.resolve(GPU_WORKER_DIR, "..");
const NODE = process.execPath;
const TSX_DIR = path.join(ROOT, "node_modules", "tsx");
const PROBE = "test/helpers/pool-probe.ts";

/** A port free right now, for the loopback forward to take. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function probe(args: string[], env: Record<string, string> = {}): { width: number; height: number; red: number } {
  const result = spawnSync(NODE, [...args, PROBE], {
    cwd: GPU_WORKER_DIR,
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 90_000,
  });
  expect(result.status, `${args.join(" ")}: ${result.stderr}`).toBe(0);
  return JSON.parse(result.stdout.trim().split("\n").pop()!) as { width: number; height: number; red: number };
}

const DECODED = { width: 6, height: 4, red: 0xc0 };

describe("pool threads under each way the GPU worker starts", { timeout: 120_000 }, () => {
  it("the tsx CLI (npm start: tsx src/main.ts)", () => {
    expect(probe([path.join(TSX_DIR, "dist", "cli.mjs")])).toEqual(DECODED);
  });

  it("node --import tsx (npm run dev's GPU worker)", () => {
    expect(probe(["--import", "tsx"])).toEqual(DECODED);
  });

  it("the images' command: the loopback forward preload, then tsx's loader by path", async () => {
    const port = await freePort();
    const args = [
      "--import",
      path.join(ROOT, "docker", "loopback-forward.mjs"),
      "--import",
      path.join(TSX_DIR, "dist", "loader.mjs"),
    ];
    // The forward holds the port on the main thread; a thread that ran it again would die on EADDRINUSE.
    expect(probe(args, { LOOPBACK_FORWARD: `${port}=127.0.0.1:9` })).toEqual(DECODED);
  });
});

describe("a pool thread's execArgv", () => {
  it("keeps only the TypeScript loader of the main thread's flags", () => {
    expect(
      threadExecArgv([
        "--import",
        "/usr/local/lib/s3/loopback-forward.mjs",
        "--import",
        "/opt/tsx/node_modules/tsx/dist/loader.mjs",
        "--inspect=9229",
      ]),
    ).toEqual(["--import", "/opt/tsx/node_modules/tsx/dist/loader.mjs"]);
    expect(threadExecArgv(["--require", "/r/node_modules/tsx/dist/preflight.cjs", "--import=tsx"])).toEqual([
      "--require",
      "/r/node_modules/tsx/dist/preflight.cjs",
      "--import",
      "tsx",
    ]);
    expect(threadExecArgv(["--max-old-space-size=4096", "--import", "./tsxlike.mjs"])).toEqual([]);
  });
});

describe("a pool thread that cannot start", () => {
  it("fails ready() with the reason, and then every task, without respawning", async () => {
    const pool = createRenderPool(2, new URL("../helpers/unstartable-thread.mjs", import.meta.url));
    try {
      await expect(pool.ready()).rejects.toThrow(/could not start: .*this thread cannot load its code/);
      await expect(pool.decode(new Uint8Array(8), 1e6)).rejects.toMatchObject({
        code: "INTERNAL",
        message: expect.stringMatching(/Phase B pool is broken/),
      });
    } finally {
      await pool.close();
    }
  });
});
