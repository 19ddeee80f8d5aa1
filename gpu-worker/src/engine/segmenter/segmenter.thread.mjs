// The segmenter thread's entry (thread-client.ts). Plain JS so it loads without a TypeScript loader;
// it then loads the TypeScript host under tsx: the loader the main thread had, given to this thread
// through its own execArgv (thread-client.ts), or registered here (vitest).
if (!process.execArgv.some((arg) => arg.includes("tsx"))) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import("./thread.ts");
