// The GPU worker's entry (npm start, the images' CMD): the production start, nothing injected.
import { startWorker } from "./start";

await startWorker();
