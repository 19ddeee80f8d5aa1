// The layer rules of docs/architecture.md ("Layers"), checked by `npm run lint` (depcruise).
// Each rule's comment says why it holds. Type-only imports count: a type import ties layers as well.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "contract-imports-nothing-of-ours",
      comment: "The contract is what the services agree on; it must not depend on any one of them.",
      severity: "error",
      from: { path: "^contract/" },
      to: { path: "^(worker|gpu-worker|client|scripts|e2e)/" },
    },
    {
      name: "routes-never-import-dispatch",
      comment: "Routes validate and call the Durable Objects; which GPU provider runs a job is the JobCoordinator's.",
      severity: "error",
      from: { path: "^worker/src/routes/" },
      to: { path: "^worker/src/dispatch/" },
    },
    {
      name: "durable-objects-never-import-a-dispatch-implementation",
      comment: "The Durable Objects see a provider only through the Dispatcher interface (dispatch/index.ts).",
      severity: "error",
      from: { path: "^worker/src/durable-objects/" },
      to: { path: "^worker/src/dispatch/", pathNot: "^worker/src/dispatch/(index|dispatcher)[.]ts$" },
    },
    {
      name: "lib-and-db-never-import-upward",
      comment: "lib/ and db/ are what routes, middleware and objects build on; importing them back makes circles.",
      severity: "error",
      from: { path: "^worker/src/(lib|db)/" },
      to: { path: "^worker/src/(routes|middleware|durable-objects|dispatch)/" },
    },
    {
      name: "middleware-never-imports-routes",
      comment: "Middleware runs before any route and serves all of them.",
      severity: "error",
      from: { path: "^worker/src/middleware/" },
      to: { path: "^worker/src/routes/" },
    },
    {
      name: "no-route-imports-another-route",
      comment: "One endpoint per file: shared params and schemas live beside the router, not in an endpoint.",
      severity: "error",
      from: { path: "^worker/src/routes/", pathNot: "/router[.]ts$" },
      to: { path: "^worker/src/routes/", pathNot: "/(params|schemas)[.]ts$" },
    },
    {
      name: "gpu-worker-never-imports-worker",
      comment: "The GPU worker talks to the Worker over HTTP and the queue only (docs/messages.md).",
      severity: "error",
      from: { path: "^gpu-worker/" },
      to: { path: "^worker/" },
    },
    {
      name: "worker-never-imports-gpu-worker",
      comment: "The Worker knows the GPU side only by its messages and callbacks.",
      severity: "error",
      from: { path: "^worker/" },
      to: { path: "^gpu-worker/" },
    },
    {
      name: "console-imports-no-service-internals",
      comment: "The console is an API client like any other: it may use the contract, never the Worker's code.",
      severity: "error",
      from: { path: "^worker/console/" },
      to: { path: "^(worker/src|gpu-worker/src)/" },
    },
    {
      name: "client-imports-no-service-internals",
      comment:
        "The client knows the API only by its OpenAPI document (the generated types); it runs in browsers and " +
        "in callers' programs, so it imports nothing of the services, the contract or the scripts.",
      severity: "error",
      from: { path: "^client/" },
      to: { path: "^(worker|gpu-worker|contract|scripts|e2e)/" },
    },
    {
      name: "scripts-import-no-service-internals",
      comment:
        "Scripts drive the services from outside (HTTP, containers) and the contract; the one exception is " +
        "bench-zip, which measures the Worker's ZIP streamer itself (docs/sets.md) and so imports that module.",
      severity: "error",
      from: { path: "^scripts/" },
      to: {
        path: "^(worker/src|gpu-worker/src)/",
        pathNot: "^worker/src/lib/set-zip[.]ts$",
      },
    },
    {
      name: "only-bench-zip-imports-the-zip-streamer",
      comment: "The exception above is for the benchmark of that module alone.",
      severity: "error",
      from: { path: "^scripts/", pathNot: "^scripts/bench-zip[.]ts$" },
      to: { path: "^worker/src/lib/set-zip[.]ts$" },
    },
    {
      name: "no-circular",
      comment: "A circle has no layer order: neither side can be read, tested or changed alone.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|dist|[.]wrangler)/|[.]d[.]ts$" },
    tsPreCompilationDeps: true,
    combinedDependencies: true,
    tsConfig: { fileName: "tsconfig.base.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".mts", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
