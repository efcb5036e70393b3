/**
 * What `import 'dynasql'` costs a process, and what the first local statement costs once.
 *
 * src/ is compiled as `npm run build` does (into bench/.tmp), then fresh Node processes are timed
 * side by side, alternated round by round: a bare `node` and one that imports the compiled package.
 * Each child reports its own figures: the import's wall time measured around `await import(…)` and
 * its peak resident memory (process.resourceUsage().maxRSS). Targets: the import under 150 ms and
 * under 40 MB above a bare Node process (medians). A third child connects to an emulator process and
 * times a pushed-down statement, then the first and the second statement that need the local engine:
 * the first pays DuckDB's load and start, the second does not.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { spawnEmulator } from './lib/emulator-process.js';
import { median, round } from './lib/measure.js';
import { below, type BenchResult } from './lib/result.js';

const ROOT = resolve(import.meta.dirname, '..');
const BUILD = resolve(import.meta.dirname, '.tmp/import-build');
const run = promisify(execFile);

const PROBE = (entry: string | undefined) => `
const started = performance.now();
${entry ? `await import(${JSON.stringify(entry)});` : ''}
const importMs = performance.now() - started;
console.log(JSON.stringify({ importMs, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
`;

const FIRST_USE = (entry: string, url: string) => `
const { connect } = await import(${JSON.stringify(entry)});
const timed = async (work) => { const t = performance.now(); await work(); return performance.now() - t; };
const conn = await connect(${JSON.stringify(`Organization URL=${url}`)});
const remoteMs = await timed(() => conn.query('SELECT TOP 5 name FROM account ORDER BY name'));
const rssAfterRemoteMb = process.memoryUsage().rss / 2 ** 20;
const local = 'SELECT TOP 5 name, ROW_NUMBER() OVER (ORDER BY name) AS n FROM account';
const firstLocalMs = await timed(() => conn.query(local));
const secondLocalMs = await timed(() => conn.query(local));
const rssAfterLocalMb = process.memoryUsage().rss / 2 ** 20;
await conn.close();
console.log(JSON.stringify({ remoteMs, firstLocalMs, secondLocalMs, rssAfterRemoteMb, rssAfterLocalMb }));
`;

async function child(code: string): Promise<Record<string, number>> {
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', code], { cwd: ROOT });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, number>;
}

export interface ImportCostOptions {
  rounds?: number;
}

export async function runImportCostBench(options: ImportCostOptions = {}): Promise<BenchResult> {
  const rounds = options.rounds ?? 9;
  rmSync(BUILD, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', resolve(ROOT, 'tsconfig.build.json'), '--outDir', BUILD, '--noCheck', '--declaration', 'false', '--sourceMap', 'false'], { stdio: 'inherit' });
  execFileSync(process.execPath, [resolve(ROOT, 'scripts/copy-assets.mjs'), BUILD], { stdio: 'inherit' });
  const entry = pathToFileURL(resolve(BUILD, 'src/index.js')).href;

  const bare: Record<string, number>[] = [];
  const imported: Record<string, number>[] = [];
  await child(PROBE(entry)); // warm the file system cache
  for (let r = 0; r < rounds; r++) {
    if (r % 2) { imported.push(await child(PROBE(entry))); bare.push(await child(PROBE(undefined))); } else {
      bare.push(await child(PROBE(undefined))); imported.push(await child(PROBE(entry)));
    }
  }
  const importMs = median(imported.map((s) => s.importMs!));
  const bareRss = median(bare.map((s) => s.maxRssMb!));
  const importRss = median(imported.map((s) => s.maxRssMb!));

  const emulator = await spawnEmulator(['--rows', '1000']);
  let firstUse: Record<string, number>;
  try {
    firstUse = await child(FIRST_USE(entry, emulator.url));
  } finally {
    await emulator.close();
  }
  return {
    name: 'import-cost',
    figures: {
      rounds,
      importMsMedian: round(importMs, 1),
      bareNodeMaxRssMb: round(bareRss, 1),
      importMaxRssMb: round(importRss, 1),
      importExtraRssMb: round(importRss - bareRss, 1),
      firstUse: Object.fromEntries(Object.entries(firstUse).map(([k, v]) => [k, round(v, 1)])),
    },
    checks: [
      below("import 'dynasql' (wall, median)", round(importMs, 1), 150, 'ms'),
      below("import 'dynasql' memory above bare node (peak RSS, median)", round(importRss - bareRss, 1), 40, 'MB'),
    ],
    notes: [
      `first local statement ${round(firstUse.firstLocalMs!, 0)} ms (loads and starts DuckDB), the same again ${round(firstUse.secondLocalMs!, 0)} ms; RSS ${round(firstUse.rssAfterRemoteMb!, 0)} MB after a pushed-down statement, ${round(firstUse.rssAfterLocalMb!, 0)} MB after the local ones`,
    ],
  };
}
