// The GPU worker process of bench:pipeline's pass-through runs (scripts/bench-pipeline.ts): the production
// start with the pass-through item stage and its segmenter put in (bench/pass-through.ts).
import { startWorker } from "../src/start";
import { passThroughSegmenter, passThroughStage } from "./pass-through";

await startWorker({ segmenter: async () => passThroughSegmenter, itemStage: passThroughStage });
