#!/usr/bin/env node
// The `dynasql` command. In a development checkout (src/ is there) it runs the TypeScript sources
// through tsx, so a dist/ left by an earlier build never hides a change; the published package
// ships dist/ only and runs the compiled CLI, with no tsx.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const source = new URL('../src/cli/run.ts', import.meta.url);
if (existsSync(fileURLToPath(source))) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import(pathToFileURL(fileURLToPath(new URL('../dist/src/cli/run.js', import.meta.url))).href);
}
