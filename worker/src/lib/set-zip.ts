// The whole set as one ZIP, streamed from R2 (docs/sets.md): client-zip writes stored entries (no
// re-compression) with data descriptors and switches to ZIP64 by itself once an entry or the offset
// passes 4 GiB. At most LOOKAHEAD objects are open at a time (the one being written and the next
// ones' gets in flight, hiding each get's latency), so memory does not grow with the set.
import { makeZip } from "client-zip";

/** Objects opened ahead of the one being written: each get's round trip overlaps the previous body. */
export const LOOKAHEAD = 4;

/** What the ZIP needs of a bucket: R2's get, or a fake in tests. */
export interface ObjectReader {
  get(key: string): Promise<{ body: ReadableStream<Uint8Array>; size: number; uploaded: Date } | null>;
}

export function setZip(bucket: ObjectReader, entries: readonly { name: string; key: string }[]): ReadableStream {
  async function* files() {
    const pending: ReturnType<ObjectReader["get"]>[] = [];
    let next = 0;
    const fill = () => {
      while (next < entries.length && pending.length < LOOKAHEAD) pending.push(bucket.get(entries[next++]!.key));
    };
    for (const { name, key } of entries) {
      fill();
      const object = await pending.shift()!;
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
