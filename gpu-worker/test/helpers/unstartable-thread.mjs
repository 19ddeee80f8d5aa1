// A pool thread entry that cannot load, as one without its TypeScript loader cannot (render-pool-start.test.ts).
throw new Error("this thread cannot load its code");
