/**
 * src/ compiled by tsc as `npm run build` does, with bench entry points of a benchmark beside it, into
 * bench/.tmp/<name> (git ignores it; not dist/, which bin/dynasql.js would then run in place of the
 * sources). For figures of a process as users run it: under tsx every module is transpiled in the
 * process and its source map kept, ~35 MB of RSS before the driver does anything.
 *
 *   const build = compiledBuild('cancel-build', ['bench/cancel-worker.ts']);
 *   spawn(process.execPath, [build.path('bench/cancel-worker.js'), …]);
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const TMP = resolve(ROOT, 'bench/.tmp');

export function compiledBuild(name: string, entries: readonly string[]): { path(file: string): string } {
  const out = resolve(TMP, name);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(TMP, { recursive: true }); // a fresh clone has no bench/.tmp (git ignores it)
  const config = resolve(TMP, `${name}.tsconfig.json`);
  // type errors are for the type check, not for a measurement (--noCheck)
  writeFileSync(config, JSON.stringify({
    extends: '../../tsconfig.build.json',
    compilerOptions: { rootDir: '../..', outDir: name, declaration: false, sourceMap: false },
    include: ['../../src/**/*.ts', ...entries.map((e) => `../../${e}`)],
  }));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', config, '--noCheck'], { stdio: 'inherit' });
  execFileSync(process.execPath, [resolve(ROOT, 'scripts/copy-assets.mjs'), out], { stdio: 'inherit' });
  return { path: (file) => resolve(out, file) };
}
