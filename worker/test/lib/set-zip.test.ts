// The set's ZIP stream with a fake bucket (docs/sets.md): entries and sizes as given, stored (method 0),
// a bounded number of objects open, a missing object left out, and ZIP64 once an entry passes 4 GiB.
import { describe, expect, it } from "vitest";
import { LOOKAHEAD, setZip, type ObjectReader } from "../../src/lib/set-zip";
import { crc32, readZipListing, storedData } from "@s3/contract/testing";

const readAll = async (stream: ReadableStream) => new Uint8Array(await new Response(stream).arrayBuffer());

/** `events` records each open and each body's end, to show one object is read at a time. */
function fakeBucket(objects: Record<string, Uint8Array>, events: string[] = []): ObjectReader {
  return {
    async get(key) {
      events.push(`open ${key}`);
      const bytes = objects[key];
      if (!bytes) return null;
      let sent = false;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent) {
            events.push(`end ${key}`);
            controller.close();
          } else controller.enqueue(bytes);
          sent = true;
        },
      });
      return { body, size: bytes.length, uploaded: new Date("2026-01-02T03:04:06Z") };
    },
  };
}

const bytesOf = (length: number, seed: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);

describe("setZip", () => {
  it("writes one stored entry per file, named as given, with the object's exact bytes and CRC", async () => {
    const objects = {
      "a/0_result.png": bytesOf(1000, 1),
      "b/0_thumb.jpg": bytesOf(17, 2),
      "c/1.jpg": new Uint8Array(),
    };
    const names = [
      { name: "result/0_result.png", key: "a/0_result.png" },
      { name: "preview/0_thumb.jpg", key: "b/0_thumb.jpg" },
      { name: "thumbnail/1_thumbnails_300x300.jpg", key: "c/1.jpg" },
    ];
    const archive = await readAll(setZip(fakeBucket(objects), names));
    const { entries, zip64 } = readZipListing(archive, archive.length);
    expect(zip64).toBe(false);
    expect(entries.map(({ name, method, size, compressedSize }) => ({ name, method, size, compressedSize }))).toEqual([
      { name: "result/0_result.png", method: 0, size: 1000, compressedSize: 1000 },
      { name: "preview/0_thumb.jpg", method: 0, size: 17, compressedSize: 17 },
      { name: "thumbnail/1_thumbnails_300x300.jpg", method: 0, size: 0, compressedSize: 0 },
    ]);
    entries.forEach((entry, i) => {
      const source = Object.values(objects)[i]!;
      expect(storedData(archive, entry)).toEqual(source);
      expect(entry.crc).toBe(crc32(source));
    });
  });

  it("keeps at most LOOKAHEAD objects open, whatever the set's size, and leaves a missing one out", async () => {
    const events: string[] = [];
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const objects = Object.fromEntries(keys.filter((key) => key !== "k7").map((key, i) => [key, bytesOf(10, i)]));
    const archive = await readAll(
      setZip(
        fakeBucket(objects, events),
        keys.map((key) => ({ name: `result/${key}.png`, key })),
      ),
    );
    let open = 0;
    let most = 0;
    for (const event of events) {
      open += event.startsWith("open ") ? 1 : 0;
      open -= event.startsWith("end ") || event === "open k7" ? 1 : 0;
      most = Math.max(most, open);
    }
    expect(most).toBeLessThanOrEqual(LOOKAHEAD);
    expect(events.filter((event) => event.startsWith("open ")).length).toBe(20);
    expect(readZipListing(archive, archive.length).entries.map((entry) => entry.name)).toEqual(
      keys.filter((key) => key !== "k7").map((key) => `result/${key}.png`),
    );
  });

  it("switches to ZIP64 for an entry over 4 GiB, streamed without holding it", { timeout: 120_000 }, async () => {
    const size = 2 ** 32 + 1024;
    const chunk = new Uint8Array(1 << 20).fill(0x5a);
    let left = size;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const n = Math.min(left, chunk.length);
        controller.enqueue(n === chunk.length ? chunk : chunk.subarray(0, n));
        left -= n;
        if (left === 0) controller.close();
      },
    });
    const bucket: ObjectReader = {
      async get(key) {
        if (key === "small") return { body: new Response(bytesOf(7, 9)).body!, size: 7, uploaded: new Date() };
        return { body, size, uploaded: new Date() };
      },
    };
    const reader = setZip(bucket, [
      { name: "result/0_result.png", key: "big" },
      { name: "preview/0_thumb.jpg", key: "small" },
    ]).getReader();
    // Keep only the archive's tail: the listing and end records.
    let total = 0;
    let tail = new Uint8Array();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      total += value.length;
      const joined = new Uint8Array(Math.min(tail.length + value.length, 4096));
      const keep = joined.length - Math.min(value.length, joined.length);
      joined.set(tail.subarray(tail.length - keep), 0);
      joined.set(value.subarray(value.length - (joined.length - keep)), keep);
      tail = joined;
    }
    const { entries, zip64 } = readZipListing(tail, total);
    expect(zip64).toBe(true);
    expect(entries.map(({ name, size, method }) => ({ name, size, method }))).toEqual([
      { name: "result/0_result.png", size, method: 0 },
      { name: "preview/0_thumb.jpg", size: 7, method: 0 },
    ]);
    expect(entries[1]!.localOffset).toBeGreaterThan(2 ** 32);
  });
});
