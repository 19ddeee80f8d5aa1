// The memory bound's benchmark line (docs/gpu-worker.md, Memory bounds), in a process of its own
// so its peak RSS is its own: one 50 MP photo with 64 instances of one concept (an 8 × 8 tiled
// floor) through the render step (unions, apply, result PNG, preview, mask PNGs, instances JSON).
// Prints one JSON line.
import { queueItems, queueMessage } from "@s3/contract/testing";
import { renderItem } from "../src/engine/render-item";
import type { Instance } from "../src/engine/segmenter/types";

const WIDTH = 8660,
  HEIGHT = 5774; // 50.0 MP
const rssMb = () => process.memoryUsage().rss / 2 ** 20;
let peak = rssMb();
const sampler = setInterval(() => (peak = Math.max(peak, rssMb())), 20);

const data = new Uint8Array(WIDTH * HEIGHT * 3);
for (let p = 0; p < data.length; p += 3) {
  const x = (p / 3) % WIDTH;
  data[p] = 180 + (x % 40);
  data[p + 1] = 170;
  data[p + 2] = 150;
}
// Tiles of the 8 × 8 grid, each an ellipse inside its cell so every mask has inside and outside pixels.
const cellW = Math.floor(WIDTH / 8),
  cellH = Math.floor(HEIGHT / 8);
const tiles: Instance[] = [];
for (let row = 0; row < 8; row++)
  for (let col = 0; col < 8; col++) {
    const w = cellW - 8,
      h = cellH - 8;
    const mask = new Uint8Array(w * h);
    let area = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        if (((x - w / 2) / (w / 2)) ** 2 + ((y - h / 2) / (h / 2)) ** 2 <= 1) {
          mask[y * w + x] = 255;
          area++;
        }
    tiles.push({
      concept: "Floor",
      id: tiles.length,
      mask,
      bbox: [col * cellW + 4, row * cellH + 4, w, h],
      area,
      score: 1,
    });
  }
const message = queueMessage({
  job_id: "job_rss",
  user_id: "u_rss",
  concepts: { Floor: { action: "texture", value: "wood" } },
  protect: [],
  items: queueItems("u_rss", "job_rss", 1),
  watermark: true,
});
const started = performance.now();
const { files } = await renderItem({
  message,
  item: message.items[0]!,
  image: { width: WIDTH, height: HEIGHT, data },
  instances: new Map([["Floor", tiles]]),
  segmenter: { segmenter: "sim@1", scores: false },
});
const ms = performance.now() - started;
clearInterval(sampler);
peak = Math.max(peak, rssMb(), process.resourceUsage().maxRSS / 1024);
const maskMb = tiles.reduce((n, tile) => n + tile.mask.byteLength, 0) / 2 ** 20;
console.log(JSON.stringify({ peak_mb: peak, ms, files: files.length, instances: tiles.length, mask_mb: maskMb }));
