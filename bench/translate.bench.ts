/**
 * Translation: SQL text → the OData request URL, with no I/O, for every statement of the Dataverse
 * translation fixtures (test/translate/dataverse.fixtures) that translates without error.
 *
 * - dynasql: `prepareStatement` from src/connection/statement.ts, the exact function a connection
 *   runs before it sends anything: parse (node-sql-parser + normalisation) → bind → plan/push-down →
 *   request URL.
 * - floor: node-sql-parser's `astify` alone on the same text (dynasql cannot translate without it).
 *
 * First translation: each round appends a unique comment (`/* r7 *\/`) to every statement, so
 * dynasql's parse cache misses, exactly as for a statement seen for the first time; the floor parses
 * the same text. Repeated statement: the same text again (dynasql's parse cache hits; bind and plan
 * run again unless a plan cache exists). Both sides alternate within each round; medians over rounds.
 */
import { resolve } from 'node:path';
import tsqlParser from 'node-sql-parser/build/transactsql.js';
import { capabilitiesFor } from '../src/capabilities/index.js';
import { parseEdmx } from '../src/catalog/index.js';
import { prepareStatement, type StatementContext } from '../src/connection/statement.js';
import { systemTables } from '../src/connection/system-tables.js';
import { DATAVERSE_EDMX } from '../src/emulator/metadata/dataverse-edmx.js';
import { readFixtures } from '../test/translate/fixture-file.js';
import { median, round } from './lib/measure.js';
import { atLeast, atMost, type BenchResult } from './lib/result.js';

const FIXTURES = resolve(import.meta.dirname, '../test/translate/dataverse.fixtures');

export interface TranslateOptions {
  rounds?: number;
}

export async function runTranslateBench(options: TranslateOptions = {}): Promise<BenchResult> {
  const rounds = options.rounds ?? 15;
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

  const firstDynasql: number[] = [];
  const firstParse: number[] = [];
  const repeatDynasql: number[] = [];
  const repeatParse: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const texts = corpus.map((f) => `${f.sql} /* r${r} */`);
    const swap = r % 2 === 1; // alternate which side goes first
    const timeParse = () => { const t = performance.now(); for (const sql of texts) parse(sql); return performance.now() - t; };
    const timeFirst = () => { const t = performance.now(); corpus.forEach((f, i) => translate(texts[i]!, f.params)); return performance.now() - t; };
    if (swap) { firstParse.push(timeParse()); firstDynasql.push(timeFirst()); } else { firstDynasql.push(timeFirst()); firstParse.push(timeParse()); }
    // the same texts again: the repeated statement
    const t0 = performance.now();
    for (let k = 0; k < 5; k++) corpus.forEach((f, i) => translate(texts[i]!, f.params));
    repeatDynasql.push((performance.now() - t0) / 5);
    repeatParse.push(timeParse());
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
      planCache: false,
    },
    checks: [
      atMost('first translation / parse alone', round(first), 1.3),
      atLeast('parse alone / repeated statement', round(repeat, 1), 10, '×', 'no plan cache: a repeat still binds and plans (parse cache only)'),
    ],
  };
}
