/**
 * The logical query → DuckDB SQL. Scans become the temp tables their rows were loaded into
 * (`FROM account a` → `FROM "q1_scan_1" AS "a"`); identifiers are always quoted; every string
 * literal and parameter is a bound value (`$n`), never spliced; numbers are spliced only after
 * they matched a number pattern. T-SQL spellings are mapped (functions.ts), `LIKE` is `ILIKE`
 * (the service's strings compare case-insensitively), `COUNT` is an INTEGER like T-SQL's.
 */
import { DynasqlError } from '../errors/index.js';
import type * as P from '../plan/index.js';
import { outputName } from '../plan/index.js';
import { castType, FUNCTIONS } from './functions.js';
import { likeToRegex } from './like-pattern.js';

export interface RenderedSql {
  sql: string;
  values: unknown[];
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

export class DuckDbRenderer {
  private readonly values: unknown[] = [];

  constructor(
    private readonly tableName: (scanId: number) => string,
    private readonly params: ReadonlyMap<string | number, unknown>,
  ) {}

  render(query: P.Query): RenderedSql {
    const sql = this.query(query);
    return { sql, values: this.values };
  }

  private bind(value: unknown): string {
    this.values.push(value instanceof Date ? value.toISOString() : value);
    return `$${this.values.length}`;
  }

  private query(query: P.Query): string {
    const withText = query.with.length > 0
      ? `WITH ${query.with.map((c) => `${quoteIdent(c.name)}${c.columns ? `(${c.columns.map(quoteIdent).join(', ')})` : ''} AS (${this.query(c.query)})`).join(', ')} `
      : '';
    if (query.kind === 'setop') {
      return `${withText}(${this.query(query.left)}) ${query.op} (${this.query(query.right)})${this.tail(query.orderBy, query.limit, query.offset)}`;
    }
    const parts = [`SELECT${query.distinct ? ' DISTINCT' : ''} ${query.columns.map((c, i) => this.selectItem(c, i)).join(', ')}`];
    if (query.from) parts.push(`FROM ${this.from(query.from)}`);
    if (query.where) parts.push(`WHERE ${this.expr(query.where)}`);
    if (query.groupBy.length > 0) parts.push(`GROUP BY ${query.groupBy.map((g) => this.expr(g)).join(', ')}`);
    if (query.having) parts.push(`HAVING ${this.expr(query.having)}`);
    return `${withText}${parts.join(' ')}${this.tail(query.orderBy, query.limit, query.offset)}`;
  }

  private tail(orderBy: P.OrderItem[], limit?: P.Expr, offset?: P.Expr): string {
    let out = '';
    if (orderBy.length > 0) out += ` ORDER BY ${orderBy.map((o) => this.orderItem(o)).join(', ')}`;
    if (limit) out += ` LIMIT ${this.rowCount(limit)}`;
    if (offset) out += ` OFFSET ${this.rowCount(offset)}`;
    return out;
  }

  private rowCount(expr: P.Expr): string {
    if (expr.kind === 'literal' && typeof expr.value === 'string' && /^\d+$/.test(expr.value)) return expr.value;
    if (expr.kind === 'param') {
      const n = Number(this.params.get(expr.ref));
      if (Number.isInteger(n) && n >= 0) return String(n);
    }
    throw new DynasqlError('DYNASQL_ERR_TYPE', 'TOP / LIMIT / OFFSET need a non-negative whole number');
  }

  private orderItem(item: P.OrderItem): string {
    const nulls = item.nulls ? ` NULLS ${item.nulls.toUpperCase()}` : '';
    return `${this.expr(item.expr)}${item.descending ? ' DESC' : ' ASC'}${nulls}`;
  }

  private selectItem(item: P.SelectItem, index: number): string {
    if (item.expr.kind === 'star') return item.expr.qualifier ? `${quoteIdent(item.expr.qualifier)}.*` : '*';
    return `${this.expr(item.expr)} AS ${quoteIdent(item.alias ?? outputName(item.expr, index))}`;
  }

  private from(from: P.FromRef): string {
    switch (from.kind) {
      case 'scan': return `${quoteIdent(this.tableName(from.scanId))} AS ${quoteIdent(from.alias)}`;
      case 'derived': return `(${this.query(from.query)}) AS ${quoteIdent(from.alias)}`;
      case 'cteRef': return from.alias === from.name ? quoteIdent(from.name) : `${quoteIdent(from.name)} AS ${quoteIdent(from.alias)}`;
      case 'join': {
        const on = from.on ? ` ON ${this.expr(from.on)}` : '';
        const type = from.type === 'CROSS' ? 'CROSS JOIN' : `${from.type === 'FULL' ? 'FULL OUTER' : from.type} JOIN`;
        return `${this.from(from.left)} ${type} ${this.from(from.right)}${on}`;
      }
    }
  }

  private expr(expr: P.Expr): string {
    switch (expr.kind) {
      case 'column':
        return expr.qualifier !== undefined && expr.qualifier !== '' ? `${quoteIdent(expr.qualifier)}.${quoteIdent(expr.name)}` : quoteIdent(expr.name);
      case 'literal':
        return this.literal(expr);
      case 'param':
        return this.bind(this.params.get(expr.ref) ?? null);
      case 'binary': {
        const left = this.expr(expr.left);
        const right = this.expr(expr.right);
        if (expr.op === '+' && (isString(expr.left) || isString(expr.right))) return `(${left} || ${right})`;
        if (expr.op === '/' && isInteger(expr.left) && isInteger(expr.right)) return `(${left} // ${right})`;
        return `(${left} ${expr.op} ${right})`;
      }
      case 'unary':
        return expr.op === 'NOT' ? `(NOT ${this.expr(expr.operand)})` : `(${expr.op}${this.expr(expr.operand)})`;
      case 'like': {
        const pattern = this.constantString(expr.pattern);
        if (pattern !== undefined && pattern.includes('[')) {
          // character classes: DuckDB's LIKE has none, its regular expressions do ('s': % and _ span newlines)
          const escape = expr.escape ? this.constantString(expr.escape) : undefined;
          const match = `regexp_full_match(${this.expr(expr.expr)}, ${this.bind(likeToRegex(pattern, escape))}, 'is')`;
          return expr.negated ? `(NOT ${match})` : match;
        }
        const escape = expr.escape ? ` ESCAPE ${this.expr(expr.escape)}` : '';
        return `(${this.expr(expr.expr)} ${expr.negated ? 'NOT ILIKE' : 'ILIKE'} ${this.expr(expr.pattern)}${escape})`;
      }
      case 'inList':
        return `(${this.expr(expr.expr)} ${expr.negated ? 'NOT IN' : 'IN'} (${expr.list.map((e) => this.expr(e)).join(', ')}))`;
      case 'inQuery':
        return `(${this.expr(expr.expr)} ${expr.negated ? 'NOT IN' : 'IN'} (${this.query(expr.query)}))`;
      case 'between':
        return `(${this.expr(expr.expr)} ${expr.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${this.expr(expr.low)} AND ${this.expr(expr.high)})`;
      case 'isNull':
        return `(${this.expr(expr.expr)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
      case 'exists':
        return `(${expr.negated ? 'NOT ' : ''}EXISTS (${this.query(expr.query)}))`;
      case 'case': {
        const operand = expr.operand ? ` ${this.expr(expr.operand)}` : '';
        const whens = expr.whens.map((w) => ` WHEN ${this.expr(w.when)} THEN ${this.expr(w.then)}`).join('');
        const otherwise = expr.else ? ` ELSE ${this.expr(expr.else)}` : '';
        return `(CASE${operand}${whens}${otherwise} END)`;
      }
      case 'cast':
        return `${expr.try ? 'TRY_CAST' : 'CAST'}(${this.expr(expr.expr)} AS ${castType(expr.type.name, expr.type.length, expr.type.precision, expr.type.scale)})`;
      case 'function':
        return this.call(expr);
      case 'subquery':
        return `(${this.query(expr.query)})`;
      case 'keyword':
        return `'${expr.word.replace(/[^a-z]/gi, '')}'`;
      case 'star':
        return '*';
    }
  }

  /** the text of a string literal or string parameter */
  private constantString(expr: P.Expr): string | undefined {
    if (expr.kind === 'literal' && expr.type === 'string') return String(expr.value);
    if (expr.kind === 'param') {
      const value = this.params.get(expr.ref);
      return typeof value === 'string' ? value : undefined;
    }
    return undefined;
  }

  private literal(expr: P.Literal): string {
    switch (expr.type) {
      case 'null': return 'NULL';
      case 'boolean': return expr.value ? 'TRUE' : 'FALSE';
      case 'number': {
        const text = String(expr.value);
        if (!NUMBER.test(text)) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `Invalid number ${text}`);
        return text;
      }
      case 'date': return `CAST(${this.bind(expr.value)} AS DATE)`;
      case 'timestamp': return `CAST(${this.bind(expr.value)} AS TIMESTAMP)`;
      case 'string': return this.bind(expr.value);
    }
  }

  private call(expr: P.Call): string {
    const render = FUNCTIONS[expr.name];
    if (!render) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unknown function ${expr.name}`);
    const keyword = expr.args[0]?.kind === 'keyword' ? expr.args[0].word : undefined;
    let args = expr.args.map((a) => this.expr(a));
    if (expr.star) args = ['*'];
    if (expr.distinct && args.length > 0) args = [`DISTINCT ${args[0]}`, ...args.slice(1)];
    let sql = render(args, keyword ? { keyword } : {});
    if (expr.over) {
      const partition = expr.over.partitionBy.length > 0 ? `PARTITION BY ${expr.over.partitionBy.map((e) => this.expr(e)).join(', ')}` : '';
      const order = expr.over.orderBy.length > 0 ? `ORDER BY ${expr.over.orderBy.map((o) => this.orderItem(o)).join(', ')}` : '';
      sql = `${sql} OVER (${[partition, order, expr.over.frame ?? ''].filter(Boolean).join(' ')})`;
    }
    if (expr.name === 'COUNT' || expr.name === 'COUNT_BIG') sql = `CAST(${sql} AS ${expr.name === 'COUNT' ? 'INTEGER' : 'BIGINT'})`;
    return sql;
  }
}

const STRING_FUNCTIONS = new Set(['UPPER', 'LOWER', 'LTRIM', 'RTRIM', 'TRIM', 'SUBSTRING', 'LEFT', 'RIGHT', 'REPLACE', 'CONCAT', 'REVERSE', 'REPLICATE', 'DATENAME']);

function isString(expr: P.Expr): boolean {
  if (expr.kind === 'literal') return expr.type === 'string';
  if (expr.kind === 'column') return expr.column?.edmType === 'Edm.String' || expr.column?.edmType === 'Edm.Guid' || (expr.column !== undefined && expr.column.kind !== 'data' && expr.column.kind !== 'lookup');
  if (expr.kind === 'function') return STRING_FUNCTIONS.has(expr.name);
  if (expr.kind === 'cast') return castType(expr.type.name) === 'VARCHAR';
  if (expr.kind === 'binary' && expr.op === '+') return isString(expr.left) || isString(expr.right);
  return false;
}

function isInteger(expr: P.Expr): boolean {
  if (expr.kind === 'literal') return expr.type === 'number' && /^\d+$/.test(String(expr.value));
  if (expr.kind === 'column') return ['Edm.Int32', 'Edm.Int16', 'Edm.Int64', 'Edm.Byte'].includes(expr.column?.edmType ?? '');
  return false;
}
