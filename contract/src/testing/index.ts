// Test support shared by every package's tests, the demo and the benchmarks: generated photos
// with known ground truth and the one QueueMessage fixture.
export * from "./queue-message";
export * from "./reference-colors";
export * from "./scenes";
export * from "./zip";
