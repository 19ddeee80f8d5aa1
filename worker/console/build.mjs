// Builds the web console (worker/console/src) and Swagger UI's files into worker/console/dist,
// the folder wrangler serves as static assets (wrangler.jsonc `assets`). Plain Node + esbuild
// (wrangler's own dependency), so it also runs in the API image, which has no tsx or dev tree.
// Run by wrangler's `build.command` (dev, deploy), worker/vitest.config.ts and `npm run build:console`.
import { copyFileSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const CONSOLE_DIST = path.join(HERE, "dist");
const require = createRequire(path.join(HERE, "..", "package.json"));

/** esbuild from the worker's tree, else from wrangler's (the API image installs wrangler apart). */
function loadEsbuild() {
  try {
    return require("esbuild");
  } catch {
    return createRequire(require.resolve("wrangler/package.json"))("esbuild");
  }
}

/** Swagger UI's browser files, served under /docs/swagger-ui-dist/ (see the /docs route in app.ts). */
const SWAGGER_FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"];

export async function buildConsole({ quiet = false } = {}) {
  const esbuild = loadEsbuild();
  rmSync(CONSOLE_DIST, { recursive: true, force: true });
  mkdirSync(CONSOLE_DIST, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(HERE, "src", "main.ts")],
    outfile: path.join(CONSOLE_DIST, "app.js"),
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    sourcemap: false,
    logLevel: "warning",
  });
  for (const file of ["index.html", "style.css"]) copyFileSync(path.join(HERE, file), path.join(CONSOLE_DIST, file));
  const swaggerDir = path.dirname(require.resolve("swagger-ui-dist/package.json"));
  const swaggerOut = path.join(CONSOLE_DIST, "docs", "swagger-ui-dist");
  mkdirSync(swaggerOut, { recursive: true });
  for (const file of SWAGGER_FILES) copyFileSync(path.join(swaggerDir, file), path.join(swaggerOut, file));
  const sizes = ["app.js", "style.css", "index.html"].map((file) => {
    const bytes = readFileSync(path.join(CONSOLE_DIST, file));
    return { file, bytes: statSync(path.join(CONSOLE_DIST, file)).size, gzip: gzipSync(bytes).length };
  });
  if (!quiet) {
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    const list = sizes.map((s) => `${s.file} ${(s.bytes / 1024).toFixed(1)} KiB`).join(", ");
    process.stdout.write(`[console] built ${list} (${(total / 1024).toFixed(1)} KiB gzipped)\n`);
  }
  return sizes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildConsole().catch((error) => {
    process.stderr.write(`[console] build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
