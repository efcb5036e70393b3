/**
 * One SELECT from text to rows: parse → bind → plan → read the remote scans → (local step) → rows.
 * The pure stages run first, so a statement that fails to parse or bind sends nothing.
 */
import type { Catalog, Column } from '../catalog/types.js';
import { bindQuery } from '../bind/index.js';
import { DynasqlError } from '../errors/index.js';
import { abortError, type Executor } from '../http/index.js';
import { LocalEngine, trimDecimal, type ColumnValue, type LocalInput, type LocalResult } from '../local/index.js';
import { FiscalSettingsNeeded, PlanCache, encodeFiscal, explainPlan, parameterKey, resultColumns, type BoundQuery, type FiscalSettings, type PhysicalPlan, type RemoteScanStep } from '../plan/index.js';
import type { Capabilities } from '../capabilities/index.js';
import { MetadataReader, planQuery, resolveParams, type MetadataNeed, type PlanOptions, type RemoteLanguage } from '../pushdown/index.js';
import type { ServiceMetadataCache } from './service-metadata.js';
import type { FiscalSettingsCache } from './fiscal-settings.js';
import { parseSql, type ParserDialect } from '../sql/index.js';
import { chunkedPages, ExpandedRows, type ScanCounters } from './remote-rows.js';
import { scanPages } from './partitioned-pages.js';
import { aggregateGroupRows, splitAggregatePages, type SplitBounds } from './fetchxml-split.js';
import type { SystemTables } from './system-tables.js';
import { withLocalTableKeys } from './local-table-keys.js';
import { explainSubqueryKeys, planWithKeys, subqueryKeyCandidates, type SubqueryKeys } from './subquery-keys.js';
import { STATEMENT_TIME } from '../util/index.js';
import type { QueryParams, ResultColumn, Row } from './types.js';

export interface StatementContext {
  catalog: Catalog;
  system: SystemTables;
  executor: Executor;
  engine: LocalEngine;
  facts: Capabilities;
  pushdown: boolean;
  remoteLanguage?: RemoteLanguage;
  crossCompany: boolean;
  includeFormattedValues: boolean;
  pageSize: number;
  /** ranges a plain scan past its first page is read as at once (Parallel Reads); 0 or absent: page after page */
  parallelReads?: number;
  serviceRoot: string;
  /** Dataverse: choice labels and primary names read from the metadata API as filters need them */
  serviceMetadata?: ServiceMetadataCache;
  /** Dataverse: the organization's fiscal settings, read when a statement first uses FISCAL_YEAR / FISCAL_PERIOD */
  fiscal?: FiscalSettingsCache;
}

export interface PreparedStatement {
  plan: PhysicalPlan;
  explain: boolean;
  /** metadata the plan lacked (prepareReadingMetadata loads it and plans again); such a plan is not cached */
  metadataNeeds?: MetadataNeed[];
  /** `x IN (SELECT …)` whose subquery is read first and sent as keys (subquery-keys.ts; planWithSubqueryKeys) */
  subqueryKeys?: SubqueryKeys;
}

/** plans of statements already prepared; a catalog refresh starts a new, empty cache (see PlanCache) */
const plans = new PlanCache<PreparedStatement>();

export function prepareStatement(ctx: StatementContext, sql: string, params: QueryParams | undefined, dialect: ParserDialect): PreparedStatement {
  const parsed = parseSql(sql, dialect);
  const fiscal: FiscalSettings | 'unread' | undefined = ctx.fiscal ? ctx.fiscal.settings ?? 'unread' : undefined;
  const bindOptions = { catalog: ctx.catalog, systemTables: ctx.system.tables, includeFormattedValues: ctx.includeFormattedValues, fiscal };
  let values: ReturnType<typeof resolveParams>;
  try {
    values = resolveParams(parsed.params, params as Record<string, unknown> | readonly unknown[] | undefined, new Date());
  } catch (error) {
    bindQuery(parsed.statement.query, bindOptions); // a statement that does not bind reports that first
    throw error;
  }
  const scope = { catalog: ctx.catalog, systemTables: ctx.system.tables, facts: ctx.facts };
  // a statement that reads the clock is planned anew each time: its instant is in its requests
  const valueKey = parsed.params.includes(STATEMENT_TIME) ? undefined : parameterKey(values.values());
  // everything else the plan reads; the SQL text last, so the fixed-width parts cannot run into it
  const key = valueKey === undefined ? undefined
    : `${dialect}|${ctx.pushdown ? 1 : 0}${ctx.remoteLanguage ?? 'auto'}${ctx.crossCompany ? 1 : 0}${ctx.includeFormattedValues ? 1 : 0}|${ctx.pageSize}|${ctx.parallelReads ?? 0}|${typeof fiscal === 'object' ? encodeFiscal(fiscal) : fiscal ?? ''}|${valueKey}|${sql}`;
  const hit = key === undefined ? undefined : plans.get(scope, key);
  if (hit) return hit;
  const bound = bindQuery(parsed.statement.query, { ...bindOptions, dialect, params: values });
  // a join with a local table on a key asks the service for those keys only (local-table-keys.ts)
  const keyed = ctx.pushdown ? withLocalTableKeys(bound, (name) => ctx.system.rows(name), dialect) : bound;
  const metadata = new MetadataReader(ctx.serviceMetadata);
  const plan = planQuery(keyed, {
    facts: ctx.facts, params: values, pushdown: ctx.pushdown, remoteLanguage: ctx.remoteLanguage, crossCompany: ctx.crossCompany, pageSize: ctx.pageSize, metadata,
    parallelReads: ctx.parallelReads,
  });
  const subqueryKeys = ctx.pushdown ? subqueryKeyCandidates(keyed, plan, dialect) : undefined;
  const prepared: PreparedStatement = { plan, explain: parsed.statement.kind === 'explain', ...(subqueryKeys ? { subqueryKeys } : {}) };
  if (metadata.needs.length > 0) return { ...prepared, metadataNeeds: metadata.needs };
  return key === undefined ? prepared : plans.set(scope, key, prepared);
}

/**
 * prepareStatement, after reading the metadata its filters on display columns need (choice labels,
 * primary names: connection/service-metadata.ts) when the connection has not read it yet.
 */
export async function prepareReadingMetadata(
  ctx: StatementContext, sql: string, params: QueryParams | undefined, dialect: ParserDialect, signal: AbortSignal | undefined,
): Promise<PreparedStatement> {
  let prepared: PreparedStatement;
  try {
    prepared = prepareStatement(ctx, sql, params, dialect);
  } catch (error) {
    // FISCAL_YEAR / FISCAL_PERIOD: the organization's settings are read once, then the statement is bound again
    if (!(error instanceof FiscalSettingsNeeded) || !ctx.fiscal) throw error;
    await ctx.fiscal.load(signal);
    prepared = prepareStatement(ctx, sql, params, dialect);
  }
  // a condition that stays local for one missing answer asks no further: a few rounds read the rest
  for (let round = 0; round < METADATA_ROUNDS && prepared.metadataNeeds && ctx.serviceMetadata; round++) {
    await ctx.serviceMetadata.load(prepared.metadataNeeds, signal);
    prepared = prepareStatement(ctx, sql, params, dialect);
  }
  return prepared;
}

/** rounds of metadata reads per statement: each round answers every need it was given (or marks it unknown) */
const METADATA_ROUNDS = 3;

/** a subquery read first gives up when it has more rows than this (the keys are bounded anyway: subquery-keys.ts) */
const MAX_SUBQUERY_ROWS = 5000;

/**
 * The plan to run: the prepared one, or, for `x IN (SELECT …)` that no relationship answers, the
 * statement planned again with the subquery's keys in place of the subquery, after reading it
 * (subquery-keys.ts). That plan depends on the rows read, so it is never cached.
 */
export async function planWithSubqueryKeys(ctx: StatementContext, prepared: PreparedStatement, signal: AbortSignal | undefined, counters: ScanCounters): Promise<PhysicalPlan> {
  if (!prepared.subqueryKeys) return prepared.plan;
  const options = {
    facts: ctx.facts, params: prepared.plan.params, pushdown: true, remoteLanguage: ctx.remoteLanguage, crossCompany: ctx.crossCompany, pageSize: ctx.pageSize,
    metadata: new MetadataReader(ctx.serviceMetadata), parallelReads: ctx.parallelReads,
  };
  const keyed = await planWithKeys(prepared.subqueryKeys, async (bound) => {
    const result = await runPlan(ctx, planQuery(bound, options), signal, counters);
    const values: unknown[] = [];
    for await (const batch of result.batches) {
      for (const row of batch) {
        if (values.length >= MAX_SUBQUERY_ROWS) return undefined;
        values.push(Object.values(row)[0]);
      }
    }
    return values;
  }, { plan: (bound) => planQuery(bound, options), planChunk: (bound, chunkedScan) => chunkPlan(ctx, bound, { ...options, chunkedScan }) });
  return keyed ?? prepared.plan;
}

/**
 * The plan of one chunk of a long key list (subquery-keys.ts): as OData, whose scans only filter
 * (FetchXML's plan would answer the statement whole, one request per chunk); undefined for a
 * statement forced to FetchXML. (A statement with a predicate only FetchXML sends has a FetchXML
 * plan, which reads no subquery on its own, so it has no keys to chunk.)
 */
function chunkPlan(ctx: StatementContext, bound: BoundQuery, options: PlanOptions): PhysicalPlan | undefined {
  return ctx.remoteLanguage === 'fetchxml' ? undefined : planQuery(bound, { ...options, remoteLanguage: 'odata' });
}

/** `keys`: the subqueries a run reads first (subquery-keys.ts), which EXPLAIN does not read */
export function explainText(ctx: StatementContext, plan: PhysicalPlan, keys?: SubqueryKeys): string {
  const lines = keys ? explainSubqueryKeys(keys, ctx.remoteLanguage !== 'fetchxml') : [];
  lines.push(explainPlan(plan, ctx.serviceRoot));
  if (plan.output.kind === 'local') lines.push(`  sql: ${LocalEngine.render(plan.output.step.query, plan.params)}`);
  return lines.join('\n');
}

function columnType(column: Column): ResultColumn {
  const t = column.sqlType;
  return {
    name: column.name, type: t.name,
    ...(t.precision !== undefined ? { precision: t.precision } : {}),
    ...(t.scale !== undefined ? { scale: t.scale } : {}),
    ...(t.length !== undefined ? { length: t.length } : {}),
  };
}

/**
 * A statement's rows as they come, a batch at a time (a page's slice, an engine chunk): one async step
 * per batch, not per row, between the scan and whoever hands rows out one by one (connect.ts stream),
 * which checks the statement's signal before each row.
 */
export interface RowStream {
  columns: ResultColumn[];
  batches: AsyncIterable<Row[]>;
}

/** runs a prepared plan; direct plans stream page by page, local plans stream their scans into the engine and its result out */
export async function runPlan(ctx: StatementContext, plan: PhysicalPlan, signal: AbortSignal | undefined, counters: ScanCounters, readAhead = true): Promise<RowStream> {
  if (plan.output.kind === 'direct') {
    const step = plan.scans[0] as RemoteScanStep;
    const { names, columns } = plan.output;
    const resultColumns = columns.map((c, i) => ({ ...columnType(c), name: names[i]! }));
    // the scan decodes its columns in table order; the result follows the select list
    const positions = columns.map((c) => step.columns.indexOf(c));
    // decimals are trimmed to exact text without trailing zeros, the same from the service and the local engine
    const trims = columns.map((c) => c.edmType === 'Edm.Decimal');
    let source: AsyncGenerator<ColumnValue[][]> = step.fetchXml?.byPartsOnly
      ? splitAggregatePages(ctx.executor, step, signal, counters)
      : scanPages(ctx.executor, step, signal, counters, undefined, readAhead);
    // the first page is read now, so a refused request fails the statement (or falls back) before any row is handed out
    let first: IteratorResult<ColumnValue[][]>;
    try {
      first = await source.next();
    } catch (error) {
      if (!DynasqlError.is(error, 'DYNASQL_ERR_AGGREGATE_LIMIT')) throw error;
      try {
        // a FetchXML aggregate the service refused whole is answered by parts (fetchxml-split.ts) …
        if (!step.fetchXml?.split || step.fetchXml.byPartsOnly) throw error;
        source = splitAggregatePages(ctx.executor, step, signal, counters);
        first = await source.next();
      } catch (refused) {
        // … and, when that is refused too, by the plan's last resort: every row read and aggregated locally
        if (plan.fallback && DynasqlError.is(refused, 'DYNASQL_ERR_AGGREGATE_LIMIT')) return runPlan(ctx, plan.fallback, signal, counters);
        throw refused;
      }
    }
    const toRow = (values: ColumnValue[]): Row => {
      const row: Row = {};
      for (let i = 0; i < names.length; i++) {
        const value = values[positions[i]!] ?? null;
        row[names[i]!] = trims[i] && typeof value === 'string' ? trimDecimal(value) : value;
      }
      return row;
    };
    // let go once handed out: a generator's closure would keep the first rows alive until the statement ends
    let firstRows = first.done ? undefined : first.value;
    async function* batches(): AsyncGenerator<Row[]> {
      const held = firstRows;
      firstRows = undefined;
      if (held === undefined) return;
      if (signal?.aborted) throw abortError(signal);
      yield held.map(toRow);
      for await (const page of source) {
        if (signal?.aborted) throw abortError(signal);
        yield page.map(toRow);
      }
    }
    return { columns: resultColumns, batches: batches() };
  }
  // each remote scan's pages go into the engine as they arrive; `$expand` parents once their scan is read
  const inputs: LocalInput[] = [];
  // the parts of an aggregate split by the same column share its first and last value (fetchxml-split.ts)
  const bounds: SplitBounds = new Map();
  for (const scan of plan.scans) {
    if (scan.kind === 'localTable') {
      const rows = ctx.system.rows(scan.table.name).map((r) => scan.columns.map((c) => (r[c.name] ?? null) as ColumnValue));
      inputs.push({ scanId: scan.scanId, columns: scan.columns, pages: [rows] });
      continue;
    }
    if (scan.fetchXml?.aggregate) {
      // a FetchXML aggregate finished locally: its few group rows are read first, so that a refusal
      // (50,000 rows) is answered by parts or by the plan's last resort before the engine starts
      let groups: ColumnValue[][];
      try {
        groups = await aggregateGroupRows(ctx.executor, scan, signal, counters, bounds);
      } catch (refused) {
        if (plan.fallback && DynasqlError.is(refused, 'DYNASQL_ERR_AGGREGATE_LIMIT')) return runPlan(ctx, plan.fallback, signal, counters);
        throw refused;
      }
      inputs.push({ scanId: scan.scanId, columns: scan.columns, pages: [groups] });
      continue;
    }
    const expanded = new ExpandedRows(scan);
    const pages = scan.keyChunks ? chunkedPages(ctx.executor, scan, signal, counters, expanded) : scanPages(ctx.executor, scan, signal, counters, expanded);
    inputs.push({ scanId: scan.scanId, columns: scan.columns, pages });
    for (const parent of scan.expand ?? []) inputs.push({ scanId: parent.scanId, columns: parent.columns, pages: onePageLater(() => expanded.get(parent.scanId)), after: scan.scanId });
  }
  let result: LocalResult;
  try {
    result = await ctx.engine.run(plan.output.step.query, inputs, plan.params, signal);
  } catch (error) {
    // an aggregate the service refused (50,000 rows) under a local step (HAVING): the plan's last resort reads the rows
    if (plan.fallback && !signal?.aborted && DynasqlError.is(error, 'DYNASQL_ERR_AGGREGATE_LIMIT')) return runPlan(ctx, plan.fallback, signal, counters);
    throw stopped(error, signal);
  }
  const typed = typedColumns(plan, result.columns);
  const chunks = result.chunks;
  async function* batches(): AsyncGenerator<Row[]> {
    try {
      for await (const chunk of chunks) {
        if (signal?.aborted) throw abortError(signal);
        yield chunk as Row[];
      }
    } catch (error) {
      throw stopped(error, signal);
    }
  }
  return { columns: typed, batches: batches() };
}

/** one page, taken when the engine reaches it (a generator's body runs on the first `next()`) */
function* onePageLater(page: () => ColumnValue[][]): Generator<ColumnValue[][]> {
  yield page();
}

/** a statement stopped by its signal fails with the signal's coded error (DYNASQL_ERR_CANCELLED / _TIMEOUT) */
function stopped(error: unknown, signal: AbortSignal | undefined): unknown {
  return signal?.aborted ? abortError(signal) : error;
}

/** a local result's columns: the names the engine returned, the types the binder derived (plan/result-columns.ts) */
function typedColumns(plan: PhysicalPlan, columns: ResultColumn[]): ResultColumn[] {
  if (plan.output.kind !== 'local') return columns;
  return resultColumns(plan.output.step.query, columns.map((c) => c.name));
}
