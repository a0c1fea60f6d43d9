// Runs every `*.bench.mjs` beside this file in turn; each prints its own table.
import { readdirSync } from 'node:fs';

const here = new URL('.', import.meta.url);
for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort()) {
  await import(new URL(file, here).href);
}
