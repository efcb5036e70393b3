/**
 * Runs stored procedures: the service's actions and functions (procedures/ builds each request and
 * decodes its answer; this file sends it), the built-ins (RefreshMetadata, GetOAuthAccessToken,
 * Associate, Disassociate), table-valued functions in FROM, and `conn.action(name, payload)`.
 *
 *   await conn.query("EXEC WinOpportunity @OpportunityClose = ?, @Status = 3", [JSON.stringify(close)]);
 *   await conn.query('SELECT v.Version FROM RetrieveVersion() AS v');
 *   await conn.action('WhoAmI', {});   // → {BusinessUnitId, UserId, OrganizationId}
 */
import { getAuthorizationUrl, completeCodeExchange, type AuthSettings } from '../auth/index.js';
import { bindQuery } from '../bind/index.js';
import type { Catalog, Column, SqlType, Table } from '../catalog/types.js';
import type { ConnectionOptions } from '../config/index.js';
import { DynasqlError } from '../errors/index.js';
import { JsonNumberText, parseJsonLossless, type JsonValue } from '../odata/index.js';
import {
  builtinName, decodeResult, hasTableFunctions, lowerMatchedCall, lowerRelationshipCall, matchArguments,
  replaceTableFunctions, type CallArgument, type MatchedCall, type ProcedureColumn, type ProcedureResult,
} from '../procedures/index.js';
import { planQuery, resolveParams } from '../pushdown/index.js';
import { parseExec, type ExecValue } from '../sql/exec-parse.js';
import { parseSql, type ParserDialect } from '../sql/index.js';
import type { Expr, Query } from '../sql/ast.js';
import type { Dispatcher } from 'undici';
import type { PreparedStatement, StatementContext } from './statement.js';
import { fetchXmlTable } from './fetchxml-passthrough.js';
import { changesTable } from './changes.js';
import type { QueryParams, QueryResult, ResultColumn, Row } from './types.js';

export interface ProcedureRunContext {
  statement: StatementContext;
  options: ConnectionOptions;
  /** every operation the service declares, whatever Use Dynamic Stored Procedures says (for hints) */
  serviceCatalog: Catalog;
  /** reloads `$metadata` bypassing the memory and disk caches, and makes it the connection's catalog */
  refreshMetadata(signal?: AbortSignal): Promise<Catalog>;
  dispatcher?: Dispatcher;
  /** inside a transaction: actions are refused, since they would run at once rather than at COMMIT */
  inTransaction?: boolean;
}

/** `EXEC name …` / `CALL name(…)` */
export async function runExec(ctx: ProcedureRunContext, sql: string, params: QueryParams | undefined, signal?: AbortSignal): Promise<QueryResult> {
  const statement = parseExec(sql);
  const values = paramValues(statement.params, params);
  const args = statement.args.map((arg): CallArgument => ({
    ...(arg.name !== undefined ? { name: arg.name } : {}),
    value: execValue(arg.value, values),
    ...(arg.value.kind === 'default' ? { isDefault: true } : {}),
  }));
  return callProcedure(ctx, statement.name, args, signal);
}

export async function callProcedure(ctx: ProcedureRunContext, name: string, args: readonly CallArgument[], signal?: AbortSignal): Promise<QueryResult> {
  const matched = match(ctx, name, args);
  const builtin = builtinName(matched.procedure);
  if (builtin) return runBuiltin(ctx, builtin, matched, signal);
  const result = await send(ctx, matched, signal);
  return resultSet(result, matched.procedure.returnType === undefined);
}

/**
 * The entity-model API: a procedure called with a JSON object of parameters, answering its JSON
 * (without `@odata.*` annotations); `null` for an action without a result.
 * `conn.action('WinOpportunity', {Status: 3, OpportunityClose: {...}})`,
 * `conn.action('QualifyLead', {Target: 'leads(<id>)', CreateAccount: true, ...})`.
 */
export async function runAction(ctx: ProcedureRunContext, name: string, payload: Record<string, unknown> | undefined, signal?: AbortSignal): Promise<unknown> {
  if (payload !== undefined && (typeof payload !== 'object' || payload === null || Array.isArray(payload))) {
    throw new DynasqlError('DYNASQL_ERR_PARAMETER', `conn.action('${name}', payload): the payload must be an object of parameter values`);
  }
  const args = Object.entries(payload ?? {}).map(([key, value]): CallArgument => ({ name: key.replace(/^@/, ''), value }));
  const matched = match(ctx, name, args);
  const builtin = builtinName(matched.procedure);
  if (builtin) {
    const result = await runBuiltin(ctx, builtin, matched, signal);
    return result.rows.length === 0 ? null : result.rows.length === 1 ? result.rows[0] : result.rows;
  }
  const { request, response } = await sendRaw(ctx, matched, signal);
  const text = response.text();
  if (!request.procedure.returnType || text.trim() === '') return null;
  return plainJson(withoutAnnotations(parseJsonLossless(text)));
}

function actionInTransaction(name: string): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_TRANSACTION', `${name} changes data at once, outside the transaction's all-or-nothing COMMIT, so it is refused inside a transaction; COMMIT or ROLLBACK first`);
}

function match(ctx: ProcedureRunContext, name: string, args: readonly CallArgument[]): MatchedCall {
  try {
    return matchArguments(ctx.statement.catalog, name, args);
  } catch (error) {
    if (DynasqlError.is(error, 'DYNASQL_ERR_UNKNOWN_PROCEDURE') && !ctx.options.useDynamicStoredProcedures) {
      const declared = matchable(ctx.serviceCatalog, name);
      if (declared) {
        throw new DynasqlError('DYNASQL_ERR_UNKNOWN_PROCEDURE', `'${name}' is an operation of the service; turn on the setting 'Use Dynamic Stored Procedures' to call it`, { cause: error });
      }
    }
    throw error;
  }
}

function matchable(catalog: Catalog, name: string): boolean {
  const bare = name.replace(/^dbo\./i, '').toLowerCase();
  return catalog.procedures.some((p) => !p.isQueryFunction && (p.name.toLowerCase() === bare || p.importName?.toLowerCase() === bare));
}

async function sendRaw(ctx: ProcedureRunContext, matched: MatchedCall, signal?: AbortSignal) {
  const request = lowerMatchedCall(ctx.statement.catalog, matched);
  if (request.method === 'POST' && ctx.options.readOnly) {
    throw new DynasqlError('DYNASQL_ERR_READ_ONLY_CONNECTION', `The connection is read-only (Read Only=true); the action '${matched.procedure.name}' is refused`);
  }
  if (request.method === 'POST' && ctx.inTransaction) throw actionInTransaction(matched.procedure.name);
  const response = await ctx.statement.executor.send({
    method: request.method, url: request.url,
    headers: { accept: 'application/json', ...(request.body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}) },
    ...(request.body !== undefined ? { body: request.body } : {}),
    ...(signal ? { signal } : {}),
  });
  return { request, response };
}

async function send(ctx: ProcedureRunContext, matched: MatchedCall, signal?: AbortSignal): Promise<ProcedureResult> {
  const { request, response } = await sendRaw(ctx, matched, signal);
  return decodeResult(ctx.statement.catalog, request.procedure, response.text());
}

async function runBuiltin(ctx: ProcedureRunContext, name: NonNullable<ReturnType<typeof builtinName>>, matched: MatchedCall, signal?: AbortSignal): Promise<QueryResult> {
  const text = (parameter: string): string | undefined => {
    const v = matched.values.find((x) => x.parameter.name === parameter)?.value;
    return v === null || v === undefined ? undefined : String(v);
  };
  switch (name) {
    case 'RefreshMetadata': {
      const catalog = await ctx.refreshMetadata(signal);
      return resultSet({
        columns: [column('tables', 'Edm.Int32'), column('procedures', 'Edm.Int32')],
        rows: [{ tables: catalog.tables.length, procedures: catalog.procedures.length }],
      }, false);
    }
    case 'GetOAuthAccessToken': {
      const settings = ctx.options as unknown as AuthSettings;
      const edges = ctx.dispatcher ? { dispatcher: ctx.dispatcher } : {};
      const code = text('AuthCode');
      const redirectUri = text('RedirectUri');
      if (code === undefined) {
        const state = text('State');
        const url = await getAuthorizationUrl(settings, { ...(redirectUri ? { redirectUri } : {}), ...(state ? { state } : {}) }, edges);
        return resultSet({
          columns: ['AuthorizationUrl', 'CodeVerifier', 'State', 'RedirectUri'].map((n) => column(n, 'Edm.String')),
          rows: [{ AuthorizationUrl: url.url, CodeVerifier: url.codeVerifier, State: url.state, RedirectUri: url.redirectUri }],
        }, false);
      }
      const verifier = text('CodeVerifier');
      if (verifier === undefined) throw new DynasqlError('DYNASQL_ERR_PARAMETER', "Parameter '@CodeVerifier': required with @AuthCode (it came with the authorization URL)");
      const tokens = await completeCodeExchange(settings, { code, codeVerifier: verifier, ...(redirectUri ? { redirectUri } : {}) }, edges);
      return resultSet({
        columns: [column('OAuthAccessToken', 'Edm.String'), column('OAuthRefreshToken', 'Edm.String'), column('ExpiresOn', 'Edm.DateTimeOffset')],
        rows: [{ OAuthAccessToken: tokens.accessToken, OAuthRefreshToken: tokens.refreshToken ?? null, ExpiresOn: tokens.expiresOnMs !== undefined ? new Date(tokens.expiresOnMs) : null }],
      }, false);
    }
    case 'Associate':
    case 'Disassociate': {
      if (ctx.options.readOnly) throw new DynasqlError('DYNASQL_ERR_READ_ONLY_CONNECTION', `The connection is read-only (Read Only=true); ${name} is refused`);
      if (ctx.inTransaction) throw actionInTransaction(name);
      const request = lowerRelationshipCall(ctx.statement.catalog, matched, ctx.statement.executor.serviceRoot, name === 'Associate');
      await ctx.statement.executor.send({
        method: request.method, url: request.url,
        headers: { accept: 'application/json', ...(request.body !== undefined ? { 'content-type': 'application/json; charset=utf-8' } : {}) },
        ...(request.body !== undefined ? { body: request.body } : {}),
        ...(signal ? { signal } : {}),
      });
      return resultSet({ columns: [], rows: [] }, true);
    }
  }
}

function column(name: string, edmType: string): ProcedureColumn {
  const sqlType: SqlType = edmType === 'Edm.Int32' ? { name: 'int' } : edmType === 'Edm.DateTimeOffset' ? { name: 'datetimeoffset' } : { name: 'nvarchar' };
  return { name, edmType, sqlType };
}

function resultColumn(c: ProcedureColumn): ResultColumn {
  const t = c.sqlType;
  return {
    name: c.name, type: t.name,
    ...(t.precision !== undefined ? { precision: t.precision } : {}),
    ...(t.scale !== undefined ? { scale: t.scale } : {}),
    ...(t.length !== undefined ? { length: t.length } : {}),
  };
}

/** an action without a result reports rowCount 1: the one call that ran */
function resultSet(result: ProcedureResult, noResult: boolean): QueryResult {
  const rows = result.rows as Row[];
  return { columns: result.columns.map(resultColumn), rows, rowCount: noResult ? 1 : rows.length, command: 'EXEC' };
}

/** positional and named parameters for EXEC; objects and arrays are allowed (JSON-typed parameters) */
function paramValues(refs: readonly (string | number)[], given: QueryParams | undefined): Map<string | number, unknown> {
  const values = new Map<string | number, unknown>();
  for (const ref of refs) {
    if (typeof ref === 'number') {
      if (!Array.isArray(given) || ref >= given.length) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `No value for parameter ${ref + 1}: pass an array with at least ${ref + 1} values`);
      values.set(ref, given[ref] ?? null);
    } else {
      const named = given && !Array.isArray(given) ? (given as Record<string, unknown>) : undefined;
      const key = named ? Object.keys(named).find((k) => k.replace(/^@/, '').toLowerCase() === ref.toLowerCase()) : undefined;
      if (key === undefined) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `No value for parameter @${ref}`);
      values.set(ref, named![key] ?? null);
    }
  }
  return values;
}

/** a number literal keeps its text unless it is a safe integer, so decimals lose no digits */
function literalValue(type: string, value: string | boolean | null): unknown {
  if (type === 'number' && typeof value === 'string') {
    return /^-?\d{1,15}$/.test(value) ? Number(value) : new JsonNumberText(value);
  }
  return value;
}

function execValue(value: ExecValue, params: Map<string | number, unknown>): unknown {
  switch (value.kind) {
    case 'literal': return literalValue(value.type, value.value);
    case 'param': return params.get(value.ref) ?? null;
    case 'default': return null;
  }
}

function argumentValue(expr: Expr, params: Map<string | number, unknown>, name: string): unknown {
  if (expr.kind === 'literal') return literalValue(expr.type, expr.value);
  if (expr.kind === 'param') return params.get(expr.ref) ?? null;
  if (expr.kind === 'unary' && expr.op === '-' && expr.operand.kind === 'literal' && expr.operand.type === 'number') {
    return literalValue('number', `-${String(expr.operand.value)}`);
  }
  throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `The arguments of the table-valued function '${name}' must be constants or parameters`);
}

function withoutAnnotations(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(withoutAnnotations);
  if (value === null || typeof value !== 'object' || value instanceof JsonNumberText) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => !k.startsWith('@odata.')).map(([k, v]) => [k, withoutAnnotations(v)]));
}

/** JsonNumberText → number when exact, else its text (`"12345678901234.5678"`) */
function plainJson(value: JsonValue): unknown {
  if (value instanceof JsonNumberText) {
    const n = value.toNumber();
    return String(n) === value.text ? n : value.text;
  }
  if (Array.isArray(value)) return value.map(plainJson);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainJson(v)]));
  return value;
}

/** does this SELECT call a table-valued function (so it needs `prepareWithTableFunctions`)? */
export function usesTableFunctions(sql: string, dialect: ParserDialect): boolean {
  const parsed = parseSql(sql, dialect);
  return hasTableFunctions(parsed.statement.query);
}

/**
 * A SELECT with table-valued functions: each function runs first (a GET: functions have no side
 * effects; actions are refused in FROM), its rows become a local table, and the statement is bound
 * and planned over them like over the system tables.
 */
export interface TableFunctionStatement extends PreparedStatement {
  /** the statement context whose local tables hold the functions' rows */
  statement: StatementContext;
  /** EXPLAIN lines, one per function: `Function  GET <root>RetrieveVersion() → RetrieveVersion#1` */
  functionLines: string[];
}

/**
 * Under EXPLAIN (or `conn.explain`) nothing is sent: each function's request is shown, and its local
 * table gets the columns its declared return type gives.
 */
export async function prepareWithTableFunctions(
  ctx: ProcedureRunContext, sql: string, params: QueryParams | undefined, dialect: ParserDialect, signal?: AbortSignal, explainOnly = false,
): Promise<TableFunctionStatement> {
  const parsed = parseSql(sql, dialect);
  const dryRun = explainOnly || parsed.statement.kind === 'explain';
  const functionLines: string[] = [];
  const { query, calls } = replaceTableFunctions(parsed.statement.query);
  const values = paramValues(parsed.params, params);
  const tables: Table[] = [];
  const rows = new Map<string, Record<string, unknown>[]>();
  for (const call of calls) {
    // `fetchxml('<fetch …>')`: the user's own FetchXML, typed from metadata (fetchxml-passthrough.ts)
    if (call.name.toLowerCase() === 'fetchxml' && call.args.length === 1) {
      const fetched = await fetchXmlTable(ctx.statement, argumentValue(call.args[0]!, values, call.name), signal, dryRun);
      functionLines.push(`FetchXML  ${fetched.request} → local table ${call.table}`);
      tables.push(localTable(call.table, fetched.columns));
      rows.set(call.table, fetched.rows);
      continue;
    }
    // `changes('account', @token)`: change tracking's records (changes.ts)
    if (call.name.toLowerCase() === 'changes') {
      if (call.args.length < 1 || call.args.length > 2) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', "changes() takes a table's name and a token (or NULL): changes('account', @token)");
      const changed = await changesTable(ctx.statement, call.args.map((expr) => argumentValue(expr, values, call.name)), signal, dryRun);
      functionLines.push(`Changes   ${changed.request} → local table ${call.table}`);
      tables.push(localTable(call.table, changed.columns));
      rows.set(call.table, changed.rows);
      continue;
    }
    const args = call.args.map((expr): CallArgument => ({ value: argumentValue(expr, values, call.name) }));
    const matched = match(ctx, call.name, args);
    if (matched.procedure.kind !== 'function' || builtinName(matched.procedure)) {
      throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `'${matched.procedure.name}' is an action (it changes data): run it with EXEC, not in FROM`);
    }
    if (!matched.procedure.returnType) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `'${matched.procedure.name}' returns nothing to select from`);
    const request = lowerMatchedCall(ctx.statement.catalog, matched);
    functionLines.push(`Function  ${request.method} ${ctx.statement.executor.serviceRoot}${request.url} → local table ${call.table}`);
    const result = dryRun
      ? decodeResult(ctx.statement.catalog, matched.procedure, matched.procedure.returnType.isCollection ? '{"value":[]}' : '{}')
      : await send(ctx, matched, signal);
    if (dryRun) result.rows = [];
    tables.push(localTable(call.table, result.columns));
    rows.set(call.table, result.rows);
  }
  const system = ctx.statement.system;
  const statement: StatementContext = {
    ...ctx.statement,
    system: {
      tables: [...system.tables, ...tables],
      rows: (name) => (rows.get(name) as ReturnType<typeof system.rows> | undefined) ?? system.rows(name),
    },
  };
  // the statement's own parameters are checked like a SELECT's (scalars only), and type it as they do a SELECT
  const resolved = resolveParams(parsed.params, params as Record<string, unknown> | readonly unknown[] | undefined, new Date());
  const bound = bindQuery(query as Query, {
    catalog: statement.catalog, systemTables: statement.system.tables, includeFormattedValues: statement.includeFormattedValues, dialect, params: resolved,
  });
  const plan = planQuery(bound, {
    facts: statement.facts, params: resolved, pushdown: statement.pushdown, crossCompany: statement.crossCompany, pageSize: statement.pageSize,
  });
  return { plan, explain: parsed.statement.kind === 'explain', statement, functionLines };
}

function localTable(name: string, columns: ProcedureColumn[]): Table {
  return {
    name, entitySetName: name, entityType: name, primaryKey: [], alternateKeys: [], relationships: [], capabilities: {},
    columns: columns.map((c): Column => ({
      name: c.name, odataName: c.name, kind: 'data', edmType: c.edmType.startsWith('Edm.') ? c.edmType : 'Edm.String', sqlType: c.sqlType,
      nullable: true, readOnly: true, insertable: false, updatable: false, isPrimaryKey: false,
    })),
  };
}
