// A Phase B pool thread's entry (phase-b-pool.ts). Plain JS so it loads without a TypeScript loader;
// it then loads the TypeScript task under tsx: the loader the process already has (Docker's
// `--import …/tsx/dist/loader.mjs`, the tsx CLI), inherited through execArgv, or registered here (vitest).
if (!process.execArgv.some((arg) => arg.includes("tsx"))) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import("./phase-b-thread.ts");
