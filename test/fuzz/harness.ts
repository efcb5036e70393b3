/**
 * Runs generated statements through dynasql and through the oracle and classifies each outcome.
 * Used by the in-suite test (test/fuzz/*.test.ts) and by `npm run fuzz` (scripts/fuzz.ts).
 */
import type { PGlite } from '@electric-sql/pglite';
import { startEmulator, type RunningEmulator } from '../../src/emulator/index.js';
import { connect, type Connection } from '../../src/index.js';
import { Prng } from '../../src/emulator/seed/prng.js';
import type { Expr, OutputColumn, Pred, Select } from './ast.js';
import { compareResults } from './compare.js';
import { buildPools, FEATURES, Generator, type Feature, type Generated } from './generate.js';
import { loadOracle, openOracle, useSchema } from './oracle.js';
import { hasAgg, renderOracle } from './render-oracle.js';
import { renderSql } from './render-sql.js';
import { reportedType, ResultTypes, typeMatches, typeText, type SqlT } from './result-types.js';
import { CUSTOMERS, TABLES, type TableDef } from './schema.js';
import { shrink } from './shrink.js';

export interface Outcome {
  kind: 'agree' | 'disagree' | 'error' | 'oracle-error';
  sql: string;
  params: unknown;
  dialect: 'tsql' | 'postgresql';
  detail?: string;
  /** for errors: the error code and the first words of the message */
  errorClass?: string;
  /** for a column type dynasql reports wrong (the values agree): the construct and both types */
  typeClass?: string;
}

export interface FuzzWorld {
  emulator: RunningEmulator;
  conn: Connection;
  db: PGlite;
  /** the rows as loaded (the emulator's state after reset()) */
  tables: Map<string, Record<string, unknown>[]>;
  /** runs oracle SQL over this world's rows */
  query(sql: string): Promise<Record<string, unknown>[]>;
  /** each table's columns' types, from the service's metadata (the input of the result-type check) */
  baseTypes: Map<string, Map<string, SqlT>>;
  generator(seed: number, features: Set<Feature>): Generator;
  close(): Promise<void>;
}

/**
 * An emulator with the fuzz data, a connection to it, and the oracle loaded with its rows. Worlds
 * can share one oracle database, each in a schema of its own (`rows` 3000 gives 6,000 contacts:
 * more than a page).
 */
/**
 * The connection-string settings of a remote language: `auto`, `odata` or `fetchxml` as Remote
 * Language, `off` as push-down off (everything but `$select` runs locally).
 */
export function remoteLanguageSettings(language: string | undefined): string {
  if (language === undefined || language === 'auto') return '';
  if (language === 'off') return ';Pushdown=false';
  if (language === 'odata' || language === 'fetchxml') return `;Remote Language=${language}`;
  throw new Error(`--remote-language must be auto, odata, fetchxml or off, not '${language}'`);
}

/**
 * The organization's fiscal settings in the fuzz worlds: years from 1 July, named by the calendar year they
 * end in, four quarters. The oracle computes FISCAL_YEAR / FISCAL_PERIOD for exactly these (render-oracle.ts).
 */
const FUZZ_FISCAL = { fiscalcalendarstart: '2018-07-01T00:00:00Z', fiscalperiodtype: 2002, fiscalyeardisplaycode: 2 };

export async function startWorld(
  rows: number, options: { dataSeed?: number; db?: PGlite; schema?: string; remoteLanguage?: string; aggregateLimit?: number; multiCurrency?: boolean } = {},
): Promise<FuzzWorld> {
  const dataSeed = options.dataSeed ?? 1;
  const emulator = await startEmulator({
    port: 0, rows, fuzzData: true, seed: dataSeed, fiscal: FUZZ_FISCAL, ...(options.aggregateLimit ? { aggregateLimit: options.aggregateLimit } : {}),
    ...(options.multiCurrency ? { multiCurrency: true } : {}),
  });
  const conn = await connect(`Url=${emulator.url}${remoteLanguageSettings(options.remoteLanguage)}`);
  const db = options.db ?? (await openOracle());
  const schema = options.schema ?? 'public';
  const tables = await loadOracle(db, emulator.url, TABLES, schema);
  const pools = buildPools(tables, new Prng(dataSeed));
  const baseTypes = await readBaseTypes(conn, TABLES);
  return {
    emulator, conn, db, tables, baseTypes,
    query: async (sql) => {
      await useSchema(db, schema);
      return (await db.query<Record<string, unknown>>(sql)).rows;
    },
    generator: (seed, features) => new Generator(seed, features, pools),
    close: async () => {
      await conn.close();
      await emulator.close();
      if (!options.db) await db.close();
    },
  };
}

/**
 * F&O: one emulator (edition finops, fuzz data), two connections, Cross Company off (the default
 * company's customers) and on (every company's), each beside the oracle's copy of what it should see.
 */
export async function startFinopsWorlds(rows: number, db: PGlite, remoteLanguage?: string): Promise<FuzzWorld[]> {
  const emulator = await startEmulator({ port: 0, rows, fuzzData: true, edition: 'finops' });
  const worlds: FuzzWorld[] = [];
  for (const cross of [false, true]) {
    const conn = await connect(`Url=${emulator.url}${cross ? ';Cross Company=true' : ''}${remoteLanguageSettings(remoteLanguage)}`);
    const schema = cross ? 'finops_all' : 'finops_default';
    const tables = await loadOracle(db, emulator.url, [CUSTOMERS], schema, cross ? '&cross-company=true' : '');
    const pools = buildPools(tables, new Prng(7));
    const baseTypes = await readBaseTypes(conn, [CUSTOMERS]);
    worlds.push({
      emulator, conn, db, tables, baseTypes,
      query: async (sql) => {
        await useSchema(db, schema);
        return (await db.query<Record<string, unknown>>(sql)).rows;
      },
      generator: (seed, features) => new Generator(seed, features, pools, [CUSTOMERS]),
      close: async () => {
        await conn.close();
        if (cross) await emulator.close();
      },
    });
  }
  return worlds;
}

/** the type of every column the generator reads, as dynasql's catalog reports it from the service's metadata */
async function readBaseTypes(conn: Connection, tables: TableDef[]): Promise<Map<string, Map<string, SqlT>>> {
  const out = new Map<string, Map<string, SqlT>>();
  for (const t of tables) {
    const r = await conn.query(`SELECT TOP 1 ${t.columns.map((c) => `x.${c.name}`).join(', ')} FROM ${t.name} x`);
    out.set(t.name, new Map(r.columns.map((c, n) => [t.columns[n]!.name, reportedType(c) ?? { f: 'null' }])));
  }
  return out;
}

/**
 * The first output column whose reported type is not the one T-SQL gives it (the family; a
 * decimal's precision and scale where both are known), as a class and a message.
 */
function typeMismatch(world: FuzzWorld, q: Select, dialect: 'tsql' | 'postgresql', reported: { name: string; type: string; precision?: number; scale?: number }[]): { cls: string; detail: string } | undefined {
  const expected = new ResultTypes(world.baseTypes, dialect).exactOfSelect(q);
  for (let n = 0; n < expected.length; n++) {
    const got = reported[n] ? reportedType(reported[n]!) : undefined;
    if (typeMatches(expected[n]!, got)) continue;
    const e = q.items[n]!.e;
    const shape = e.k === 'fn' ? `${e.name.replace(/_[A-Z]+$/, '')}()` : e.k === 'agg' || e.k === 'win' ? `${e.fn}()${e.k === 'win' ? ' OVER' : ''}` : e.k === 'bin' ? `x ${e.op} y` : e.k;
    const said = got ? typeText(got) : reported[n]?.type ?? 'no column';
    // a family's mismatch is one class; a precision or scale mismatch another (its numbers vary with the data's types)
    const precisionOnly = got !== undefined && got.f === expected[n]!.f;
    return {
      cls: `type of ${shape}: ${precisionOnly ? 'decimal precision / scale' : `${expected[n]!.f} expected, ${reported[n]?.type ?? 'no column'} reported`}${dialect === 'postgresql' ? ' (PostgreSQL)' : ''}`,
      detail: `column ${q.items[n]!.alias}: dynasql reports ${said}, T-SQL gives ${typeText(expected[n]!)}`,
    };
  }
  return undefined;
}

/** how each output column compares; a set operation's column is approximate when any arm's is */
export function outputColumns(q: Select, ciColumns: boolean[], dialect: 'tsql' | 'postgresql' = 'tsql'): OutputColumn[] {
  const arms = [q, ...(q.union ?? []).map((u) => u.q)];
  return q.items.map((i, n) => ({ alias: i.alias, ty: i.e.ty, ci: ciColumns[n] ?? false, approx: arms.some((arm) => { const e = arm.items[n]?.e; return e !== undefined && (approx(e) || (dialect === 'postgresql' && quotientOfQuotient(e)) || e.k === 'ref'); }) }));
}

/** the expressions directly under e */
function operands(e: Expr): Expr[] {
  switch (e.k) {
    case 'bin': return [e.l, e.r];
    case 'neg': return [e.e];
    case 'fn': return e.args;
    case 'agg': case 'win': return e.arg ? [e.arg] : [];
    case 'case': return [...e.whens.map((w) => w.then), ...(e.else ? [e.else] : [])];
    default: return [];
  }
}

const contains = (e: Expr, test: (x: Expr) => boolean): boolean => test(e) || operands(e).some((x) => contains(x, test));

/** PostgreSQL's numeric quotient: AVG, or `/` unless both sides are integers (an AVG or a derived column may be numeric) */
function isPostgresQuotient(e: Expr): boolean {
  if (e.k === 'agg') return e.fn === 'AVG';
  return e.k === 'bin' && e.op === '/' && (e.ty !== 'int' || contains(e, (x) => x.k === 'ref' || (x.k === 'agg' && x.fn === 'AVG')));
}

/**
 * A PostgreSQL quotient of a quotient (AVG(x) / 0.3, an AVG of a derived table's AVG): PostgreSQL carries each
 * value's display scale into the next division, dynasql takes it from the value's digits (src/local/postgres-division.ts),
 * so the digits past the 16th significant one may differ: compared to 4 decimals. One quotient of columns, literals and
 * parameters (AVG(int) included) compares exactly.
 */
function quotientOfQuotient(e: Expr): boolean {
  if (isPostgresQuotient(e) && operands(e).some((x) => contains(x, (y) => y.k === 'ref' || isPostgresQuotient(y)))) return true;
  return operands(e).some(quotientOfQuotient);
}

function approx(e: Expr): boolean {
  if (e.ty !== 'money') return false;
  if ((e.k === 'bin' && e.op === '/') || (e.k === 'agg' && e.fn === 'AVG')) return true;
  // a JavaScript number with a fraction is a float parameter in dynasql, as in T-SQL drivers, so what is
  // computed from it is a float's answer; the oracle holds the value as an exact numeric (KNOWN.md O4)
  if (e.k === 'param') return typeof e.v === 'number' && !Number.isInteger(e.v);
  // a derived table's money-class column may be a decimal quotient that T-SQL cuts at its result scale where the
  // oracle keeps every digit (KNOWN.md O6); money itself has 4 places, so comparing to 4 loses nothing there
  if (e.k === 'ref') return true;
  if (e.k === 'agg') return e.arg ? approx(e.arg) : false;
  if (e.k === 'bin') return approx(e.l) || approx(e.r);
  if (e.k === 'fn') return e.args.some(approx);
  if (e.k === 'case') return e.whens.some((w) => approx(w.then)) || (e.else ? approx(e.else) : false);
  return false;
}

/** JSON of rows and parameters: a bigint as its digits followed by n, binary as 0x and its bytes in hex */
export const jsonSafe = (_k: string, v: unknown) => (typeof v === 'bigint' ? `${v.toString()}n` : v instanceof Uint8Array ? `0x${Buffer.from(v).toString('hex')}` : v);

const errorClass = (error: unknown): string => {
  const e = error as { code?: string; message?: string };
  // a short quoted token stays (a syntax error's class is the token it stopped at); names and values go
  const words = String(e.message ?? error).replace(/'([^']*)'/g, (m, inner: string) => (inner.length <= 12 && !/\d/.test(inner) ? m : "'…'")).replace(/\d+/g, 'N').split(/\s+/).slice(0, 12).join(' ');
  return `${e.code ?? 'no code'}: ${words}`;
};

/**
 * What the statements run from here on send to the world's emulator: `sent()` says which remote
 * languages the requests since the mark used (`fetchxml`: a `fetchXml=` query; `odata`: a `$filter` or
 * `$apply`, so more than a column list). Shows what a forced Remote Language really sent.
 */
export function requestMark(world: FuzzWorld): { sent(): { fetchxml: boolean; odata: boolean } } {
  const last = world.emulator.requests().at(-1);
  return {
    sent() {
      const all = world.emulator.requests();
      const since = last ? all.slice(all.lastIndexOf(last) + 1) : all;
      const urls = since.map((r) => decodeURIComponent(r.url));
      return { fetchxml: urls.some((u) => u.includes('fetchXml=')), odata: urls.some((u) => /[?&]\$(filter|apply)=/.test(u)) };
    },
  };
}

/** `checkTypes`: also compare each output column's reported type with the one T-SQL gives it */
export async function runCase(world: FuzzWorld, q: Select, dialect: 'tsql' | 'postgresql', checkTypes = false): Promise<Outcome> {
  const rendered = renderSql(q, dialect);
  const base = { sql: rendered.sql, params: rendered.params, dialect };
  let oracleSql: string;
  let ci: boolean[];
  let expected: Record<string, unknown>[];
  try {
    const o = renderOracle(q, dialect);
    oracleSql = o.sql;
    ci = o.ciColumns;
    expected = await world.query(oracleSql);
  } catch (error) {
    const message = String((error as Error).message);
    // T-SQL raises these too (ANSI_WARNINGS and ARITHABORT on): dynasql must fail, not answer.
    if (/out of range|division by zero/.test(message)) {
      try {
        const result = await world.conn.query(rendered.sql, rendered.params as never, { dialect });
        if (result.rows.length === 0 && (await noRowReachesSelectList(world, q, dialect))) return { ...base, kind: 'agree' };
        return { ...base, kind: 'disagree', detail: `T-SQL raises an error (${message}); dynasql answered ${JSON.stringify(result.rows.slice(0, 2), jsonSafe)}` };
      } catch {
        return { ...base, kind: 'agree' };
      }
    }
    return { ...base, kind: 'oracle-error', detail: message };
  }
  let actual: Record<string, unknown>[];
  let reported: { name: string; type: string }[];
  try {
    const result = await world.conn.query(rendered.sql, rendered.params as never, { dialect });
    actual = result.rows;
    reported = result.columns;
  } catch (error) {
    return { ...base, kind: 'error', detail: String((error as Error).message).slice(0, 400), errorClass: errorClass(error) };
  }
  const ordered = Boolean(q.orderBy?.length && q.orderTotal);
  const verdict = compareResults(actual, expected, outputColumns(q, ci, dialect), ordered);
  if (verdict.equal) {
    const wrongType = checkTypes ? typeMismatch(world, q, dialect, reported) : undefined;
    if (wrongType) return { ...base, kind: 'disagree', detail: wrongType.detail, typeClass: wrongType.cls };
    return { ...base, kind: 'agree' };
  }
  return { ...base, kind: 'disagree', detail: `${verdict.detail}\n  oracle SQL: ${oracleSql}` };
}

/**
 * PostgreSQL folds a constant expression while planning, so `ABS(TRY_CONVERT(int, '-2147483648'))`
 * in the select list raises even when no row passes the WHERE; SQL Server computes the select list
 * per row (a folding error is left to run time), so over no rows it answers nothing, without an
 * error. True when the statement's FROM / WHERE keep no row and its select list is evaluated only per
 * row (no aggregate, GROUP BY or set operation), counted by the oracle without the select list.
 */
async function noRowReachesSelectList(world: FuzzWorld, q: Select, dialect: 'tsql' | 'postgresql'): Promise<boolean> {
  if (q.union || q.groupBy || q.having || q.items.some((i) => hasAgg(i.e))) return false;
  const rows: Select = { ...q, items: [{ e: { k: 'agg', ty: 'int', fn: 'COUNT' }, alias: 'n' }], orderBy: undefined, orderTotal: undefined, top: undefined, offset: undefined, distinct: undefined };
  try {
    const [first] = await world.query(renderOracle(rows, dialect).sql);
    return Number(first?.n) === 0;
  } catch {
    return false;
  }
}

/**
 * The partitioning oracle: WHERE p, WHERE NOT p and WHERE p IS UNKNOWN count every row of the
 * statement's table exactly once; the table's size is the number of rows the oracle loaded from it.
 */
export async function runPartition(world: FuzzWorld, q: Select, dialect: 'tsql' | 'postgresql'): Promise<Outcome> {
  if (q.from.k !== 'table') throw new Error('the partitioning oracle counts the rows of one table');
  const p = q.where!;
  const count = (where: Pred): Select => ({ ...q, items: [{ e: { k: 'agg', ty: 'int', fn: 'COUNT' }, alias: 'n' }], where, orderBy: undefined, top: undefined, offset: undefined, distinct: undefined });
  const unknown: Pred = { k: 'isnull', neg: false, e: { k: 'case', ty: 'int', whens: [{ when: p, then: { k: 'lit', ty: 'int', v: 1 } }, { when: { k: 'not', p }, then: { k: 'lit', ty: 'int', v: 0 } }] } };
  const parts = [count(p), count({ k: 'not', p }), count(unknown)];
  const numbers: number[] = [];
  for (const part of parts) {
    const rendered = renderSql(part, dialect);
    try {
      const r = await world.conn.query(rendered.sql, rendered.params as never, { dialect });
      numbers.push(Number(r.rows[0]?.n));
    } catch (error) {
      return { kind: 'error', sql: rendered.sql, params: rendered.params, dialect, detail: String((error as Error).message).slice(0, 400), errorClass: errorClass(error) };
    }
  }
  const rendered = renderSql(parts[0]!, dialect);
  const [yes, no, unk] = numbers as [number, number, number];
  const all = world.tables.get(q.from.table)!.length;
  if (yes + no + unk === all) return { kind: 'agree', sql: rendered.sql, params: rendered.params, dialect };
  return { kind: 'disagree', sql: rendered.sql, params: rendered.params, dialect, detail: `WHERE p: ${yes}, WHERE NOT p: ${no}, p unknown: ${unk}; sum ${yes + no + unk} but the table has ${all}` };
}

export interface Stats {
  run: number;
  agree: number;
  disagree: Map<string, Outcome[]>;
  errors: Map<string, Outcome[]>;
  oracleErrors: Outcome[];
}

export function newStats(): Stats {
  return { run: 0, agree: 0, disagree: new Map(), errors: new Map(), oracleErrors: [] };
}

/** A disagreement's class: the features of the statement (after shrinking, the ones that matter). */
export function classOf(g: Pick<Generated, 'features' | 'dialect'>): string {
  const list = [...g.features].filter((f) => f !== 'where').sort();
  return list.join('+') || 'plain';
}

export function record(stats: Stats, outcome: Outcome, cls: string): void {
  stats.run += 1;
  if (outcome.kind === 'agree') stats.agree += 1;
  else if (outcome.kind === 'oracle-error') stats.oracleErrors.push(outcome);
  else {
    const map = outcome.kind === 'disagree' ? stats.disagree : stats.errors;
    const key = outcome.kind === 'disagree' ? cls : outcome.errorClass!;
    const list = map.get(key) ?? [];
    list.push(outcome);
    map.set(key, list);
  }
}

export async function minimal(world: FuzzWorld, g: Generated, mode: 'select' | 'partition', checkTypes = false): Promise<{ q: Select; outcome: Outcome }> {
  const run = (q: Select) => (mode === 'partition' ? runPartition(world, q, g.dialect) : runCase(world, q, g.dialect, checkTypes));
  const first = await run(g.q);
  const kind = first.kind;
  const errorKey = first.errorClass;
  const typeKey = first.typeClass;
  const q = await shrink(g.q, async (candidate) => {
    if (mode === 'partition' && !candidate.where) return false;
    const o = await run(candidate);
    return o.kind === kind && (kind !== 'error' || o.errorClass === errorKey) && o.typeClass === typeKey;
  });
  return { q, outcome: await run(q) };
}

/** A failing test's message: how many failed, and the first three reduced to minimal statements with both answers. */
export async function explainFailures(failures: { g: Generated; outcome: Outcome }[], mode: 'select' | 'partition', where: FuzzWorld, checkTypes = false): Promise<string> {
  const lines: string[] = [];
  for (const { g, outcome } of failures.slice(0, 3)) {
    const small = await minimal(where, g, mode, checkTypes);
    const r = renderSql(small.q, g.dialect);
    lines.push(`${outcome.kind} (${g.dialect}): ${r.sql} ${JSON.stringify(r.params, jsonSafe)}\n  ${small.outcome.detail ?? outcome.detail}\n  original: ${outcome.sql}`);
  }
  return `${failures.length} failing statements; the first, reduced:\n${lines.join('\n')}`;
}

export function parseFeatures(spec: string | undefined, base: readonly Feature[] = FEATURES): Set<Feature> {
  if (!spec) return new Set(base);
  const out = new Set<Feature>(spec.startsWith('-') ? base : []);
  for (const part of spec.split(',')) {
    const name = part.replace(/^[-+]/, '') as Feature;
    if (!FEATURES.includes(name)) throw new Error(`unknown feature ${name}; known: ${FEATURES.join(', ')}`);
    if (part.startsWith('-')) out.delete(name);
    else out.add(name);
  }
  return out;
}

export { FEATURES };
