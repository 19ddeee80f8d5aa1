// bench:gpu's fake S3 and callback receiver, on a thread of their own: in production both are
// across the network, so their work (reading each upload, hashing each input for its ETag) must
// not land on the event loop the benchmark measures. Started by fake-services-entry.mjs.
import { parentPort, workerData } from "node:worker_threads";
import { startFakeCallbacks, startFakeS3 } from "../test/helpers/servers";

export interface FakeServices {
  endpoint: string;
  bucket: string;
  /** The callback receiver's URL for a job. */
  callbackBase: string;
}

export type FakeServicesRequest = { kind: "input"; key: string; body: Uint8Array } | { kind: "close" };

const port = parentPort!;
// Outputs are dropped as they arrive: the bucket does not grow the RSS being measured.
const [s3, receiver] = await Promise.all([
  startFakeS3(undefined, undefined, { store: (key) => key.startsWith("inputs/") }),
  startFakeCallbacks(workerData.secret as string),
]);
port.on("message", async (request: FakeServicesRequest) => {
  if (request.kind === "input") {
    const { buffer, byteOffset, byteLength } = request.body;
    s3.objects.set(request.key, { body: Buffer.from(buffer, byteOffset, byteLength), contentType: "image/jpeg" });
    port.postMessage({ stored: request.key });
  } else {
    await Promise.all([s3.close(), receiver.close()]);
    port.close();
  }
});
const ready: FakeServices = {
  endpoint: s3.endpoint,
  bucket: s3.bucket,
  callbackBase: receiver.url("JOB").replace(/\/jobs\/JOB\/callback$/, ""),
};
port.postMessage({ ready });
