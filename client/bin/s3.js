#!/usr/bin/env node
// The s3 command's entry (src/cli/main.ts): the package ships TypeScript, run through tsx's loader.
import { register } from "tsx/esm/api";

register();
const { cli } = await import("../src/cli/main.ts");
await cli(process.argv.slice(2));
