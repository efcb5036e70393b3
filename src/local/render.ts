/**
 * The logical query → DuckDB SQL, rendered from the binder's types so the engine computes what
 * T-SQL computes: integer division for integer types (`ABS(x) / 4`), exact decimals for money and
 * decimal arithmetic (division in scaled integers, never a float), every aggregate and function in
 * its T-SQL result type (plan/functions.ts holds each function's local form), string comparison that
 * ignores trailing blanks under the case-insensitive collation, and an error for a division by zero.
 *
 * Scans become the temp tables their rows were loaded into (`FROM account a` → `FROM "q1_scan_1" AS
 * "a"`); identifiers are always quoted. Literals and parameter values are written inline as typed
 * literals (`'O''Brien'`, `CAST('1.50' AS DECIMAL(3,2))`) through one escaping path, so equal
 * expressions render equally (`GROUP BY CHARINDEX('ro', name)` matches the select list), bytes as
 * `from_hex('0102ff')`; only a string holding NUL, which DuckDB literals cannot hold, is bound as `$n`.
 */
import { DynasqlError } from '../errors/index.js';
import type * as P from '../plan/index.js';
import { containsAggregate, datePart, functionDef, outputName, type LocalArg, type LocalForms } from '../plan/index.js';
import {
  BIGINT, BOOLEAN, DATETIME2, FLOAT, INT, asDecimal, comparisonType, isApproximate, isDateTime, isDecimal, isExactFraction, isInteger, isMoney, isNullType,
  isBinary, isNumeric, isString, isValueScaled, typeName, valueType, type SqlType,
} from '../types/index.js';
import { parseInterval } from '../util/index.js';
import { convertSql, duckType } from './conversions.js';
import { likeToRegex } from './like-pattern.js';
import { postgresQuotient, type UnscaledOperand } from './postgres-division.js';
import { longDivision, powerOfTen } from './scaled-division.js';

export interface RenderedSql {
  sql: string;
  values: unknown[];
}

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const UNKNOWN: SqlType = { name: 'unknown' };
const DIVIDE_BY_ZERO = "error('Divide by zero error encountered.')";

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** a DuckDB string literal: quotes doubled (DuckDB's standard strings have no other escapes) */
export function quoteText(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** an interval literal's canonical text (util/interval.ts) as a DuckDB interval, built from its three parts */
function intervalSql(text: string): string {
  const value = parseInterval(text);
  if (!value) throw new DynasqlError('DYNASQL_ERR_INTERNAL', `Unreadable interval literal ${text}`);
  return `(to_months(${value.months}) + to_days(${value.days}) + to_microseconds(CAST('${value.micros}' AS BIGINT)))`;
}

/** the level column and CTE name suffix of a limited recursive CTE (DuckDB's names, never the user's) */
const LEVEL_COLUMN = '__dynasql_level';
const LEVELS_SUFFIX = '__dynasql_levels';

/** the alias under which a FROM clause reads the CTE `name` */
function cteAlias(from: P.FromRef | undefined, name: string): string | undefined {
  if (!from) return undefined;
  if (from.kind === 'cteRef') return from.name.toLowerCase() === name.toLowerCase() ? from.alias : undefined;
  if (from.kind === 'join') return cteAlias(from.left, name) ?? cteAlias(from.right, name);
  return undefined;
}

/**
 * The output column an ORDER BY item names, by position in `outputs`, or -1: an output name alone
 * (the select list's name wins over a FROM column), or a whole number, which T-SQL and PostgreSQL
 * read as a position (`ORDER BY 2`).
 */
function outputPosition(e: P.Expr, outputs: string[]): number {
  if (e.kind === 'column' && !e.qualifier && e.scanId === undefined) return outputs.findIndex((name) => name.toLowerCase() === e.name.toLowerCase());
  if (e.kind === 'literal' && e.type === 'number' && /^\d+$/.test(String(e.value))) {
    const position = Number(e.value) - 1;
    return position < outputs.length ? position : -1;
  }
  return -1;
}

/** a type whose values T-SQL compares padded: strings with blanks, bytes with 0x00 bytes */
function padded(type: SqlType): boolean {
  return isString(type) || isBinary(type);
}

/**
 * A value as T-SQL compares, groups and sorts it: a string without its trailing blanks, bytes
 * without their trailing 0x00 bytes (0x01 = 0x0100 in SQL Server); other values as they are. The
 * pattern strips whole bytes only: a run of "00" reaching the end starts at an even offset.
 */
function comparisonKey(sql: string, type: SqlType): string {
  if (isString(type)) return `rtrim(${sql})`;
  if (isBinary(type)) return `from_hex(regexp_replace(hex(${sql}), '(00)+$', ''))`;
  return sql;
}

/** what an ORDER BY of a query may use: its output names and expressions by position, whether strings are trimmed */
interface OrderContext { outputs?: string[]; exprs?: P.Expr[]; trim: boolean }

export class DuckDbRenderer {
  private readonly values: unknown[] = [];
  /**
   * While the select list, HAVING and ORDER BY of a block that groups by strings are rendered: the
   * rendered string (and bytes) keys. The block groups by `rtrim(key)` ('a' and 'a ' are one group in T-SQL), so
   * a key used outside an aggregate is rendered `min(key)`, one of the group's spellings.
   */
  private groupKeys: ReadonlySet<string> | undefined;
  /** CTE names (lower case) read under another name while a recursive CTE's recursive part is rendered */
  private cteNames: ReadonlyMap<string, string> = new Map();

  constructor(
    private readonly tableName: (scanId: number) => string,
    private readonly params: ReadonlyMap<string | number, unknown>,
  ) {}

  render(query: P.Query): RenderedSql {
    const sql = this.query(query);
    return { sql, values: this.values };
  }

  private bind(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }

  private query(query: P.Query): string {
    const recursive = query.with.some((c) => c.recursive);
    const withText = query.with.length > 0
      ? `WITH ${recursive ? 'RECURSIVE ' : ''}${query.with.map((c) => this.cte(c)).join(', ')} `
      : '';
    if (query.kind === 'setop') return `${withText}${this.setOperation(query)}`;
    const outer = this.groupKeys;
    this.groupKeys = undefined;
    try {
      const from = query.from ? ` FROM ${this.from(query.from)}` : '';
      const where = query.where ? ` WHERE ${this.expr(query.where)}` : '';
      // SELECT DISTINCT over strings groups by the items instead, so trailing blanks do not tell rows apart
      const distinctAsGroups = query.distinct && query.groupBy.length === 0 && query.columns.some((c) => padded(c.expr.sqlType))
        && !query.columns.some((c) => c.expr.kind === 'star' || containsAggregate(c.expr));
      const groups = distinctAsGroups ? query.columns.map((c) => c.expr) : query.groupBy;
      const keys = groups.map((g) => ({ sql: this.expr(g), type: g.sqlType, string: padded(g.sqlType) }));
      const groupBy = keys.length > 0 ? ` GROUP BY ${keys.map((k) => comparisonKey(k.sql, k.type)).join(', ')}` : '';
      const stringKeys = new Set(keys.filter((k) => k.string).map((k) => k.sql));
      this.groupKeys = stringKeys.size > 0 ? stringKeys : undefined;
      const select = `SELECT${query.distinct && !distinctAsGroups ? ' DISTINCT' : ''} ${query.columns.map((c, i) => this.selectItem(c, i)).join(', ')}`;
      const having = query.having ? ` HAVING ${this.expr(query.having)}` : '';
      // a DISTINCT kept as DISTINCT sorts only by what it selects, so its strings are not trimmed there
      const exprs = query.columns.flatMap((c) => (c.expr.kind === 'star' ? c.expr.expansion ?? [] : [c.expr]));
      const order = { outputs: this.outputNamesOf(query), exprs, trim: !(query.distinct && !distinctAsGroups) };
      return `${withText}${select}${from}${where}${groupBy}${having}${this.tail(query.orderBy, order, query.limit, query.offset)}`;
    } finally {
      this.groupKeys = outer;
    }
  }

  private cte(c: P.Cte): string {
    const limit = c.recursive?.maxRecursion ?? 0;
    if (!c.recursive || limit === 0 || c.query.kind !== 'setop' || c.query.right.kind !== 'select') {
      return `${quoteIdent(c.name)}${c.columns ? `(${c.columns.map(quoteIdent).join(', ')})` : ''} AS (${this.query(c.query)})`;
    }
    return this.limitedRecursion(c, c.query, c.query.right, limit);
  }

  /**
   * A recursive CTE with T-SQL's recursion limit (MAXRECURSION n, 100 by default): the rows carry
   * their level (0 for the anchor's, one more per recursive step), the recursive part stops after
   * level n + 1, and reading a row of that level raises SQL Server's error (Msg 530), which
   * engine-error.ts reports as DYNASQL_ERR_MAX_RECURSION:
   *   "r_levels"("n", "level") AS (SELECT *, 0 FROM (anchor) UNION ALL SELECT n + 1, r.level + 1 FROM "r_levels" r WHERE … AND r.level <= n),
   *   "r"("n") AS (SELECT "n" FROM "r_levels" WHERE CASE WHEN "level" > n THEN error(…) ELSE TRUE END)
   */
  private limitedRecursion(c: P.Cte, body: P.SetOperation, member: P.Select, limit: number): string {
    const names = c.columns ?? this.outputNamesOf(body.left) ?? [];
    const levels = `${c.name}${LEVELS_SUFFIX}`;
    const alias = cteAlias(member.from, c.name) ?? c.name;
    const level: P.ColumnRef = { kind: 'column', name: LEVEL_COLUMN, qualifier: alias, sqlType: INT };
    const within: P.Expr = { kind: 'binary', op: '<=', left: level, right: { kind: 'literal', type: 'number', value: String(limit), sqlType: INT }, sqlType: BOOLEAN };
    const next: P.Expr = { kind: 'binary', op: '+', left: level, right: { kind: 'literal', type: 'number', value: '1', sqlType: INT }, sqlType: INT };
    const stepped: P.Select = {
      ...member,
      columns: [...member.columns, { expr: next, alias: LEVEL_COLUMN }],
      where: member.where ? { kind: 'binary', op: 'AND', left: member.where, right: within, sqlType: BOOLEAN } : within,
      outputTypes: [...member.outputTypes, INT],
    };
    const renamed = this.cteNames;
    this.cteNames = new Map(renamed).set(c.name.toLowerCase(), levels);
    let recursivePart: string;
    try {
      recursivePart = this.query(stepped);
    } finally {
      this.cteNames = renamed;
    }
    const anchor = `SELECT *, 0 AS ${quoteIdent(LEVEL_COLUMN)} FROM (${this.query(body.left)}) AS "anchor"`;
    const columns = names.map(quoteIdent).join(', ');
    const exhausted = quoteText(`The maximum recursion ${limit} has been exhausted before statement completion.`);
    const guard = `CASE WHEN ${quoteIdent(LEVEL_COLUMN)} > ${limit} THEN error(${exhausted}) ELSE TRUE END`;
    return `${quoteIdent(levels)}(${columns}, ${quoteIdent(LEVEL_COLUMN)}) AS ((${anchor}) UNION ALL (${recursivePart})), `
      + `${quoteIdent(c.name)}(${columns}) AS (SELECT ${columns} FROM ${quoteIdent(levels)} WHERE ${guard})`;
  }

  /** the output names of a query by position, or undefined when a `*` without its expansion makes positions unknown */
  private outputNamesOf(query: P.Query): string[] | undefined {
    if (query.kind === 'setop') return this.outputNamesOf(query.left);
    const names: string[] = [];
    for (const [i, c] of query.columns.entries()) {
      if (c.expr.kind !== 'star') names.push(c.alias ?? outputName(c.expr, i));
      else if (c.expr.expansion) names.push(...c.expr.expansion.map((e) => e.name));
      else return undefined;
    }
    return names;
  }

  private tail(orderBy: P.OrderItem[], order: OrderContext, limit?: P.Expr, offset?: P.Expr): string {
    let out = '';
    if (orderBy.length > 0) out += ` ORDER BY ${orderBy.map((o) => this.orderItem(o, order)).join(', ')}`;
    if (limit) out += ` LIMIT ${this.rowCount(limit)}`;
    if (offset) out += ` OFFSET ${this.rowCount(offset)}`;
    return out;
  }

  /**
   * UNION, INTERSECT, EXCEPT. Removing duplicates compares strings as T-SQL does (case and trailing
   * blanks ignored), which DuckDB's set operators do only for case: a UNION over strings becomes a
   * UNION ALL grouped by the trimmed strings, and INTERSECT / EXCEPT compare trimmed strings. Column
   * names come from the left query; a `*` there leaves the operator as DuckDB's.
   */
  private setOperation(query: P.SetOperation): string {
    const names = this.outputNamesOf(query);
    const strings = query.outputTypes.map((t) => padded(t));
    if (names && this.ordersByString(query, names)) return this.sortedSetOperation(query, names);
    const left = names ? this.armAsOutput(this.query(query.left), query, names) : this.query(query.left);
    const right = names ? this.armAsOutput(this.query(query.right), query, names) : this.query(query.right);
    const plainOrder = { outputs: names, trim: false };
    if (!names || !strings.some(Boolean) || query.op === 'UNION ALL') {
      return `(${left}) ${query.op} (${right})${this.tail(query.orderBy, plainOrder, query.limit, query.offset)}`;
    }
    const columns = names.map((_, i) => quoteIdent(`_${i + 1}`));
    const as = `AS "u"(${columns.join(', ')})`;
    if (query.op === 'UNION') {
      const select = columns.map((c, i) => `${strings[i] ? `min(${c})` : c} AS ${quoteIdent(names[i]!)}`).join(', ');
      const groupBy = columns.map((c, i) => comparisonKey(c, query.outputTypes[i]!)).join(', ');
      return `SELECT ${select} FROM ((${left}) UNION ALL (${right})) ${as} GROUP BY ${groupBy}${this.tail(query.orderBy, plainOrder, query.limit, query.offset)}`;
    }
    const trimmed = (sql: string) => `SELECT ${columns.map((c, i) => `${comparisonKey(c, query.outputTypes[i]!)} AS ${quoteIdent(names[i]!)}`).join(', ')} FROM (${sql}) ${as}`;
    return `(${trimmed(left)}) ${query.op} (${trimmed(right)})${this.tail(query.orderBy, plainOrder, query.limit, query.offset)}`;
  }

  /**
   * An arm of a set operation with its decimal columns cast to the operation's column type, as T-SQL
   * converts each arm: DuckDB's own common type of DECIMAL(19,4) and DECIMAL(38,1) keeps scale 1 and
   * would cut a money column the PostgreSQL dialect types as numeric of scale 4 (KNOWN #42).
   */
  private armAsOutput(sql: string, query: P.SetOperation, names: string[]): string {
    if (!query.outputTypes.some((t) => isDecimal(t))) return sql;
    const columns = names.map((_, i) => quoteIdent(`_${i + 1}`));
    const select = columns.map((c, i) => {
      const type = query.outputTypes[i]!;
      return `${isDecimal(type) ? `CAST(${c} AS ${duckType(type)})` : c} AS ${quoteIdent(names[i]!)}`;
    });
    return `SELECT ${select.join(', ')} FROM (${sql}) AS "u"(${columns.join(', ')})`;
  }

  /** whether an ORDER BY item of the set operation sorts by a string (an output column or an expression) */
  private ordersByString(query: P.SetOperation, names: string[]): boolean {
    return query.orderBy.some((o) => {
      const position = outputPosition(o.expr, names);
      return padded(position >= 0 ? query.outputTypes[position]! : o.expr.sqlType);
    });
  }

  /**
   * A set operation ordered by a string: DuckDB sorts a set operation's output only by its columns
   * as they are, so 'abc' and 'ABC ' would sort apart and the next key would not decide among them.
   * The operation becomes a derived table, sorted by the trimmed strings as a base column is
   * (`SELECT * FROM ((a) UNION (b)) AS "s"("u0", "u1") ORDER BY rtrim("u0"), 2`). Output names that
   * repeat are read as `_1`, `_2`, … inside and given their names back in the select list.
   */
  private sortedSetOperation(query: P.SetOperation, names: string[]): string {
    const inner = this.setOperation({ ...query, orderBy: [], limit: undefined, offset: undefined });
    const unique = new Set(names.map((n) => n.toLowerCase())).size === names.length;
    const columns = unique ? names : names.map((_, i) => `_${i + 1}`);
    const select = unique ? '*' : columns.map((c, i) => `${quoteIdent(c)} AS ${quoteIdent(names[i]!)}`).join(', ');
    const exprs: P.Expr[] = columns.map((name, i) => ({ kind: 'column', name, sqlType: query.outputTypes[i]! }));
    const order = { outputs: names, exprs, trim: true };
    return `SELECT ${select} FROM (${inner}) AS "s"(${columns.map(quoteIdent).join(', ')})${this.tail(query.orderBy, order, query.limit, query.offset)}`;
  }

  private rowCount(expr: P.Expr): string {
    if (expr.kind === 'literal' && typeof expr.value === 'string' && /^\d+$/.test(expr.value)) return expr.value;
    if (expr.kind === 'param') {
      const n = Number(this.params.get(expr.ref));
      if (Number.isInteger(n) && n >= 0) return String(n);
    }
    throw new DynasqlError('DYNASQL_ERR_TYPE', 'TOP / LIMIT / OFFSET need a non-negative whole number');
  }

  /**
   * An output column named alone sorts by its position: the select list's name wins over a FROM
   * column. Strings sort without their trailing blanks ('x' and 'X ' tie, as in T-SQL) where the
   * query allows an expression there.
   */
  private orderItem(item: P.OrderItem, order: OrderContext = { trim: true }): string {
    const nulls = item.nulls ? ` NULLS ${item.nulls.toUpperCase()}` : '';
    const e = item.expr;
    const position = order.outputs ? outputPosition(e, order.outputs) : -1;
    const target = position >= 0 ? order.exprs?.[position] : e;
    let key: string;
    if (order.trim && target && padded(target.sqlType)) key = comparisonKey(this.expr(target), target.sqlType);
    else key = position >= 0 ? String(position + 1) : this.expr(e);
    return `${key}${item.descending ? ' DESC' : ' ASC'}${nulls}`;
  }

  private selectItem(item: P.SelectItem, index: number): string {
    if (item.expr.kind === 'star') {
      // the columns one by one: the temp tables may hold more columns than the `*` stands for
      if (item.expr.expansion) return item.expr.expansion.map((c) => this.expr(c)).join(', ');
      return item.expr.qualifier ? `${quoteIdent(item.expr.qualifier)}.*` : '*';
    }
    return `${this.expr(item.expr)} AS ${quoteIdent(item.alias ?? outputName(item.expr, index))}`;
  }

  private from(from: P.FromRef): string {
    switch (from.kind) {
      case 'scan': return `${quoteIdent(this.tableName(from.scanId))} AS ${quoteIdent(from.alias)}`;
      case 'derived': return `(${this.query(from.query)}) AS ${quoteIdent(from.alias)}`;
      case 'cteRef': {
        // the recursive part of a limited recursive CTE reads the rows with their levels (limitedRecursion)
        const name = this.cteNames.get(from.name.toLowerCase()) ?? from.name;
        return from.alias === name ? quoteIdent(name) : `${quoteIdent(name)} AS ${quoteIdent(from.alias)}`;
      }
      case 'join': {
        // every ON condition may have gone to the service as a scan's $filter: `JOIN b ON b.id = @x`
        const on = from.on ? ` ON ${this.expr(from.on)}` : from.type === 'CROSS' ? '' : ' ON TRUE';
        const type = from.type === 'CROSS' ? 'CROSS JOIN' : `${from.type === 'FULL' ? 'FULL OUTER' : from.type} JOIN`;
        return `${this.from(from.left)} ${type} ${from.lateral ? 'LATERAL ' : ''}${this.from(from.right)}${on}`;
      }
    }
  }

  private arg(expr: P.Expr): LocalArg {
    return { sql: this.expr(expr), type: expr.sqlType };
  }

  private convert(arg: LocalArg, type: SqlType): string {
    if (isNullType(arg.type) && arg.sql === 'NULL') return duckType(type) ? `CAST(NULL AS ${duckType(type)})` : 'NULL';
    return convertSql(arg.sql, arg.type, type);
  }

  private expr(expr: P.Expr): string {
    const sql = this.node(expr);
    return this.groupKeys?.has(sql) ? `min(${sql})` : sql;
  }

  private node(expr: P.Expr): string {
    switch (expr.kind) {
      case 'column':
        return expr.qualifier !== undefined && expr.qualifier !== '' ? `${quoteIdent(expr.qualifier)}.${quoteIdent(expr.name)}` : quoteIdent(expr.name);
      case 'literal':
        return this.literal(expr);
      case 'param':
        return this.value(this.params.get(expr.ref) ?? null);
      case 'binary':
        return this.binary(expr);
      case 'unary': {
        if (expr.op === 'NOT') return `(NOT ${this.expr(expr.operand)})`;
        const operand = this.convert(this.arg(expr.operand), expr.sqlType);
        return `(${expr.op}${operand})`;
      }
      case 'like': {
        const value = isString(expr.expr.sqlType) ? this.expr(expr.expr) : this.convert(this.arg(expr.expr), { name: 'nvarchar' });
        const pattern = this.constantString(expr.pattern);
        if (pattern !== undefined && pattern.includes('[')) {
          // character classes: DuckDB's LIKE has none, its regular expressions do ('s': % and _ span newlines)
          const escape = expr.escape ? this.constantString(expr.escape) : undefined;
          const match = `regexp_full_match(${value}, ${quoteText(likeToRegex(pattern, escape))}, 'is')`;
          return expr.negated ? `(NOT ${match})` : match;
        }
        const escape = expr.escape ? ` ESCAPE ${this.expr(expr.escape)}` : '';
        return `(${value} ${expr.negated ? 'NOT ILIKE' : 'ILIKE'} ${this.expr(expr.pattern)}${escape})`;
      }
      case 'inList': {
        const type = expr.list.reduce((t, item) => comparisonType(t, item.sqlType), expr.expr.sqlType);
        const list = expr.list.map((e) => this.comparand(e, type));
        return `(${this.comparand(expr.expr, type)} ${expr.negated ? 'NOT IN' : 'IN'} (${list.join(', ')}))`;
      }
      case 'inQuery': {
        const inner = expr.query.outputTypes[0] ?? expr.expr.sqlType;
        const type = comparisonType(expr.expr.sqlType, inner);
        // the subquery's values are compared as they are: trimming them would need a projection of its own
        return `(${this.comparand(expr.expr, type, false)} ${expr.negated ? 'NOT IN' : 'IN'} (${this.query(expr.query)}))`;
      }
      case 'between': {
        const type = comparisonType(comparisonType(expr.expr.sqlType, expr.low.sqlType), expr.high.sqlType);
        return `(${this.comparand(expr.expr, type)} ${expr.negated ? 'NOT BETWEEN' : 'BETWEEN'} ${this.comparand(expr.low, type)} AND ${this.comparand(expr.high, type)})`;
      }
      case 'isNull':
        return `(${this.expr(expr.expr)} IS ${expr.negated ? 'NOT ' : ''}NULL)`;
      case 'exists':
        return `(${expr.negated ? 'NOT ' : ''}EXISTS (${this.query(expr.query)}))`;
      case 'case': {
        let operand = '';
        let whenType: SqlType | undefined;
        if (expr.operand) {
          whenType = expr.whens.reduce((t, w) => comparisonType(t, w.when.sqlType), expr.operand.sqlType);
          operand = ` ${this.comparand(expr.operand, whenType)}`;
        }
        const whens = expr.whens.map((w) => {
          const condition = whenType ? this.comparand(w.when, whenType) : this.expr(w.when);
          return ` WHEN ${condition} THEN ${this.convert(this.arg(w.then), expr.sqlType)}`;
        }).join('');
        const otherwise = expr.else ? ` ELSE ${this.convert(this.arg(expr.else), expr.sqlType)}` : '';
        return `(CASE${operand}${whens}${otherwise} END)`;
      }
      case 'cast': {
        const inner = this.arg(expr.expr);
        const converted = convertSql(inner.sql, isString(inner.type) && isString(expr.sqlType) ? UNKNOWN : inner.type, expr.sqlType, expr.try);
        return converted === inner.sql ? `CAST(${inner.sql} AS ${duckType(expr.sqlType)})` : converted;
      }
      case 'function':
        return this.call(expr);
      case 'subquery':
        return `(${this.query(expr.query)})`;
      case 'keyword':
        return quoteText(expr.word.replace(/[^a-z_]/gi, ''));
      case 'star':
        return '*';
    }
  }

  /**
   * One side of a comparison made in `type`: converted when it is of another kind (a string compared
   * with a date becomes a date), and for strings without trailing blanks: T-SQL pads the shorter
   * string with blanks, so 'a' = 'a ' (the case-insensitive collation is DuckDB's default).
   */
  private comparand(expr: P.Expr, type: SqlType, trim = true): string {
    if (isString(type) && isString(expr.sqlType)) return trim ? this.trimmed(expr) : this.expr(expr);
    if (isBinary(type) && isBinary(expr.sqlType)) return trim ? comparisonKey(this.expr(expr), type) : this.expr(expr);
    const sameKind = (isNumeric(type) && isNumeric(expr.sqlType)) || (isDateTime(type) && isDateTime(expr.sqlType)) || typeName(type) === typeName(expr.sqlType);
    if (sameKind || isNullType(expr.sqlType)) return this.expr(expr);
    return this.convert(this.arg(expr), type);
  }

  /** a string without its trailing blanks (a constant is trimmed here, not by the engine) */
  private trimmed(expr: P.Expr): string {
    const constant = expr.kind === 'literal' && expr.type === 'string' ? String(expr.value)
      : expr.kind === 'param' && typeof this.params.get(expr.ref) === 'string' ? String(this.params.get(expr.ref)) : undefined;
    if (constant !== undefined) return quoteText(constant.replace(/ +$/, ''));
    return `rtrim(${this.expr(expr)})`;
  }

  private binary(expr: P.Binary): string {
    const { op, left, right } = expr;
    switch (op) {
      case 'AND': case 'OR':
        return `(${this.expr(left)} ${op} ${this.expr(right)})`;
      case '=': case '<>': case '<': case '<=': case '>': case '>=': {
        const type = comparisonType(left.sqlType, right.sqlType);
        return `(${this.comparand(left, type)} ${op} ${this.comparand(right, type)})`;
      }
      case '||':
        // PostgreSQL's bytea || bytea appends the bytes (bind typed it varbinary)
        if (isBinary(expr.sqlType)) return `(${this.expr(left)} || ${this.expr(right)})`;
        return `(${this.convert(this.arg(left), { name: 'nvarchar' })} || ${this.convert(this.arg(right), { name: 'nvarchar' })})`;
      default:
        return this.arithmetic(op, left, right, expr.sqlType);
    }
  }

  private arithmetic(op: '+' | '-' | '*' | '/' | '%', left: P.Expr, right: P.Expr, type: SqlType): string {
    const l = this.arg(left);
    const r = this.arg(right);
    if (isString(type)) return `(${this.convert(l, type)} || ${this.convert(r, type)})`;
    if (isBinary(type)) return `(${l.sql} || ${r.sql})`;
    if (typeName(type) === 'interval' || typeName(l.type) === 'interval' || typeName(r.type) === 'interval' || (typeName(l.type) === 'date' && typeName(r.type) === 'date')) {
      return this.intervalArithmetic(op, l, r, type);
    }
    if (isDateTime(type)) return this.dateArithmetic(op, l, r, type);
    if (op === '/') return this.divide(l, r, type, 'error');
    if (op === '%') {
      const [a, b] = [this.operand(l, type), this.operand(r, type)];
      return this.convert({ sql: `(CASE WHEN ${b} = 0 THEN ${DIVIDE_BY_ZERO} ELSE ${a} % ${b} END)`, type: UNKNOWN }, type);
    }
    if (op === '*' && isExactFraction(type)) return this.convert({ sql: this.decimalProduct(l, r, type), type: UNKNOWN }, type);
    return this.convert({ sql: `(${this.operand(l, type)} ${op} ${this.operand(r, type)})`, type: UNKNOWN }, type);
  }

  /**
   * `a * b` of decimals. T-SQL multiplies exactly (scale s1 + s2) and then cuts the scale to fit 38
   * digits (`decimal(30,20) * decimal(30,20)` is decimal(38,17)); DuckDB refuses a product whose scale
   * passes 38. There each operand is first rounded so their scales add up to the result's scale, which
   * leaves the result's integral digits free: the product is exact when the operands' decimals fit
   * (1.5 * 2.25), and its last digits can differ from SQL Server's when both carry more.
   */
  private decimalProduct(l: LocalArg, r: LocalArg, type: SqlType): string {
    const [a, b] = [this.operand(l, type), this.operand(r, type)];
    const own = (arg: LocalArg) => asDecimal(isNullType(arg.type) || isString(arg.type) ? type : arg.type);
    const [x, y] = [own(l), own(r)];
    if (x.scale + y.scale <= 38) return `(${a} * ${b})`;
    const target = type.scale ?? 0;
    const yScale = Math.min(y.scale, Math.max(Math.floor(target / 2), target - x.scale));
    const xScale = Math.min(x.scale, target - yScale);
    const fitted = (sql: string, d: { precision: number; scale: number }, scale: number) =>
      (scale === d.scale ? sql : `CAST(${sql} AS DECIMAL(${Math.min(38, d.precision - d.scale + scale)},${scale}))`);
    return `(${fitted(a, x, xScale)} * ${fitted(b, y, yScale)})`;
  }

  /**
   * PostgreSQL's date arithmetic (types/operators.ts): timestamp ± interval, timestamp − timestamp
   * (an interval), date − date (whole days), interval ± interval. DuckDB adds months first and clamps
   * the day to the month's end, as PostgreSQL does.
   */
  private intervalArithmetic(op: '+' | '-' | '*' | '/' | '%', l: LocalArg, r: LocalArg, type: SqlType): string {
    if (typeName(type) === 'interval' && isDateTime(l.type) && isDateTime(r.type)) {
      const both = typeName(l.type) === 'datetimeoffset' && typeName(r.type) === 'datetimeoffset' ? l.type : DATETIME2;
      return `(${this.convert(l, both)} - ${this.convert(r, both)})`;
    }
    if (typeName(l.type) === 'date' && typeName(r.type) === 'date') return `CAST((${l.sql} - ${r.sql}) AS INTEGER)`;
    const side = (arg: LocalArg) => (typeName(arg.type) === 'interval' ? arg.sql : this.convert(arg, type));
    return `(${side(l)} ${op} ${side(r)})`;
  }

  /** an operand of arithmetic done in `type`: a decimal enters with its own precision and scale (money (19,4), int (10,0)) */
  private operand(arg: LocalArg, type: SqlType): string {
    if (isExactFraction(type) && !isApproximate(arg.type)) {
      const own = isNullType(arg.type) ? type : arg.type;
      const { precision, scale } = asDecimal(isString(own) ? type : own);
      return convertSql(arg.sql, UNKNOWN, { name: 'decimal', precision, scale });
    }
    return this.convert(arg, type);
  }

  /**
   * `left / right` in the result type, with T-SQL's divide-by-zero error (`onZero: 'null'` for AVG,
   * whose count is zero only when its sum is NULL). Integers divide with truncation; decimals are
   * divided exactly as scaled integers (a decimal quotient is cut to its scale; money's is rounded to
   * 4 places), because DuckDB's decimal division gives a float. The PostgreSQL dialect's numeric
   * quotient (value-scaled) gets PostgreSQL's scale per value and is rounded (postgres-division.ts).
   */
  private divide(l: LocalArg, r: LocalArg, type: SqlType, onZero: 'error' | 'null'): string {
    const divisor = this.operand(r, isExactFraction(type) ? r.type : type);
    const guard = (body: string) => `(CASE WHEN ${divisor} = 0 THEN ${onZero === 'error' ? DIVIDE_BY_ZERO : 'NULL'} ELSE ${body} END)`;
    if (isInteger(type)) return this.convert({ sql: guard(`${this.operand(l, type)} // ${this.operand(r, type)}`), type: UNKNOWN }, type);
    if (isApproximate(type) || !isExactFraction(type)) return this.convert({ sql: guard(`${this.convert(l, FLOAT)} / ${this.convert(r, FLOAT)}`), type: UNKNOWN }, type);
    if (isValueScaled(type)) {
      const operand = (arg: LocalArg): UnscaledOperand => {
        const digits = this.unscaled(arg, type);
        return { sql: digits.sql, scale: digits.scale, valueScaled: isValueScaled(arg.type) };
      };
      return this.convert({ sql: guard(postgresQuotient(operand(l), operand(r), type.scale ?? 0)), type: UNKNOWN }, type);
    }
    const a = this.unscaled(l, type);
    const b = this.unscaled(r, type);
    const round = isMoney(type);
    const target = (type.scale ?? 0) + (round ? 1 : 0);
    const k = target - a.scale + b.scale;
    let quotient: string;
    // HUGEINT holds 38 digits: within them a·10^k and b·10^−k are exact; past them the quotient is long division
    if (k >= 0) quotient = a.digits + k <= 38 ? `((${a.sql} * ${powerOfTen(k)}) // ${b.sql})` : longDivision(a.sql, b.sql, k);
    else quotient = b.digits - k <= 38 ? `(${a.sql} // (${b.sql} * ${powerOfTen(-k)}))` : `((${a.sql} // ${powerOfTen(-k)}) // ${b.sql})`;
    if (round) quotient = `((${quotient} + CASE WHEN ${quotient} < 0 THEN -5 ELSE 5 END) // 10)`;
    const scale = type.scale ?? 0;
    const value = scale === 0 ? `CAST(${quotient} AS DECIMAL(38,0))`
      : `(CAST(${quotient} AS DECIMAL(38,0)) * CAST('${(1 / 10 ** scale).toFixed(scale)}' AS DECIMAL(38,${scale})))`;
    return this.convert({ sql: guard(value), type: UNKNOWN }, type);
  }

  /**
   * An exact number's digits as a HUGEINT and the scale they are written at, for dividing in `type`: an
   * integer as it is, a decimal (money) at its own scale, a value of unknown type at the result's.
   */
  private unscaled(arg: LocalArg, type: SqlType): { sql: string; scale: number; digits: number } {
    const own = isNullType(arg.type) || isString(arg.type) || isApproximate(arg.type) ? { name: 'decimal', precision: 38, scale: type.scale ?? 0 } : arg.type;
    const { precision: digits, scale } = asDecimal(own);
    if (isInteger(own)) return { sql: `CAST(${arg.sql} AS HUGEINT)`, scale: 0, digits };
    // the unscaled digits read from the decimal's text: multiplying by 10^scale in DECIMAL(38,scale) would
    // overflow once the integral digits pass 38 − 2·scale (a SUM of decimal(38,16) values past 10^6)
    return { sql: `CAST(replace(CAST(CAST(${arg.sql} AS DECIMAL(38,${scale})) AS VARCHAR), '.', '') AS HUGEINT)`, scale, digits };
  }

  /** datetime ± a number of days (T-SQL); date ± whole days (PostgreSQL) */
  private dateArithmetic(op: '+' | '-' | '*' | '/' | '%', l: LocalArg, r: LocalArg, type: SqlType): string {
    const [date, days] = isDateTime(l.type) ? [l, r] : [r, l];
    if (isDateTime(days.type)) {
      // datetime - datetime: the difference counted from 1900-01-01, as T-SQL's datetime arithmetic does
      return `CAST(TIMESTAMP '1900-01-01' + (${this.convert(l, type)} - ${this.convert(r, type)}) AS TIMESTAMP)`;
    }
    const sign = op === '-' ? '-' : '+';
    if (typeName(type) === 'date') return `CAST(${date.sql} ${sign} to_days(${this.convert(days, { name: 'int' })}) AS DATE)`;
    const micros = `CAST(round(${this.convert(days, FLOAT)} * 86400000000) AS BIGINT)`;
    return this.convert({ sql: `(${this.convert(date, type)} ${sign} to_microseconds(${micros}))`, type: UNKNOWN }, type);
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
        const type = expr.sqlType;
        if (typeName(type) === 'int' && /^\d+$/.test(text)) return text.replace(/^0+(?=\d)/, '');
        return `CAST(${quoteText(text)} AS ${duckType(type)})`;
      }
      case 'date': return `CAST(${quoteText(String(expr.value))} AS DATE)`;
      case 'timestamp': return `CAST(${quoteText(String(expr.value))} AS TIMESTAMP)`;
      case 'string': return this.text(String(expr.value));
      case 'interval': return intervalSql(String(expr.value));
    }
  }

  /** a string as an inline literal; a NUL character (which DuckDB literals cannot hold) goes as a bound value */
  private text(value: string): string {
    return value.includes('\u0000') ? this.bind(value) : quoteText(value);
  }

  /** a parameter value as a typed inline literal */
  private value(value: unknown): string {
    if (value === null || value === undefined) return 'NULL';
    if (typeof value === 'string') return this.text(value);
    if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
    if (typeof value === 'bigint') return `CAST(${quoteText(String(value))} AS BIGINT)`;
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new DynasqlError('DYNASQL_ERR_PARAMETER', `The parameter value ${value} is not a finite number`);
      return `CAST(${quoteText(String(value))} AS ${duckType(valueType(value))})`;
    }
    if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) throw new DynasqlError('DYNASQL_ERR_PARAMETER', 'A date parameter holds an invalid date');
      return `CAST(${quoteText(value.toISOString().replace('T', ' ').replace('Z', ''))} AS TIMESTAMP)`;
    }
    // bytes as hex digits, so a varbinary parameter is a literal like any other (`GROUP BY @p` matches)
    if (value instanceof Uint8Array) return `from_hex(${quoteText(Buffer.from(value).toString('hex'))})`;
    return this.bind(value);
  }

  private call(expr: P.Call): string {
    const def = functionDef(expr.name);
    if (!def) throw new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unknown function ${expr.name}`);
    const keyword = def.datePart && expr.args[0]?.kind === 'keyword' ? expr.args[0].word : undefined;
    // an aggregate's arguments are the rows' own values: the grouping keys are not replaced in them
    const grouped = this.groupKeys;
    if (def.kind === 'aggregate' && !expr.over) this.groupKeys = undefined;
    let args: LocalArg[];
    let orderBy: string | undefined;
    try {
      args = (keyword !== undefined ? expr.args.slice(1) : expr.args).map((a) => this.arg(a));
      if (expr.withinGroup) orderBy = `ORDER BY ${expr.withinGroup.map((o) => this.orderItem(o)).join(', ')}`;
    } finally {
      this.groupKeys = grouped;
    }
    let over = '';
    if (expr.over) {
      const partition = expr.over.partitionBy.length > 0 ? `PARTITION BY ${expr.over.partitionBy.map((e) => this.expr(e)).join(', ')}` : '';
      const order = expr.over.orderBy.length > 0 ? `ORDER BY ${expr.over.orderBy.map((o) => this.orderItem(o)).join(', ')}` : '';
      over = ` OVER (${[partition, order, expr.over.frame ?? ''].filter(Boolean).join(' ')})`;
    }
    const forms: LocalForms = {
      convert: (arg, type) => this.convert(arg, type),
      divide: (left, right, result) => this.divide(left, right, result, 'null'),
      text: (value) => this.text(value),
      call: (name, callArgs) => `${name}(${callArgs})${over}`,
    };
    return def.local({
      args, part: keyword !== undefined ? datePart(keyword) : undefined, distinct: expr.distinct, star: expr.star, result: expr.sqlType, orderBy, forms,
    });
  }
}

