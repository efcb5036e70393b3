#!/usr/bin/env node
/**
 * Compiles every grammar/*.peggy into the TypeScript module its header names:
 *
 *   // output: src/emulator/odata/generated/query-parser.ts
 *   // start: filter,orderby          (optional; default: the first rule)
 *
 * The output is peggy's ES module wrapped as TypeScript (`@ts-nocheck`), so tsc compiles it with the
 * rest. `--check` regenerates in memory and exits 1 if a committed file is stale (the test uses it).
 */
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import peggy from 'peggy';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
let stale = 0;

export function compileGrammar(file) {
  const source = readFileSync(file, 'utf8');
  const output = /^\/\/\s*output:\s*(\S+)/m.exec(source)?.[1];
  if (!output) throw new Error(`${file}: missing '// output: <path>' header`);
  const start = /^\/\/\s*start:\s*(\S+)/m.exec(source)?.[1];
  const code = peggy.generate(source, {
    output: 'source',
    format: 'es',
    grammarSource: file,
    ...(start ? { allowedStartRules: start.split(',') } : {}),
  });
  const name = file.slice(root.length + 1);
  const text = `// Generated from ${name} by scripts/build-grammars.mjs (npm run grammar). Do not edit.\n// @ts-nocheck\n${code}`;
  return { output: join(root, output), text };
}

const dir = join(root, 'grammar');
for (const name of readdirSync(dir).filter((n) => n.endsWith('.peggy')).sort()) {
  const { output, text } = compileGrammar(join(dir, name));
  let current = '';
  try { current = readFileSync(output, 'utf8'); } catch { /* not generated yet */ }
  if (current === text) continue;
  if (check) {
    console.error(`stale: ${output} (run npm run grammar)`);
    stale++;
  } else {
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, text);
    console.log(`generated ${output.slice(root.length + 1)}`);
  }
}
process.exit(stale ? 1 : 0);
