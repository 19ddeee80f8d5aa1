// Run as a process by the pool's start-path tests (render-pool-start.test.ts): starts a one-thread
// pool, waits for it to be ready, decodes one PNG on a thread and prints what came back as JSON.
import sharp from "sharp";
import { createRenderPool } from "../../src/engine/render-pool";

const png = await sharp({ create: { width: 6, height: 4, channels: 3, background: "#c04020" } })
  .png()
  .toBuffer();
const pool = createRenderPool(1);
try {
  await pool.ready();
  const image = await pool.decode(new Uint8Array(png), 1e6);
  process.stdout.write(`${JSON.stringify({ width: image.width, height: image.height, red: image.data[0] })}\n`);
} finally {
  await pool.close();
}
