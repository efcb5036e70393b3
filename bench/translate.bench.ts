/**
 * Translation: SQL text → the OData request URL, with no I/O, for every statement of the Dataverse
 * translation fixtures (test/translate/dataverse.fixtures) that translates without error.
 *
 * - dynasql: `prepareStatement` from src/connection/statement.ts, the exact function a connection
 *   runs before it sends anything: parse (node-sql-parser + normalisation) → bind → plan/push-down →
 *   request URL. It runs as users run it, compiled by tsc as `npm run build` does (built afresh for
 *   each run, into bench/.tmp/): loaded through tsx, every closure would also carry esbuild's
 *   keepNames wrapper (`__name(fn, 'fn')`), which cost ~0.15–0.2× of a parse on this corpus.
 * - floor: node-sql-parser's `astify` alone on the same text (dynasql cannot translate without it).
 *
 * First translation: each round appends a unique comment (`/* r7 *\/`) to every statement, so
 * dynasql's parse cache misses, exactly as for a statement seen for the first time; the floor parses
 * the same text. Repeated statement: the same text again (dynasql's parse cache and plan cache hit;
 * `prepareStatement` keeps frozen plans in src/plan/plan-cache.ts). The sides alternate statement by statement; each is timed in
 * CPU time of this process (wall time on a loaded 2-core box is mostly the scheduler); medians over
 * 40 rounds of the corpus totals (over 15, back-to-back runs on the shared machine differed by up to
 * ±0.3×; over 40, by about ±0.1×).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import tsqlParser from 'node-sql-parser/build/transactsql.js';
import type { StatementContext } from '../src/connection/statement.js';
import { readFixtures } from '../test/translate/fixture-file.js';
import { median, round } from './lib/measure.js';
import { atLeast, atMost, type BenchResult } from './lib/result.js';

const ROOT = resolve(import.meta.dirname, '..');
const FIXTURES = resolve(ROOT, 'test/translate/dataverse.fixtures');
/** git ignores bench/.tmp/ (not dist/: bin/dynasql.js would run a build there in place of the sources) */
const BUILD = resolve(import.meta.dirname, '.tmp/translate-build');

/** src/ compiled by tsc as for `npm run build` (type errors are for the type check, not for this measurement) */
async function compiledSources() {
  rmSync(BUILD, { recursive: true, force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', resolve(ROOT, 'tsconfig.build.json'), '--outDir', BUILD, '--noCheck', '--declaration', 'false', '--sourceMap', 'false'], { stdio: 'inherit' });
  execFileSync(process.execPath, [resolve(ROOT, 'scripts/copy-assets.mjs'), BUILD], { stdio: 'inherit' });
  const load = (path: string) => import(pathToFileURL(resolve(BUILD, path)).href);
  return {
    ...(await load('src/capabilities/index.js') as typeof import('../src/capabilities/index.js')),
    ...(await load('src/catalog/index.js') as typeof import('../src/catalog/index.js')),
    ...(await load('src/connection/statement.js') as typeof import('../src/connection/statement.js')),
    ...(await load('src/connection/system-tables.js') as typeof import('../src/connection/system-tables.js')),
    ...(await load('src/emulator/metadata/dataverse-edmx.js') as typeof import('../src/emulator/metadata/dataverse-edmx.js')),
  };
}

export interface TranslateOptions {
  rounds?: number;
}

export async function runTranslateBench(options: TranslateOptions = {}): Promise<BenchResult> {
  const rounds = options.rounds ?? 40;
  const { capabilitiesFor, parseEdmx, prepareStatement, systemTables, DATAVERSE_EDMX } = await compiledSources();
  const catalog = parseEdmx(DATAVERSE_EDMX);
  const facts = capabilitiesFor(catalog);
  // prepareStatement reads only the pure parts of the context; nothing here sends or runs anything
  const ctx: StatementContext = {
    catalog, system: systemTables(catalog), facts, executor: undefined as never, engine: undefined as never,
    pushdown: true, crossCompany: false, includeFormattedValues: false, pageSize: 5000, serviceRoot: 'http://127.0.0.1/api/data/v9.2/',
  };
  const parser = new tsqlParser.Parser();
  const corpus = readFixtures(FIXTURES).filter((f) => !f.error && f.requests.length > 0).filter((f) => {
    try {
      prepareStatement(ctx, f.sql, f.params, 'tsql');
      parser.astify(f.sql, { database: 'transactsql' });
      return true;
    } catch {
      return false; // e.g. statements that only the dynasql front end accepts
    }
  });
  const translate = (sql: string, params: unknown) => prepareStatement(ctx, sql, params as never, 'tsql').plan.scans.length;
  const parse = (sql: string) => parser.astify(sql, { database: 'transactsql' });

  // warm-up: JIT both sides
  for (let i = 0; i < 3; i++) for (const f of corpus) { translate(`${f.sql} /* w${i} */`, f.params); parse(f.sql); }

  // CPU time (user + system) of this process, not wall time: on a shared 2-core machine under load a
  // short wall-time sample mostly measures the scheduler; CPU time counts only our own work
  const cpu = (action: () => unknown) => {
    const started = process.cpuUsage();
    action();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };
  const firstDynasql: number[] = [];
  const firstParse: number[] = [];
  const repeatDynasql: number[] = [];
  const repeatParse: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let first = 0; let floor = 0; let again = 0; let floorAgain = 0;
    corpus.forEach((f, i) => {
      const sql = `${f.sql} /* r${r} */`;
      // the two sides alternate which goes first, statement by statement
      if ((i + r) % 2 === 0) { first += cpu(() => translate(sql, f.params)); floor += cpu(() => parse(sql)); } else { floor += cpu(() => parse(sql)); first += cpu(() => translate(sql, f.params)); }
      // the same text again: the repeated statement
      again += cpu(() => translate(sql, f.params));
      floorAgain += cpu(() => parse(sql));
    });
    firstDynasql.push(first); firstParse.push(floor); repeatDynasql.push(again); repeatParse.push(floorAgain);
  }
  const perStatement = (ms: number) => round((ms / corpus.length) * 1000, 1);
  const first = median(firstDynasql) / median(firstParse);
  const repeat = median(repeatParse) / median(repeatDynasql);
  return {
    name: 'translate',
    figures: {
      statements: corpus.length,
      rounds,
      parseAloneUsPerStatement: perStatement(median(firstParse)),
      firstTranslationUsPerStatement: perStatement(median(firstDynasql)),
      repeatedTranslationUsPerStatement: perStatement(median(repeatDynasql)),
    },
    checks: [
      atMost('first translation / parse alone', round(first), 1.3),
      atLeast('parse alone / repeated statement', round(repeat, 1), 10, '×', 'a repeat is a parse-cache and plan-cache hit'),
    ],
  };
}
