// option_board `board`: the variants in a grid, each labelled with its swatch, its display name and, for a
// colour, its hex. Below the grid a footer band holds the free plan's mark.
import type { Bbox, Locale, RgbImage } from "@s3/contract";

import { blit, even, INK, MUTED, resize, svgImage } from "./canvas";
import { fitText, textPath } from "./font";
import { centredBaseline, swatchSvg, variantCaption } from "./labels";
import { drawMark, markBox } from "./mark";
import { drawUnchangedRibbon } from "./ribbon";

const MARGIN = 32,
  GAP = 24,
  LABEL = 64,
  SWATCH = 36,
  NAME = 26,
  HEX = 20,
  FOOTER = 56,
  MARK_TEXT = 16;

export interface BoardTile {
  name: string;
  /** `#RRGGBB` of the chip: the option's colour, or its first concept's mean colour for a tone or texture. */
  swatch: string;
  /** The hex printed beside the name: a colour's only. */
  hex: string | null;
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
  const boardWidth = even(2 * MARGIN + columns * tileWidth + (columns - 1) * GAP);
  const gridBottom = MARGIN + rows * (tileHeight + LABEL) + (rows - 1) * GAP;
  return {
    width: boardWidth,
    height: even(gridBottom + FOOTER),
    tileWidth,
    tileHeight,
    tiles,
    /** Each tile's label row (swatch, name, hex): what the mark must stay clear of. */
    labels: tiles.map(({ x, y }): Bbox => [x, y + tileHeight, tileWidth, LABEL]),
    /** Where the free plan's mark goes: the footer's right end, below every label. */
    mark: markBox(boardWidth - MARGIN, gridBottom, FOOTER, MARK_TEXT),
  };
}

export async function renderBoard(tiles: readonly BoardTile[], watermark: boolean, locale: Locale): Promise<RgbImage> {
  if (tiles.length === 0) throw new Error("a board needs at least one variant");
  const { width, height } = tiles[0]!.image;
  const layout = boardLayout(width, height, tiles.length);
  const labels = tiles.flatMap((tile, i) => {
    const { x, y } = layout.tiles[i]!;
    const top = y + layout.tileHeight;
    const hexWidth = tile.hex ? HEX * 5 : 0;
    return [
      swatchSvg(x, top + (LABEL - SWATCH) / 2, SWATCH, tile.swatch),
      textPath(
        fitText(variantCaption(tile.name, locale), NAME, layout.tileWidth - SWATCH - 28 - hexWidth),
        x + SWATCH + 14,
        centredBaseline(top, LABEL, NAME),
        NAME,
        INK,
      ),
      tile.hex ? textPath(tile.hex, x + layout.tileWidth, centredBaseline(top, LABEL, HEX), HEX, MUTED, "end") : "",
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
        ? drawUnchangedRibbon(
            board!,
            layout.tiles[i]!.x,
            layout.tiles[i]!.y,
            layout.tileWidth,
            layout.tileHeight,
            locale,
          )
        : null,
    ),
  );
  if (watermark) await drawMark(board!, layout.mark);
  return board!;
}
