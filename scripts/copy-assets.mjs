#!/usr/bin/env node
/**
 * Copies the data files the compiled code reads at run time (src/**\/*.xml) beside it in the build's
 * output folder, since tsc copies only what it compiles.
 *
 *   node scripts/copy-assets.mjs [outDir]      (default: dist)
 */
import { cpSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(root, process.argv[2] ?? 'dist');
let copied = 0;
for (const entry of readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.xml')) continue;
  const from = join(entry.parentPath, entry.name);
  cpSync(from, join(outDir, relative(root, from)));
  copied++;
}
console.log(`copied ${copied} data file(s) into ${relative(root, outDir) || '.'}`);
