// option_board `board`: the variants in a grid, each labelled with its swatch and name.
import type { RgbImage } from "@s3/contract";
import { drawWatermark } from "../apply";

import { blit, INK, MUTED, resize, svgImage } from "./canvas";
import { fitText, textPath } from "./font";
import { centredBaseline, swatchSvg } from "./labels";
import { drawUnchangedRibbon } from "./ribbon";

const MARGIN = 32,
  GAP = 24,
  LABEL = 64,
  SWATCH = 36,
  NAME = 26,
  HEX = 20;

export interface BoardTile {
  name: string;
  /** `#RRGGBB` of the option's colour. */
  hex: string;
  image: RgbImage;
  /** Its result equals the input: the tile carries the "unchanged" ribbon. */
  unchanged?: boolean;
}

/** Columns for `count` tiles: one row up to 3, then 2×2, 3×2, 4×2. */
export function boardColumns(count: number): number {
  return count <= 3 ? count : count === 4 ? 2 : count <= 6 ? 3 : 4;
}

export function boardLayout(width: number, height: number, count: number) {
  const columns = boardColumns(count);
  const rows = Math.ceil(count / columns);
  const tileWidth = columns <= 3 ? 560 : 440;
  const tileHeight = Math.max(1, Math.round((tileWidth * height) / width));
  const tiles = Array.from({ length: count }, (_, i) => ({
    x: MARGIN + (i % columns) * (tileWidth + GAP),
    y: MARGIN + Math.floor(i / columns) * (tileHeight + LABEL + GAP),
  }));
  return {
    width: 2 * MARGIN + columns * tileWidth + (columns - 1) * GAP,
    height: 2 * MARGIN + rows * (tileHeight + LABEL) + (rows - 1) * GAP,
    tileWidth,
    tileHeight,
    tiles,
  };
}

export async function renderBoard(tiles: readonly BoardTile[], watermark: boolean): Promise<RgbImage> {
  if (tiles.length === 0) throw new Error("a board needs at least one variant");
  const { width, height } = tiles[0]!.image;
  const layout = boardLayout(width, height, tiles.length);
  const labels = tiles.flatMap((tile, i) => {
    const { x, y } = layout.tiles[i]!;
    const top = y + layout.tileHeight;
    const hexWidth = HEX * 5;
    return [
      swatchSvg(x, top + (LABEL - SWATCH) / 2, SWATCH, tile.hex),
      textPath(
        fitText(tile.name, NAME, layout.tileWidth - SWATCH - 28 - hexWidth),
        x + SWATCH + 14,
        centredBaseline(top, LABEL, NAME),
        NAME,
        INK,
      ),
      textPath(tile.hex, x + layout.tileWidth, centredBaseline(top, LABEL, HEX), HEX, MUTED, "end"),
    ];
  });
  const [board, ...scaled] = await Promise.all([
    svgImage(layout.width, layout.height, labels.join("")),
    ...tiles.map((tile) => resize(tile.image, layout.tileWidth, layout.tileHeight)),
  ]);
  scaled.forEach((image, i) => blit(board!, image, layout.tiles[i]!.x, layout.tiles[i]!.y));
  await Promise.all(
    tiles.map((tile, i) =>
      tile.unchanged
        ? drawUnchangedRibbon(board!, layout.tiles[i]!.x, layout.tiles[i]!.y, layout.tileWidth, layout.tileHeight)
        : null,
    ),
  );
  if (watermark) drawWatermark(board!.data, board!.width, board!.height);
  return board!;
}
