// The fake services thread's entry (fake-services.ts), plain JS: it loads the TypeScript under the
// tsx loader the process has (the tsx CLI's flags), or registers one.
if (!process.execArgv.some((arg) => arg.includes("tsx"))) {
  const { register } = await import("tsx/esm/api");
  register();
}
await import("./fake-services.ts");
