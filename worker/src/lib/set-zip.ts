// The whole set as one ZIP, streamed from R2 (docs/sets.md): client-zip writes stored entries (no
// re-compression) with data descriptors and switches to ZIP64 by itself once an entry or the offset
// passes 4 GiB. One object is open at a time, so memory holds one chunk plus the central directory.
import { makeZip } from "client-zip";

/** What the ZIP needs of a bucket: R2's get, or a fake in tests. */
export interface ObjectReader {
  get(key: string): Promise<{ body: ReadableStream<Uint8Array>; size: number; uploaded: Date } | null>;
}

export function setZip(bucket: ObjectReader, entries: readonly { name: string; key: string }[]): ReadableStream {
  async function* files() {
    for (const { name, key } of entries) {
      // Opened only when the previous entry is fully written: the stream pulls this generator.
      const object = await bucket.get(key);
      if (!object) {
        // The headers are already sent; an entry missing from storage is left out, not a broken download.
        console.warn("set.zip: object missing, entry left out", key);
        continue;
      }
      yield { name, input: object.body, size: object.size, lastModified: object.uploaded };
    }
  }
  return makeZip(files(), { buffersAreUTF8: true });
}
