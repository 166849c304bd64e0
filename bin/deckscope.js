#!/usr/bin/env node
// deckscope command: runs the compiled CLI (npm run build produces dist/).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('deckscope: not built yet: run npm run build (or npm install) first\n');
  process.exit(1);
}
const { runCli } = await import(entry.href);
await runCli();
