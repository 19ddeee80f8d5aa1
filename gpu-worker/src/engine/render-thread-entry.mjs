// A render pool thread's entry (render-pool.ts). Plain JS so it loads without a TypeScript loader;
// it then loads the TypeScript task under tsx: the loader the pool passed in this thread's execArgv
// (the main thread's own: the tsx CLI's, `--import tsx`, the images' …/tsx/dist/loader.mjs), or,
// when the main thread has none (vitest transforms on its own), one registered here.
if (!process.execArgv.some((arg) => /(^|[\\/])tsx([\\/]|$)/.test(arg))) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import("./render-thread.ts");
