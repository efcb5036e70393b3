/**
 * Runs one write statement: checks it (safety settings, columns, values) before sending anything,
 * computes the affected rows through the SELECT engine when the statement is not by key, lowers the
 * rows to operations (writes/), and sends them: one request for a single row, otherwise `$batch`
 * requests of up to 1,000 operations, several at a time under the executor's throttle; one change
 * set when the statement must be atomic.
 *
 * Exactness: every operation is safe to send twice (a create carries its own new primary key, an
 * update `If-Match`, a delete the key), so the executor retries batches. Whether a retried
 * operation refused as "duplicate", "not found" or "etag moved on" had in fact been done is decided
 * by reading its row back (write-settle.ts): only what is proved counts as written.
 * `rowCount` is the rows actually written; a statement that wrote some rows but not all throws
 * DYNASQL_ERR_PARTIAL_WRITE listing what was and was not written, unless the caller asked for
 * continue-on-error, which returns the failures in `QueryResult.failures` instead.
 * Inside a transaction (`ctx.hold`) everything up to the sending is the same, and the operations go
 * to the transaction, which sends them at COMMIT (transaction.ts).
 *
 *   await conn.query("UPDATE account SET creditonhold = 1 WHERE revenue < 1000 OPTION (ATOMIC)")
 *   // GET accounts?$select=accountid&$filter=revenue lt 1000, then one $batch change set of PATCHes
 */
import { randomUUID } from 'node:crypto';
import { hasLabelColumn } from '../catalog/index.js';
import type { Column, Table } from '../catalog/types.js';
import { bindQuery } from '../bind/index.js';
import type { ConnectionOptions } from '../config/index.js';
import { DynasqlError } from '../errors/index.js';
import { mapServiceError, type HttpResponse } from '../http/index.js';
import { decoderFor, parsePage, sourceKey } from '../odata/index.js';
import { batchContentType, decodeBatchResponse, encodeBatch, type BatchPartResponse } from '../odata/batch.js';
import type { PhysicalPlan, RemoteScanStep } from '../plan/index.js';
import { planQuery, resolveParams, type ParamValues } from '../pushdown/index.js';
import { withLocalTableKeys } from './local-table-keys.js';
import type * as S from '../sql/index.js';
import type { ParserDialect } from '../sql/index.js';
import { parseWrite } from '../sql/write-parse.js';
import type { DeleteStatement, InsertStatement, UpdateStatement, WriteHints } from '../sql/write-ast.js';
import {
  checkRequiredColumns, constantInput, createOperation, deleteOperation, findColumn, jsonValue, positional, resolveUpdateTarget, resolveWriteColumns,
  resolveWriteTable, returnedColumnType, returnedRow, returningColumns, summarize, uniqueByKey, updateOperation, upsertKey, upsertOperation,
  type ChoiceLabels, type InputValue, type Outcome, type ResolvedColumn, type WriteContext, type WriteOperation,
} from '../writes/index.js';
import { explainText, runPlan, type StatementContext } from './statement.js';
import { confirm, settle, writeError } from './write-settle.js';
import type { QueryParams, QueryResult, SqlValue, WriteOptions } from './types.js';

export interface WriteRunContext {
  statement: StatementContext;
  options: ConnectionOptions;
  /** a fresh GUID v4 for each create (injectable for tests) */
  newId?: () => string;
  /** called after each request or `$batch` sent, with the rows written so far (progress reports) */
  onSent?: (written: number, requests: number) => void;
  /** EXPLAIN: lower the statement and answer its plan (one `plan` row per line) instead of sending any write */
  explain?: boolean;
  /** inside a transaction: the operations go to it, to be sent at COMMIT, instead of to the service */
  hold?: WriteHold;
  /** the statement's dialect: the rows a write reads are typed by its rules (AVG of an int differs) */
  dialect?: ParserDialect;
}

/** Where a transaction keeps a statement's operations until COMMIT (connection/transaction.ts). */
export interface WriteHold {
  /** keeps the operations, or throws (read-only transaction, change set full) and keeps none */
  take(command: string, ops: readonly WriteOperation[]): void;
}

export interface Effective {
  atomic: boolean;
  continueOnError: boolean;
  optimistic: boolean;
  etag?: string;
  headers: Record<string, string>;
}

export async function runWrite(context: WriteRunContext, sql: string, params: QueryParams | undefined, dialect: ParserDialect, write: WriteOptions = {}, signal?: AbortSignal): Promise<QueryResult> {
  const ctx: WriteRunContext = { ...context, dialect };
  const parsed = parseWrite(sql, dialect);
  if (ctx.options.readOnly && !ctx.explain) {
    throw new DynasqlError('DYNASQL_ERR_READ_ONLY_CONNECTION', `The connection is read-only (Read Only=true); ${parsed.statement.kind.toUpperCase()} is refused`);
  }
  const values = resolveParams(parsed.params, params as Record<string, unknown> | readonly unknown[] | undefined, new Date());
  const statement = parsed.statement;
  // FISCAL_YEAR / FISCAL_PERIOD in the rows a write reads: the organization's settings first (read once per connection;
  // text that only mentions them costs that one read)
  const fiscal = ctx.statement.fiscal;
  if (fiscal && !fiscal.settings && /\bfiscal_(year|period)\s*\(/i.test(sql)) await fiscal.load(signal);
  const effective = effectiveOptions(ctx, statement.hints, write);
  if (ctx.hold && effective.continueOnError && !ctx.explain) {
    throw new DynasqlError('DYNASQL_ERR_TRANSACTION', 'CONTINUE_ON_ERROR does not apply inside a transaction: its writes are sent at COMMIT, all or nothing');
  }
  switch (statement.kind) {
    case 'insert': return runInsert(ctx, statement, values, effective, signal);
    case 'update': return runUpdate(ctx, statement, values, effective, dialect, signal);
    case 'delete': return runDelete(ctx, statement, values, effective, dialect, signal);
  }
}

export function effectiveOptions(ctx: WriteRunContext, hints: WriteHints, write: WriteOptions): Effective {
  const o = ctx.options;
  const headers: Record<string, string> = {};
  if (ctx.statement.facts.edition === 'dataverse') {
    if (hints.bypassPlugins ?? write.bypassPlugins ?? o.bypassPlugins) headers['MSCRM.BypassCustomPluginExecution'] = 'true';
    if (hints.bypassBusinessLogic ?? write.bypassBusinessLogic ?? o.bypassBusinessLogic) headers['MSCRM.BypassBusinessLogicExecution'] = 'CustomSync,CustomAsync';
    if (hints.suppressDuplicateDetection ?? write.suppressDuplicateDetection ?? o.suppressDuplicateDetection) headers['MSCRM.SuppressDuplicateDetection'] = 'true';
  }
  return {
    atomic: hints.atomic ?? write.atomic ?? o.atomic,
    continueOnError: hints.continueOnError ?? write.continueOnError ?? false,
    optimistic: hints.optimistic ?? write.optimistic ?? false,
    ...(write.etag ? { etag: write.etag } : {}),
    headers,
  };
}

export function writeContext(ctx: WriteRunContext, table: Table, effective: Effective, labels: ChoiceLabels = new Map()): WriteContext {
  return {
    table, tables: ctx.statement.catalog.tables, edition: ctx.statement.facts.edition, labels, headers: effective.headers,
    crossCompany: ctx.statement.crossCompany, newId: ctx.newId ?? randomUUID,
  };
}

// ───────────────────────────── INSERT / UPSERT ─────────────────────────────

async function runInsert(ctx: WriteRunContext, statement: InsertStatement, params: ParamValues, effective: Effective, signal?: AbortSignal): Promise<QueryResult> {
  const catalog = ctx.statement.catalog;
  const table = resolveWriteTable(catalog, statement.target.name, statement.upsert ? 'upsert' : 'insert');
  if (!statement.columns) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `Name the columns: INSERT INTO ${table.name} (column, …) VALUES (…)`);
  const columns = resolveWriteColumns(table, statement.columns, statement.upsert ? 'upsert' : 'insert');
  // F&O fills every non-key field it is not given (its Nullable=false is no requirement); its keys are checked per row
  if (!statement.upsert && ctx.statement.facts.edition === 'dataverse') checkRequiredColumns(table, columns, []);
  const keyColumns = statement.upsert ? upsertKey(table, columns, statement.hints.key) : [];
  const returning = returningColumns(table, statement.returning);

  let rows: InputValue[][];
  if (statement.values) {
    statement.values.forEach((exprs, r) => {
      if (exprs.length !== columns.length) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `Row ${r + 1} of VALUES has ${exprs.length} values for ${columns.length} columns`);
    });
    checkMaxRows(ctx, statement.values.length);
    rows = await valuesRows(ctx, statement.values, params, signal);
  } else {
    if (ctx.explain) return explainRead(ctx, command(statement), positional(statement.query!), params, effective, statement.upsert ? `PATCH ${table.entitySetName}(<key>)` : `POST ${table.entitySetName}`);
    const source = await readRows(ctx, positional(statement.query!), params, signal);
    if (source.width !== columns.length) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `The SELECT returns ${source.width} columns for ${columns.length} columns of ${table.name}`);
    rows = source.rows;
  }
  const labels = await loadChoiceLabels(ctx, table, columns, rows, signal);
  const wctx = writeContext(ctx, table, effective, labels);
  const wantBody = returning !== undefined;
  const ops = rows.map((values, r) => (statement.upsert
    ? upsertOperation(wctx, keyColumns, columns, values, r, { ...(statement.hints.upsertMode ? { mode: statement.hints.upsertMode } : {}), returnRepresentation: wantBody })
    : createOperation(wctx, columns, values, r, wantBody)));
  if (ctx.explain) return explainOps(ctx, command(statement), ops, effective);
  if (ops.some((op) => op.orCreate) && (ctx.hold || (effective.atomic && ops.length > 1))) {
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `UPSERT on Finance & Operations cannot be part of a change set (${ctx.hold ? 'a transaction' : 'ATOMIC'}): each row takes two requests there (PATCH, then POST when the row is not there). Use INSERT or UPDATE, or UPSERT outside the transaction`);
  }
  if (ctx.hold && returning) {
    // a held row's values are what was sent: its key and the columns given; the rest exist only after COMMIT
    const unknown = returning.filter((r) => !table.primaryKey.includes(r.column.name) && !columns.some((c) => c.column === r.column));
    if (unknown.length > 0) throw heldReturning(command(statement), unknown.map((r) => r.name));
  }
  const outcomes = await sendOrHold(ctx, command(statement), ops, effective, signal);
  const result = report(command(statement), ops, outcomes, effective);
  if (returning) {
    result.columns = returning.map((r) => returnedColumnType(r));
    result.rows = ops.flatMap((op, i) => {
      const outcome = outcomes[i]!;
      if (outcome.state !== 'written') return [];
      return [returnedRow(returning, outcome.body, (column) => {
        if (op.key[column.name] !== undefined) return op.key[column.name] as SqlValue;
        const at = columns.findIndex((c) => c.column === column);
        return at >= 0 ? (rows[i]![at] as SqlValue) : null;
      })];
    });
  }
  return result;
}

// ───────────────────────────── UPDATE ─────────────────────────────

async function runUpdate(ctx: WriteRunContext, statement: UpdateStatement, params: ParamValues, effective: Effective, dialect: ParserDialect, signal?: AbortSignal): Promise<QueryResult> {
  const target = resolveUpdateTarget(ctx.statement.catalog, dialect, statement.target, statement.from);
  const table = resolveWriteTable(ctx.statement.catalog, target.tableName, 'update');
  const { alias, from } = target;
  guardUnsafe(ctx, 'UPDATE', statement.where, statement.from);
  const columns = resolveWriteColumns(table, statement.set.map((s) => s.column), 'update');
  const returning = returningColumns(table, statement.returning);
  if (returning && statement.returning!.some((r) => r.image === 'deleted')) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'UPDATE … OUTPUT DELETED.* (the values before the update) is not supported; use INSERTED.*');
  if (returning && ctx.hold && !ctx.explain) throw heldReturning('UPDATE', returning.map((r) => r.name));
  const keyColumns = table.primaryKey.map((n) => findColumn(table, n));

  const constants = statement.set.map((s) => constantInput(s.value, params));
  // a constant the column cannot take is refused before any row is read, as when no row matches (a choice's label waits for its labels)
  constants.forEach((c, i) => {
    const column = columns[i]!.column;
    if (c !== undefined && column.kind === 'data' && !hasLabelColumn(table, column)) jsonValue(column, c.value);
  });
  // The rows to change, and each computed SET value, come from the SELECT engine, even when the WHERE
  // names keys: a key named is a filter, not a promise that the row exists (nor that it is visible:
  // F&O without Cross Company sees one company), and the read gives each row once however its key was spelt.
  const computed = statement.set.map((s, i) => (constants[i] === undefined ? i : -1)).filter((i) => i >= 0);
  const query: S.Select = {
    kind: 'select', with: [], distinct: false, groupBy: [], orderBy: [],
    columns: [
      ...keyColumns.map((c, i) => ({ expr: { kind: 'column', table: alias, name: c.name } as S.Expr, alias: `__k${i}` })),
      ...computed.map((i) => ({ expr: statement.set[i]!.value, alias: `__v${i}` })),
    ],
    from, ...(statement.where ? { where: statement.where } : {}),
  };
  if (ctx.explain) return explainRead(ctx, 'UPDATE', query, params, effective, `PATCH ${table.entitySetName}(<key>)`);
  const read = await readRows(ctx, query, params, signal, effective.optimistic);
  const rows = targetRows(read, keyColumns, (row) => constants.map((c, i) => (c !== undefined ? c.value : row[keyColumns.length + computed.indexOf(i)] ?? null)));
  const labels = await loadChoiceLabels(ctx, table, columns, rows.map((r) => r.values), signal);
  const wctx = writeContext(ctx, table, effective, labels);
  const ops = rows.map((r, i) => updateOperation(wctx, r.key, columns, r.values, i, {
    ...(r.etag ?? effective.etag ? { etag: r.etag ?? effective.etag } : {}), returnRepresentation: returning !== undefined, existed: true,
  }));
  const outcomes = await sendOrHold(ctx, 'UPDATE', ops, effective, signal);
  const result = report('UPDATE', ops, outcomes, effective);
  if (returning) {
    result.columns = returning.map((r) => returnedColumnType(r));
    result.rows = ops.flatMap((op, i) => (outcomes[i]!.state === 'written' ? [returnedRow(returning, (outcomes[i] as { body?: string }).body, (c) => (op.key[c.name] as SqlValue) ?? null)] : []));
  }
  return result;
}

// ───────────────────────────── DELETE ─────────────────────────────

async function runDelete(ctx: WriteRunContext, statement: DeleteStatement, params: ParamValues, effective: Effective, dialect: ParserDialect, signal?: AbortSignal): Promise<QueryResult> {
  const target = resolveUpdateTarget(ctx.statement.catalog, dialect, statement.target, statement.from, 'DELETE');
  const table = resolveWriteTable(ctx.statement.catalog, target.tableName, 'delete');
  const { alias, from } = target;
  guardUnsafe(ctx, 'DELETE', statement.where, statement.from);
  const keyColumns = table.primaryKey.map((n) => findColumn(table, n));
  const returning = returningColumns(table, statement.returning);
  // read first, even by key: see runUpdate
  const extra = returning ?? [];
  const query: S.Select = {
    kind: 'select', with: [], distinct: false, groupBy: [], orderBy: [],
    columns: [
      ...keyColumns.map((c, i) => ({ expr: { kind: 'column', table: alias, name: c.name } as S.Expr, alias: `__k${i}` })),
      ...extra.map((r, i) => ({ expr: { kind: 'column', table: alias, name: r.column.name } as S.Expr, alias: `__r${i}` })),
    ],
    from, ...(statement.where ? { where: statement.where } : {}),
  };
  if (ctx.explain) return explainRead(ctx, 'DELETE', query, params, effective, `DELETE ${table.entitySetName}(<key>)`);
  const read = await readRows(ctx, query, params, signal, effective.optimistic);
  const rows = targetRows(read, keyColumns, (row) => row.slice(keyColumns.length));
  const wctx = writeContext(ctx, table, effective);
  const ops = rows.map((r, i) => deleteOperation(wctx, r.key, i, { existed: true, ...(r.etag ?? effective.etag ? { etag: (r.etag ?? effective.etag)! } : {}) }));
  const outcomes = await sendOrHold(ctx, 'DELETE', ops, effective, signal);
  const result = report('DELETE', ops, outcomes, effective);
  if (returning) {
    result.columns = returning.map((r) => returnedColumnType(r));
    result.rows = rows.flatMap((r, i) => (outcomes[i]!.state === 'written'
      ? [Object.fromEntries(returning.map((c, j) => [c.name, (r.values[j] ?? null) as SqlValue]))] : []));
  }
  return result;
}

// ───────────────────────────── shared steps ─────────────────────────────

/**
 * The target rows a write's read found, each once: its key, the values it computed, its etag (OPTIMISTIC).
 * A row whose key is NULL is a target the join did not match (`… FROM contact c RIGHT JOIN account a`):
 * there is no such row to change, as in SQL Server, which updates the matched target rows only.
 */
function targetRows(read: ReadResult, keyColumns: readonly Column[], valuesOf: (row: InputValue[]) => InputValue[]): { key: Map<Column, InputValue>; values: InputValue[]; etag?: string }[] {
  const rows = read.rows.flatMap((row, r) => {
    if (keyColumns.some((_, i) => row[i] === null || row[i] === undefined)) return [];
    const key = new Map(keyColumns.map((c, i) => [c, row[i]!] as [Column, InputValue]));
    return [{ key, values: valuesOf(row), ...(read.etags?.[r] ? { etag: read.etags[r] } : {}) }];
  });
  return uniqueByKey(rows);
}

function guardUnsafe(ctx: WriteRunContext, verb: string, where: S.Expr | undefined, from: S.FromItem | undefined): void {
  if (where || from || ctx.options.allowUnsafeWrites) return;
  throw new DynasqlError('DYNASQL_ERR_UNSAFE_WRITE', `${verb} without WHERE would change every row; add a WHERE clause, or set Allow Unsafe Writes=true on the connection`);
}

/**
 * `counted`: the count is all the rows (VALUES), not where reading stopped once past the limit;
 * a stopped read knows only that there are more (`UPDATE … WHERE` of 18 rows under a limit of 5
 * stops at the 6th: "more than 5", not "6").
 */
function checkMaxRows(ctx: WriteRunContext, count: number, counted = true): void {
  const max = ctx.options.maxRowsAffected;
  if (max > 0 && count > max) {
    const would = counted ? `${count} rows, more than Max Rows Affected (${max})` : `more than ${max} rows (Max Rows Affected)`;
    throw new DynasqlError('DYNASQL_ERR_MAX_ROWS_AFFECTED', `The statement would change ${would}; nothing was written`, { details: { rows: count, max, ...(counted ? {} : { atLeast: true }) } });
  }
}

/** rows the local engine computes at most, for VALUES rows with expressions (a UNION ALL of one SELECT per row) */
const MAX_COMPUTED_VALUES_ROWS = 1000;

/**
 * The values of `VALUES (…), (…)`: literals and parameters as they are; rows with expressions
 * (`UPPER(@n)`, `GETDATE()`) computed by the SELECT engine as `SELECT e1, e2 UNION ALL …`.
 */
async function valuesRows(ctx: WriteRunContext, values: S.Expr[][], params: ParamValues, signal: AbortSignal | undefined): Promise<InputValue[][]> {
  const rows = values.map((exprs) => exprs.map((e) => constantInput(e, params)));
  const computed = rows.map((r, i) => (r.some((v) => v === undefined) ? i : -1)).filter((i) => i >= 0);
  if (computed.length > MAX_COMPUTED_VALUES_ROWS) {
    throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `VALUES with expressions in more than ${MAX_COMPUTED_VALUES_ROWS} rows; compute them with INSERT … SELECT`);
  }
  const out = rows.map((r) => r.map((v) => v?.value ?? null));
  if (computed.length === 0) return out;
  // each row carries its position, so the engine's row order does not matter
  const selects = computed.map((i): S.Select => ({
    kind: 'select', with: [], distinct: false, groupBy: [], orderBy: [],
    columns: [{ expr: { kind: 'literal', type: 'number', value: String(i) }, alias: '__i' }, ...values[i]!.map((expr, c) => ({ expr, alias: `__c${c}` }))],
  }));
  const query = selects.slice(1).reduce<S.Query>((left, right) => ({ kind: 'setop', with: [], op: 'UNION ALL', left, right, orderBy: [] }), selects[0]!);
  const read = await readRows(ctx, query, params, signal);
  for (const row of read.rows) out[Number(row[0])] = row.slice(1);
  return out;
}

interface ReadResult { rows: InputValue[][]; width: number; etags?: (string | undefined)[] }

/** Runs a query through the SELECT engine (bind, push-down, local remainder) and returns its rows as arrays. */
async function readRows(ctx: WriteRunContext, query: S.Query, params: ParamValues, signal: AbortSignal | undefined, withEtags = false): Promise<ReadResult> {
  const sc = ctx.statement;
  const plan = planRead(ctx, query, params);
  const max = ctx.options.maxRowsAffected;
  const counters = { pages: 0, requests: 0, rows: 0 };
  if (withEtags) {
    if (plan.output.kind !== 'direct' || plan.scans.length !== 1 || plan.scans[0]!.kind !== 'remoteScan' || plan.scans[0]!.aggregateOutputs) {
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', 'OPTIMISTIC needs a WHERE on the target table alone that the service can evaluate (no joins or local-only conditions), so each row\'s etag can be read with it');
    }
    return readWithEtags(ctx, plan.scans[0] as RemoteScanStep, plan.output, signal);
  }
  const result = await runPlan(sc, plan, signal, counters);
  const names = result.columns.map((c) => c.name);
  const rows: InputValue[][] = [];
  for await (const batch of result.batches) {
    for (const row of batch) {
      rows.push(names.map((n) => row[n] as InputValue));
      if (max > 0 && rows.length > max) checkMaxRows(ctx, rows.length, false);
    }
  }
  return { rows, width: names.length };
}

/** The SELECT engine's plan (bind, push-down, local remainder) of a query a write reads its rows with. */
function planRead(ctx: WriteRunContext, query: S.Query, params: ParamValues): PhysicalPlan {
  const sc = ctx.statement;
  // typed like the same SELECT: by the statement's dialect and its parameters' values
  const dialect = ctx.dialect ?? 'tsql';
  const fiscal = sc.fiscal?.settings ? { fiscal: sc.fiscal.settings } : {};
  const bound = bindQuery(query, { catalog: sc.catalog, systemTables: sc.system.tables, includeFormattedValues: sc.includeFormattedValues, dialect, params, ...fiscal });
  // the rows to change of `… WHERE key IN (SELECT key FROM a local table)`: those keys only (local-table-keys.ts)
  const keyed = sc.pushdown ? withLocalTableKeys(bound, (name) => sc.system.rows(name), dialect) : bound;
  return planQuery(keyed, { facts: sc.facts, params, pushdown: sc.pushdown, crossCompany: sc.crossCompany, pageSize: sc.pageSize });
}

/** A direct (fully pushed-down) read, page by page, keeping each row's `@odata.etag` beside its values. */
async function readWithEtags(ctx: WriteRunContext, step: RemoteScanStep, output: { names: string[]; columns: unknown[] }, signal: AbortSignal | undefined): Promise<ReadResult> {
  const columns = output.columns as Column[];
  const readers = columns.map((c) => [sourceKey(c), decoderFor(c)] as const);
  const rows: InputValue[][] = [];
  const etags: (string | undefined)[] = [];
  const seen = new Set<string>();
  const max = ctx.options.maxRowsAffected;
  for (let url: string | undefined = step.request.url; url !== undefined;) {
    if (seen.has(url)) throw new DynasqlError('DYNASQL_ERR_SERVICE', 'The service returned the same @odata.nextLink twice');
    seen.add(url);
    const response = await ctx.statement.executor.send({ method: 'GET', url, headers: step.request.headers, ...(signal ? { signal } : {}) });
    const page = parsePage(response.text());
    for (const raw of page.rows) {
      rows.push(readers.map(([key, decode]) => decode(raw[key] as never) as InputValue));
      const etag = raw['@odata.etag'];
      etags.push(typeof etag === 'string' ? etag : undefined);
    }
    if (max > 0 && rows.length > max) checkMaxRows(ctx, rows.length, page.nextLink === undefined);
    url = page.nextLink;
  }
  const missing = etags.findIndex((e) => e === undefined);
  if (missing >= 0) throw new DynasqlError('DYNASQL_ERR_SERVICE', 'OPTIMISTIC: the service returned a row without @odata.etag; nothing was written');
  return { rows, width: columns.length, etags };
}

/**
 * Choice labels (`industrycode = 'Accounting'`, `industrycodename = 'Accounting'`) for Dataverse,
 * whose metadata carries no labels: read from the labels the service reports for values in use.
 */
async function loadChoiceLabels(ctx: WriteRunContext, table: Table, columns: readonly ResolvedColumn[], rows: readonly InputValue[][], signal: AbortSignal | undefined): Promise<ChoiceLabels> {
  const labels = new Map<string, Map<string, { value: number; label: string }>>();
  for (const [i, c] of columns.entries()) {
    const choice = c.column.kind === 'choiceLabel' ? findColumn(table, c.column.sourceColumn!) : hasLabelColumn(table, c.column) ? c.column : undefined;
    if (!choice || choice.options?.length) continue;
    const needed = rows.some((r) => typeof r[i] === 'string' && !/^\s*[+-]?\d+\s*$/.test(r[i] as string));
    if (!needed || labels.has(choice.name.toLowerCase())) continue;
    const labelColumn = table.columns.find((l) => l.kind === 'choiceLabel' && l.sourceColumn?.toLowerCase() === choice.name.toLowerCase())!;
    const query: S.Select = {
      kind: 'select', with: [], distinct: true, groupBy: [], orderBy: [],
      columns: [{ expr: { kind: 'column', name: choice.name }, alias: '__v' }, { expr: { kind: 'column', name: labelColumn.name }, alias: '__l' }],
      from: { kind: 'table', name: table.name },
      where: { kind: 'isNull', expr: { kind: 'column', name: choice.name }, negated: true },
    };
    const read = await readRows({ ...ctx, options: { ...ctx.options, maxRowsAffected: 0 } }, query, new Map(), signal);
    const map = new Map<string, { value: number; label: string }>();
    for (const [value, label] of read.rows) if (typeof label === 'string' && value !== null) map.set(label.toLowerCase(), { value: Number(value), label });
    labels.set(choice.name.toLowerCase(), map);
  }
  return labels;
}

// ───────────────────────────── EXPLAIN ─────────────────────────────

/** operations listed one by one in a write's plan; the rest are counted */
const EXPLAIN_OPERATIONS = 20;

function command(statement: InsertStatement): 'INSERT' | 'UPSERT' {
  return statement.upsert ? 'UPSERT' : 'INSERT';
}

function explained(lines: string[]): QueryResult {
  return { columns: [{ name: 'plan', type: 'nvarchar' }], rows: lines.map((plan) => ({ plan })), rowCount: lines.length, command: 'EXPLAIN' };
}

/**
 * A key-addressed write's plan: each request as `execute` would send it, e.g.
 *   Write   PATCH http://host/api/data/v9.2/accounts(…)
 */
function explainOps(ctx: WriteRunContext, verb: string, ops: readonly WriteOperation[], effective: Effective): QueryResult {
  const root = ctx.statement.serviceRoot;
  const lines = [`${verb}: ${ops.length} row${ops.length === 1 ? '' : 's'} by key, nothing read first`];
  if (ops.length === 0) return explained(lines);
  const { changeSet, useBatch, groups } = sendPlan(ctx, ops.length, effective);
  let listed = 0;
  for (const group of groups) {
    if (listed >= EXPLAIN_OPERATIONS) break;
    const batched = useBatch && (changeSet || group.length > 1);
    if (batched) lines.push(`Write   POST ${root}$batch (${changeSet ? 'one change set, all or nothing' : 'continue on error'}, ${group.length} operations)`);
    for (const i of group) {
      if (listed++ >= EXPLAIN_OPERATIONS) break;
      const op = ops[i]!;
      lines.push(`${batched ? '          ' : 'Write   '}${op.method} ${root}${op.url}`);
      if (op.orCreate) lines.push(`          then, when the PATCH finds no row (404), ${op.orCreate.method} ${root}${op.orCreate.url}: two requests for a new row`);
    }
  }
  if (ops.length > EXPLAIN_OPERATIONS) lines.push(`        … and ${ops.length - EXPLAIN_OPERATIONS} more operations`);
  return explained(lines);
}

/**
 * A write whose rows come from a SELECT: that SELECT's plan (the same one the write runs), then
 * how its rows are written, e.g.
 *   then $batch of PATCH accounts(<key>), 1 operation per row, up to 1,000 per $batch
 */
function explainRead(ctx: WriteRunContext, verb: string, query: S.Query, params: ParamValues, effective: Effective, operation: string): QueryResult {
  const plan = planRead(ctx, query, params);
  const batchSize = Math.max(1, ctx.statement.facts.maxBatchSize).toLocaleString('en-US');
  const then = effective.atomic
    ? `then one $batch change set of ${operation}, 1 operation per row (all or nothing, at most ${batchSize} rows)`
    : batchSupported(ctx)
      ? `then $batch of ${operation}, 1 operation per row, up to ${batchSize} per $batch`
      : `then ${operation}, one request per row`;
  return explained([`${verb}: the rows are read first${effective.optimistic ? ' (with each row\'s etag)' : ''}`, ...explainText(ctx.statement, plan).split('\n'), then]);
}

/** the statement's QueryResult, or the error summarize() raises for failed rows */
export function report(command: string, ops: readonly WriteOperation[], outcomes: readonly Outcome[], effective: Effective): QueryResult {
  return { columns: [], rows: [], command, ...summarize(command, ops, outcomes, effective) };
}

// ───────────────────────────── sending ─────────────────────────────

/** sends the operations, or, inside a transaction, hands them to it: they count as written when it commits */
async function sendOrHold(ctx: WriteRunContext, command: string, ops: readonly WriteOperation[], effective: Effective, signal?: AbortSignal): Promise<Outcome[]> {
  if (!ctx.hold) return execute(ctx, ops, effective, signal);
  ctx.hold.take(command, ops);
  return ops.map(() => ({ state: 'written' }));
}

function heldReturning(command: string, names: string[]): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_TRANSACTION', `${command} inside a transaction can return only the key and the values it sets: ${names.join(', ')} will be known after COMMIT`, { details: { columns: names } });
}

/**
 * How the operations go out: one change set when atomic; else `$batch`es of up to maxBatchSize
 * (Dataverse) or one request each (F&O, where continue-on-error inside a $batch is not documented).
 */
interface SendPlan { changeSet: boolean; useBatch: boolean; groups: number[][] }

function sendPlan(ctx: WriteRunContext, count: number, effective: Effective): SendPlan {
  const facts = ctx.statement.facts;
  const batchSize = Math.max(1, facts.maxBatchSize);
  if (effective.atomic && count > 1) {
    if (count > batchSize) {
      throw new DynasqlError('DYNASQL_ERR_ATOMIC_LIMIT', `An atomic statement can change at most ${batchSize} rows (one $batch change set); this one would change ${count}. Nothing was written`, { details: { rows: count, max: batchSize } });
    }
    return { changeSet: true, useBatch: true, groups: [Array.from({ length: count }, (_, i) => i)] };
  }
  const useBatch = count > 1 && batchSupported(ctx);
  const groups: number[][] = [];
  const per = useBatch ? batchSize : 1;
  for (let i = 0; i < count; i += per) groups.push(Array.from({ length: Math.min(per, count - i) }, (_, j) => i + j));
  return { changeSet: false, useBatch, groups };
}

function batchSupported(ctx: WriteRunContext): boolean {
  return ctx.statement.facts.batchSupported && ctx.statement.facts.edition === 'dataverse';
}

export async function execute(ctx: WriteRunContext, ops: readonly (WriteOperation & { idempotent?: boolean })[], effective: Effective, signal?: AbortSignal): Promise<Outcome[]> {
  const outcomes: Outcome[] = ops.map(() => ({ state: 'notAttempted' }));
  if (ops.length === 0) return outcomes;
  const { changeSet, useBatch, groups } = sendPlan(ctx, ops.length, effective);
  if (changeSet) {
    await sendBatch(ctx, ops, groups[0]!, outcomes, effective, true, signal);
    ctx.onSent?.(outcomes.filter((o) => o.state === 'written').length, 1);
    return outcomes;
  }
  const width = Math.max(1, Math.min(ctx.options.maxConcurrency, useBatch ? 4 : ctx.options.maxConcurrency));
  let next = 0;
  const sent = { written: 0, requests: 0 };
  const worker = async () => {
    while (next < groups.length) {
      if (signal?.aborted) return;
      const group = groups[next++]!;
      if (group.length === 1 && !useBatch) await sendSingle(ctx, ops[group[0]!]!, group[0]!, outcomes, signal);
      else await sendBatch(ctx, ops, group, outcomes, effective, false, signal);
      sent.written += group.filter((i) => outcomes[i]!.state === 'written').length;
      sent.requests++;
      ctx.onSent?.(sent.written, sent.requests);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, groups.length) }, worker));
  if (signal?.aborted) {
    // one shared outcome, not a failure per row: a cancel of a 20,000-row INSERT settles without building 20,000 entries
    const why = signal.reason instanceof DynasqlError ? signal.reason : undefined;
    const stopped: Outcome = { state: 'notAttempted', reason: new DynasqlError(why?.code ?? 'DYNASQL_ERR_CANCELLED', `not sent: ${why?.message ?? 'the statement was cancelled'}`) };
    outcomes.forEach((o, i) => { if (o.state === 'notAttempted') outcomes[i] = stopped; });
  }
  return outcomes;
}

async function sendSingle(ctx: WriteRunContext, op: WriteOperation & { idempotent?: boolean }, index: number, outcomes: Outcome[], signal?: AbortSignal): Promise<void> {
  let response: HttpResponse;
  try {
    response = await ctx.statement.executor.send({
      method: op.method, url: op.url, headers: op.headers, ...(op.body !== undefined ? { body: op.body } : {}),
      idempotent: op.idempotent ?? true, throwOnError: false, ...(signal ? { signal } : {}),
    });
  } catch (error) {
    outcomes[index] = { state: 'unconfirmed', error: asDynasqlError(error) };
    return;
  }
  if (op.orCreate && response.status === 404) {
    // F&O: the PATCH found no row, so the UPSERT creates it
    await sendSingle(ctx, op.orCreate, index, outcomes, signal);
    return;
  }
  const answer = { status: response.status, headers: response.headers, body: response.text() };
  outcomes[index] = await settle(ctx.statement.executor, op, answer, (response.attempts ?? 1) > 1);
}

/**
 * One `$batch` of the operations at `indexes`: a change set when atomic, else independent requests
 * with `Prefer: odata.continue-on-error` (where the service stops at the first error instead, the
 * requests after it are sent again in a new batch).
 */
async function sendBatch(ctx: WriteRunContext, ops: readonly (WriteOperation & { idempotent?: boolean })[], indexes: number[], outcomes: Outcome[], effective: Effective, atomic: boolean, signal?: AbortSignal): Promise<void> {
  const executor = ctx.statement.executor;
  const root = executor.serviceRoot;
  let pending = indexes;
  /** operations sent in a batch that was retried: an earlier attempt may have carried them out */
  const mayHaveRun = new Set<number>();
  for (let round = 0; pending.length > 0 && round < 1000; round++) {
    const id = randomUUID();
    const body = encodeBatch(pending.map((i, n) => {
      const op = ops[i]!;
      return { method: op.method, url: `${root}${op.url}`, headers: op.headers, ...(op.body !== undefined ? { body: op.body } : {}), contentId: String(n + 1) };
    }), { boundary: `batch_${id}`, ...(atomic ? { changeSetBoundary: `changeset_${id}` } : {}) });
    // asked for even where the metadata does not advertise it (Dataverse's says false, current servers honour
    // it); a service that ignores it stops at the first error, which the handling below also understands
    const continueOnError = !atomic;
    let response: HttpResponse;
    try {
      response = await executor.send({
        method: 'POST', url: '$batch', body,
        headers: { 'Content-Type': batchContentType(`batch_${id}`), ...effective.headers, ...(continueOnError ? { Prefer: 'odata.continue-on-error' } : {}) },
        // every operation in it is safe to repeat (see the file comment), so the batch is too
        idempotent: pending.every((i) => ops[i]!.idempotent ?? true), throwOnError: false, ...(signal ? { signal } : {}),
      });
    } catch (error) {
      for (const i of pending) outcomes[i] = { state: 'unconfirmed', error: asDynasqlError(error) };
      return;
    }
    const retried = (response.attempts ?? 1) > 1;
    const parts = decodeBatchResponse(response.headers['content-type'], response.text());
    if (!parts) {
      // the whole batch was answered with one error: a 4xx refused it before anything ran; after a 5xx
      // (retries spent) some of it may have run
      const error = mapServiceError({ status: response.status, headers: response.headers, body: response.text() }, { method: 'POST', url: `${root}$batch` });
      for (const i of pending) outcomes[i] = response.status >= 500 ? { state: 'unconfirmed', error } : { state: 'failed', error };
      return;
    }
    // answers are matched by the Content-ID each request carried; a service that does not echo them answers in order
    const byContentId = new Map(parts.filter((p) => p.contentId !== undefined).map((p) => [p.contentId!, p]));
    const echoed = parts.length > 0 && byContentId.size === parts.length;
    const partFor = (n: number) => (echoed ? byContentId.get(String(n + 1)) : parts.length === pending.length ? parts[n] : undefined);
    if (atomic) {
      if (response.status < 400) {
        pending.forEach((i, n) => { outcomes[i] = { state: 'written', ...(partFor(n)?.body ? { body: partFor(n)!.body } : {}) }; });
        return;
      }
      // a failed change set is rolled back whole; its one response part names the culprit
      const failing = parts[0];
      const n = failing?.contentId !== undefined ? Number(failing.contentId) - 1 : 0;
      const culprit = ops[pending[n] ?? pending[0]!]!;
      if (failing && retried) {
        // after a lost answer, the failure can be the earlier attempt's own work (a create that exists, a
        // delete done). A change set is all or nothing: it was committed only if every operation's row
        // reads back as the set leaves it, and the culprit's refusal is one settle() accepts as done.
        const seen = await settle(executor, culprit, failing, true);
        if (seen.state === 'unconfirmed') {
          for (const i of pending) outcomes[i] = seen;
          return;
        }
        if (seen.state === 'written') {
          const all = await Promise.all(pending.map((i) => confirm(executor, ops[i]!)));
          if (all.every((c) => c === true)) {
            for (const i of pending) outcomes[i] = { state: 'written' };
            return;
          }
          if (all.some((c) => c === undefined)) {
            const error = writeError(partError(failing, culprit.url));
            for (const i of pending) outcomes[i] = { state: 'unconfirmed', error };
            return;
          }
          // a row not as the set leaves it: the set was never committed, and the refusal stands
        }
      }
      const error = failing ? writeError(partError(failing, culprit.url)) : mapServiceError({ status: response.status, body: response.text() });
      pending.forEach((i) => { outcomes[i] = { state: 'notAttempted' }; });
      outcomes[pending[n] ?? pending[0]!] = { state: 'failed', error };
      return;
    }
    // a stop-on-first-error answer: a 400 holding only the failing part; the parts before it ran, those after did not
    const only = parts.length === 1 ? parts[0] : undefined;
    if (response.status >= 400 && only && !echoed && pending.length > 1) {
      // stopped at an error without saying which request it was: which ones ran cannot be told
      const error = writeError(mapServiceError({ status: only.status, headers: only.headers, body: only.body }, { method: 'POST', url: `${root}$batch` }));
      for (const i of pending) outcomes[i] = { state: 'unconfirmed', error };
      return;
    }
    const stopAt = response.status >= 400 && only?.contentId !== undefined && pending.length > 1 ? Number(only.contentId) - 1 : undefined;
    const again: number[] = [];
    const settling: Promise<void>[] = [];
    pending.forEach((i, n) => {
      const part = partFor(n);
      if (part) settling.push(settle(executor, ops[i]!, part, retried || mayHaveRun.has(i)).then((o) => { outcomes[i] = o; }));
      else if (stopAt !== undefined && n < stopAt) outcomes[i] = { state: 'written' };
      else {
        again.push(i);
        if (retried) mayHaveRun.add(i);
      }
    });
    await Promise.all(settling);
    if (again.length === pending.length) {
      // nothing answered for any part: report rather than loop
      const error = mapServiceError({ status: response.status, headers: response.headers, body: response.text() }, { method: 'POST', url: `${root}$batch` });
      for (const i of pending) outcomes[i] = { state: 'failed', error };
      return;
    }
    pending = again;
  }
}

function partError(part: BatchPartResponse, url: string): DynasqlError {
  return mapServiceError({ status: part.status, headers: part.headers, body: part.body }, { method: 'request', url });
}

function asDynasqlError(error: unknown): DynasqlError {
  if (error instanceof DynasqlError) return error;
  return new DynasqlError('DYNASQL_ERR_NETWORK', error instanceof Error ? error.message : String(error), { cause: error });
}

