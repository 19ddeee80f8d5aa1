// Procedural materials for the `texture` action: seamless 512×512 RGB tiles, built once
// per process. The applier multiplies them by the original's lighting.
import type { Texture } from "@s3/contract";

export const TILE = 512;
const tiles = new Map<Texture, Uint8Array>();

function hash2(x: number, y: number, seed: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ Math.imul(seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

const lattices = new Map<number, Float64Array>();

/** Random values on an n × n grid that wraps, cached per (cell, seed). */
function lattice(cell: number, seed: number): Float64Array {
  const key = cell * 100_000 + seed;
  let grid = lattices.get(key);
  if (!grid) {
    const n = TILE / cell;
    grid = new Float64Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) grid[j * n + i] = hash2(i, j, seed);
    lattices.set(key, grid);
  }
  return grid;
}

/** Value noise in [0, 1] on a lattice of `cell` px that wraps at TILE, so tiles are seamless. */
function noise(x: number, y: number, cell: number, seed: number): number {
  const n = TILE / cell;
  const grid = lattice(cell, seed);
  const fx = x / cell,
    fy = y / cell;
  const x0 = Math.floor(fx),
    y0 = Math.floor(fy);
  const tx = fx - x0,
    ty = fy - y0;
  const sx = tx * tx * (3 - 2 * tx),
    sy = ty * ty * (3 - 2 * ty);
  const i0 = ((x0 % n) + n) % n,
    j0 = ((y0 % n) + n) % n;
  const i1 = (i0 + 1) % n,
    j1 = (j0 + 1) % n;
  const a = grid[j0 * n + i0]!,
    b = grid[j0 * n + i1]!,
    c = grid[j1 * n + i0]!,
    d = grid[j1 * n + i1]!;
  const top = a + (b - a) * sx;
  const bottom = c + (d - c) * sx;
  return top + (bottom - top) * sy;
}

function fbm(x: number, y: number, seed: number, cells: readonly number[] = [128, 64, 32, 16, 8]): number {
  let sum = 0,
    weight = 0,
    amplitude = 1;
  for (const cell of cells) {
    sum += noise(x, y, cell, seed + cell) * amplitude;
    weight += amplitude;
    amplitude *= 0.5;
  }
  return sum / weight;
}

const mix = (a: readonly number[], b: readonly number[], t: number) => a.map((v, i) => v + (b[i]! - v) * t);
const TAU = Math.PI * 2;

type Shader = (x: number, y: number) => readonly number[];

const SHADERS: Record<Texture, Shader> = {
  wood: (x, y) => {
    // Grain runs along x; rings are bands in y bent by noise.
    const t = (y / TILE) * 14 + fbm(x, y, 11, [256, 128, 64]) * 3 + noise(x, y, 8, 12) * 0.15;
    const ring = t - Math.floor(t);
    const band = Math.pow(Math.abs(Math.sin(ring * Math.PI)), 3);
    return mix([196, 154, 108], [140, 98, 60], band * 0.8 + noise(x, y, 4, 13) * 0.2);
  },
  marble: (x, y) => {
    const vein = Math.abs(Math.sin((x / TILE) * TAU * 2 + (y / TILE) * TAU + fbm(x, y, 21) * 9));
    const dark = Math.pow(1 - vein, 8);
    return mix([238, 236, 231], [120, 118, 126], dark * 0.9 + fbm(x, y, 22, [32, 16, 8]) * 0.08);
  },
  concrete: (x, y) => {
    const mottle = fbm(x, y, 31);
    const speck = hash2(x, y, 32) > 0.985 ? -40 : 0;
    const v = 120 + (mottle - 0.5) * 60 + speck + (noise(x, y, 2, 33) - 0.5) * 14;
    return [v + 4, v + 3, v];
  },
  terrazzo: (x, y) => {
    // Chips: cells of 24 px, one chip per cell at a hashed spot with a hashed colour.
    const cx = Math.floor(x / 24),
      cy = Math.floor(y / 24);
    const chipX = cx * 24 + 4 + hash2(cx, cy, 41) * 16,
      chipY = cy * 24 + 4 + hash2(cx, cy, 42) * 16;
    const radius = 2 + hash2(cx, cy, 43) * 5;
    const chips = [
      [170, 90, 70],
      [80, 90, 100],
      [200, 180, 140],
      [60, 60, 60],
    ] as const;
    if ((x - chipX) ** 2 + (y - chipY) ** 2 < radius * radius)
      return chips[Math.floor(hash2(cx, cy, 44) * chips.length)]!;
    const v = (fbm(x, y, 45, [32, 16, 8]) - 0.5) * 16;
    return [232 + v, 226 + v, 214 + v];
  },
  linen: (x, y) => {
    const warp = Math.sin((x / TILE) * TAU * 128) * 0.5 + 0.5;
    const weft = Math.sin((y / TILE) * TAU * 128) * 0.5 + 0.5;
    const slub = noise(x, y, 16, 51) * 0.5 + noise(x, y, 4, 52) * 0.5;
    const v = (warp * 0.5 + weft * 0.5) * 18 + slub * 14;
    return [200 + v, 188 + v, 164 + v];
  },
  brushed_metal: (x, y) => {
    // Long horizontal streaks: a random value per row, drifting slowly along x.
    const streak = hash2(y, 0, 61) * 0.5 + noise(x, y, 128, 62) * 0.3 + hash2(Math.floor(x / 32), y, 63) * 0.2;
    const v = 165 + (streak - 0.5) * 50;
    return [v, v + 3, v + 7];
  },
};

/** The 512×512 RGB tile of `texture`. */
export function textureTile(texture: Texture): Uint8Array {
  let tile = tiles.get(texture);
  if (tile) return tile;
  const shader = SHADERS[texture];
  tile = new Uint8Array(TILE * TILE * 3);
  for (let y = 0; y < TILE; y++)
    for (let x = 0; x < TILE; x++) {
      const rgb = shader(x, y);
      for (let c = 0; c < 3; c++) tile[(y * TILE + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c]!)));
    }
  tiles.set(texture, tile);
  return tile;
}

const packedTiles = new WeakMap<Uint8Array, Int32Array>();

/** A tile as one word per texel, r | g << 8 | b << 16, so the applier reads a texel in one load. */
export function packedTile(tile: Uint8Array): Int32Array {
  let packed = packedTiles.get(tile);
  if (!packed) {
    packed = new Int32Array(tile.length / 3);
    for (let i = 0, q = 0; i < packed.length; i++, q += 3)
      packed[i] = tile[q]! | (tile[q + 1]! << 8) | (tile[q + 2]! << 16);
    packedTiles.set(tile, packed);
  }
  return packed;
}
