// Builds the web console (worker/console/src) and Swagger UI's files into worker/console/dist,
// the folder wrangler serves as static assets (wrangler.jsonc `assets`). Plain Node + esbuild
// (wrangler's own dependency), so it also runs in the API image, which has no tsx or dev tree.
// Run by wrangler's `build.command` (dev, deploy), worker/vitest.config.ts and `npm run build:console`.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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

/**
 * The origins the console's page talks to besides its own: presigned uploads (connect-src) and
 * previews (img-src) go to the storage endpoint, every STORAGE_S3_ENDPOINT of wrangler.jsonc
 * (a `<placeholder>` host part becomes a `*` wildcard, e.g. `https://*.r2.cloudflarestorage.com`; the
 * local storage gate's port becomes `*`, since every local stack puts it beside its own API port).
 */
export function storageOrigins() {
  const config = readFileSync(path.join(HERE, "..", "wrangler.jsonc"), "utf8");
  const endpoints = [...config.matchAll(/"STORAGE_S3_ENDPOINT":\s*"([^"]+)"/g)].map((match) => match[1]);
  const origins = endpoints.map(
    (url) =>
      url
        .replace(/<[^>]+>/g, "*")
        .replace(/^(http:\/\/127\.0\.0\.1):\d+/, "$1:*")
        .match(/^https?:\/\/[^/]+/)?.[0],
  );
  return [...new Set(origins.filter(Boolean))];
}

/** The assets' _headers file: the Worker's security headers (src/middleware/security-headers.json) for every file. */
export function assetHeaders() {
  const { headers, csp } = JSON.parse(
    readFileSync(path.join(HERE, "..", "src", "middleware", "security-headers.json")),
  );
  const storage = storageOrigins();
  const directives = {
    ...csp,
    "connect-src": ["'self'", ...storage],
    // Photos chosen for upload show as blob: URLs before they are sent.
    "img-src": ["'self'", ...storage, "blob:", "data:"],
  };
  const policy = Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
  const lines = Object.entries({ "Content-Security-Policy": policy, ...headers }).map(([n, v]) => `  ${n}: ${v}`);
  return `/*\n${lines.join("\n")}\n`;
}

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
  // The favicon and the landing page's before/after example (written by example.ts).
  for (const file of readdirSync(path.join(HERE, "assets")))
    copyFileSync(path.join(HERE, "assets", file), path.join(CONSOLE_DIST, file));
  writeFileSync(path.join(CONSOLE_DIST, "_headers"), assetHeaders());
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
