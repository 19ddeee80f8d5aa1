// Prints the contract's prompt table (contract/src/prompts.ts) as the flat concept → phrase JSON
// that export_sam3.py --prompts reads:  npx tsx gpu-worker/scripts/export-sam3/prompts.ts > prompts.json
import { PROMPTS } from "@s3/contract";

const flat: Record<string, string> = {};
for (const table of Object.values(PROMPTS)) Object.assign(flat, table);
process.stdout.write(`${JSON.stringify(flat, null, 2)}\n`);
