// The render step's per-pixel pass in WebAssembly SIMD. The source is apply.wat beside this file,
// assembled with wabt once per process at module load; where that fails (no SIMD in the
// runtime, say) `wasmKernel` is null and the applier uses the JavaScript kernel.
import { readFileSync } from "node:fs";
import wabt from "wabt";
import { TEXTURES } from "@s3/contract";
import { TILE } from "../../textures";
import { KIND_LUMA, KIND_TEXTURE, packedLumaTable, type CompiledEdit } from "./types";

/** Bytes per tile row in memory: 512 texels plus the row's first 16 again, so a 16-pixel step never wraps. */
const TILE_STRIDE = (TILE + 16) * 3;
const RECORD_BYTES = 16;
const MAX_EDITS = 254;
const PAGE = 65536;

/** One photo's buffers inside a WebAssembly memory of its own, and the pass over them. */
export interface WasmPhoto {
  /** width × height × 3 bytes: copy the photo in, read the result out (edited in place). */
  pixels: Uint8Array;
  /** width × height bytes each, for ownerMap and featherAlpha to fill. */
  owner: Uint8Array;
  alpha: Uint8Array;
  /** Runs the pass: every owned pixel of `pixels` gets its edit's colour, blended by alpha. */
  apply(compiled: readonly CompiledEdit[]): void;
}

export interface WasmKernel {
  /** Memory for one photo. `pixels` stays valid after `apply`: the memory is never grown. */
  photo(width: number, height: number): WasmPhoto;
}

type ApplyExport = (
  width: number,
  height: number,
  owners: number,
  alphas: number,
  records: number,
  tileStride: number,
) => void;

const align = (bytes: number) => (bytes + 15) & ~15;

function createKernel(module: WebAssembly.Module): WasmKernel {
  return {
    photo(width, height) {
      const n = width * height;
      const ownerAt = 3 * n,
        alphaAt = 4 * n;
      // Tables after the maps: records, one lut and one recolor table per edit, one tile per texture.
      const recordsAt = align(5 * n);
      const lutsAt = recordsAt + RECORD_BYTES * (MAX_EDITS + 1);
      const lumaTablesAt = lutsAt + 768 * MAX_EDITS;
      const tilesAt = lumaTablesAt + 1024 * MAX_EDITS;
      const size = tilesAt + TILE_STRIDE * TILE * TEXTURES.length;
      const memory = new WebAssembly.Memory({ initial: Math.ceil(size / PAGE) });
      const run = new WebAssembly.Instance(module, { env: { memory } }).exports.apply as ApplyExport;
      const bytes = new Uint8Array(memory.buffer);
      return {
        pixels: bytes.subarray(0, ownerAt),
        owner: bytes.subarray(ownerAt, alphaAt),
        alpha: bytes.subarray(alphaAt, alphaAt + n),
        apply(compiled) {
          if (compiled.length > MAX_EDITS) throw new Error(`at most ${MAX_EDITS} concepts per rule`);
          const records = new Int32Array(memory.buffer, recordsAt, 4 * (compiled.length + 1));
          const tiles = new Map<Uint8Array, number>();
          compiled.forEach((edit, index) => {
            const lut = lutsAt + 768 * index;
            bytes.set(edit.lut, lut);
            let table = 0;
            if (edit.kind === KIND_LUMA) {
              table = lumaTablesAt + 1024 * index;
              new Int32Array(memory.buffer, table, 256).set(packedLumaTable(edit.lut));
            } else if (edit.kind === KIND_TEXTURE) {
              table = tiles.get(edit.tile!) ?? placeTile(bytes, edit.tile!, tilesAt + TILE_STRIDE * TILE * tiles.size);
              tiles.set(edit.tile!, table);
            }
            records.set([edit.kind, lut, edit.saturation, table], 4 * (index + 1));
          });
          run(width, height, ownerAt, alphaAt, recordsAt, TILE_STRIDE);
        },
      };
    },
  };
}

/** Copies a TILE × TILE RGB tile to `at`, each row followed by its own first 16 texels. */
function placeTile(bytes: Uint8Array, tile: Uint8Array, at: number): number {
  const row = TILE * 3;
  for (let y = 0; y < TILE; y++) {
    bytes.set(tile.subarray(y * row, (y + 1) * row), at + y * TILE_STRIDE);
    bytes.set(tile.subarray(y * row, y * row + 48), at + y * TILE_STRIDE + row);
  }
  return at;
}

async function loadKernel(): Promise<{ kernel: WasmKernel | null; error: string | null }> {
  try {
    const source = readFileSync(new URL("./apply.wat", import.meta.url), "utf8");
    const parsed = (await wabt()).parseWat("apply.wat", source, { simd: true });
    try {
      return {
        kernel: createKernel(new WebAssembly.Module(parsed.toBinary({}).buffer as Uint8Array<ArrayBuffer>)),
        error: null,
      };
    } finally {
      parsed.destroy();
    }
  } catch (error) {
    return { kernel: null, error: (error as Error).message };
  }
}

const loaded = await loadKernel();
/** The WebAssembly kernel, or null where it could not be built (see `wasmKernelError`). */
export const wasmKernel: WasmKernel | null = loaded.kernel;
export const wasmKernelError: string | null = loaded.error;
