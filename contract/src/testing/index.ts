// Test support shared by every package's tests, the demo and the benchmarks: the one QueueMessage
// fixture and a ZIP reader, plus the generated scenes (@s3/contract/scenes) for tests' convenience.
// Production code never imports this module.
export * from "../scenes";
export * from "./queue-message";
export * from "./zip";
