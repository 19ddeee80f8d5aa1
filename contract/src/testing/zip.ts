// A minimal ZIP reader for tests, the demo and the benchmarks: the end records (ZIP64 included) and the
// central directory, so a caller can check what an archive lists without trusting the library that wrote it.

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export interface ZipListing {
  entries: ZipEntry[];
  /** The ZIP64 end-of-central-directory record and locator are present. */
  zip64: boolean;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;

/**
 * Reads the listing from the archive's tail: `tail` holds the last bytes of an archive
 * `totalLength` long, enough to cover the central directory and the end records.
 */
export function readZipListing(tail: Uint8Array, totalLength: number): ZipListing {
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  const base = totalLength - tail.byteLength;
  let eocd = -1;
  for (let at = tail.byteLength - 22; at >= 0; at--) {
    if (view.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new Error("no end of central directory record");
  let count = view.getUint16(eocd + 10, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  const zip64 = eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR;
  if (zip64) {
    const record = Number(view.getBigUint64(eocd - 20 + 8, true)) - base;
    if (view.getUint32(record, true) !== ZIP64_EOCD) throw new Error("no ZIP64 end record");
    count = Number(view.getBigUint64(record + 32, true));
    dirOffset = Number(view.getBigUint64(record + 48, true));
  }
  const entries: ZipEntry[] = [];
  let at = dirOffset - base;
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== CENTRAL) throw new Error(`bad central directory entry ${i}`);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const entry: ZipEntry = {
      // Set file names are UTF-8 (flag bit 11): photos keep their names, Hangul included (docs/sets.md).
      name: new TextDecoder().decode(tail.subarray(at + 46, at + 46 + nameLength)),
      flags: view.getUint16(at + 8, true),
      method: view.getUint16(at + 10, true),
      crc: view.getUint32(at + 16, true),
      compressedSize: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      localOffset: view.getUint32(at + 42, true),
    };
    // The ZIP64 extra field (id 1) holds, in order, whichever of size, compressed size, offset are 0xffffffff.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra < extraEnd) {
      const id = view.getUint16(extra, true);
      const length = view.getUint16(extra + 2, true);
      if (id === 1) {
        let field = extra + 4;
        const next = () => {
          const value = Number(view.getBigUint64(field, true));
          field += 8;
          return value;
        };
        if (entry.size === 0xffffffff) entry.size = next();
        if (entry.compressedSize === 0xffffffff) entry.compressedSize = next();
        if (entry.localOffset === 0xffffffff) entry.localOffset = next();
      }
      extra += 4 + length;
    }
    entries.push(entry);
    at = extraEnd + commentLength;
  }
  return { entries, zip64 };
}

/** The bytes of a stored entry in a whole archive, after its local header. */
export function storedData(archive: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const at = entry.localOffset;
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  return archive.subarray(start, start + entry.compressedSize);
}

/** CRC-32 (IEEE), to check an entry's recorded checksum. */
export function crc32(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return ~crc >>> 0;
}
