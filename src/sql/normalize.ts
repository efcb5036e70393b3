/**
 * node-sql-parser's dialect-specific AST → dynasql's one AST (ast.ts). Everything the parser
 * produces passes through here; a shape we do not understand is an UNSUPPORTED_SQL error, never a
 * guess. Dialect differences handled here, each seen in real output (npm-notes §2):
 * - PostgreSQL wraps column names as `{expr:{type:'default'|'double_quote_string', value}}`.
 * - T-SQL reads `@name` as a column reference; it is a parameter.
 * - T-SQL reads a bare `"name"` as a string; SQL Server's default (QUOTED_IDENTIFIER ON) makes it an
 *   identifier, so we do too.
 * - String literal values are never the parser's: string-literals.ts reads them from the text and puts
 *   them back into the AST before it gets here.
 */
import { DynasqlError } from '../errors/index.js';
import { STATEMENT_TIME, canonicalInterval, parseInterval } from '../util/index.js';
import { restoreNumber } from './exact-numbers.js';
import { NO_FETCH_LIMIT } from './row-limits.js';
import { fields, take } from './consume.js';
import { DISTINCT_AGGREGATE_PREFIX } from './distinct-aggregates.js';
import { DISTINCT_FROM_FUNCTION, NOT_DISTINCT_FROM_FUNCTION, SYMMETRIC_FUNCTION } from './operator-rewrites.js';
import { ARGUMENTLESS_WINDOW_PREFIX, COUNT_BIG_STAR_FUNCTION, ESCAPE_FUNCTION, ORDERED_STRING_AGG_FUNCTION, TRY_FUNCTION } from './marker-calls.js';
import { positionAt } from './position.js';
import { spanAt } from './quoting.js';
import { statementRefusal } from './statement-forms.js';
import type {
  BinaryOp, Cte, Expr, FromItem, JoinType, OrderItem, Query, Select, SelectItem, SetOperator, TypeName, WindowSpec,
} from './ast.js';

export type ParserDialect = 'tsql' | 'postgresql';

/* eslint-disable @typescript-eslint/no-explicit-any -- the parser's output is untyped JSON */
type Raw = any;

/** a query node-sql-parser read in parts: `raws[0] ops[0] raws[1] …` (one AST and no operator when it read it whole) */
export interface RawSetOperation { raws: Raw[]; ops: SetOperator[] }

function unsupported(what: string): DynasqlError {
  return new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `Unsupported SQL: ${what}`);
}

const BINARY_OPS: Record<string, BinaryOp> = {
  '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=', AND: 'AND', OR: 'OR',
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '||': '||',
};

const DATE_PARTS = new Set([
  'year', 'yy', 'yyyy', 'quarter', 'qq', 'q', 'month', 'mm', 'm', 'dayofyear', 'dy', 'y', 'day', 'dd', 'd', 'week', 'wk', 'ww',
  'weekday', 'dw', 'hour', 'hh', 'minute', 'mi', 'n', 'second', 'ss', 's', 'millisecond', 'ms',
]);
const DATE_PART_FUNCTIONS = new Set(['DATEADD', 'DATEDIFF', 'DATEDIFF_BIG', 'DATEPART', 'DATENAME', 'DATETRUNC', 'DATE_PART', 'DATE_TRUNC']);

/* Fields of node-sql-parser's nodes the normaliser reads (consume.ts): anything else written is refused. */
const SELECT_FIELDS = fields('type', 'with', 'distinct', 'columns', 'from', 'where', 'groupby', 'having', 'orderby', 'top', 'limit', 'into', '_next', 'set_op', 'parentheses', '_parentheses');
const SELECT_ITEM_FIELDS = fields('type', 'expr', 'as');
const ORDER_ITEM_FIELDS = fields('expr', 'type', 'nulls');
const FROM_ITEM_FIELDS = fields('type', 'db', 'schema', 'table', 'as', 'join', 'on', 'using', 'table_hint', 'expr', 'parentheses', 'prefix', 'operator');
const PIVOT_FIELDS = fields('type', 'expr', 'column', 'in_expr', 'as');
const PIVOT_IN_FIELDS = fields('op', 'right');
const COLUMN_FIELDS = fields('type', 'table', 'db', 'schema', 'column', 'parentheses');
const FUNCTION_FIELDS = fields('type', 'name', 'args', 'over', 'parentheses', 'args_parentheses');
const WINDOW_FUNCTION_FIELDS = fields('type', 'name', 'args', 'over', 'parentheses');
const AGGREGATE_FIELDS = fields('type', 'name', 'args', 'over', 'parentheses');
const AGGREGATE_ARGS_FIELDS = fields('expr', 'distinct', 'separator');
/** PostgreSQL `string_agg(x, ', ' ORDER BY y)`: the order inside the aggregate */
const ORDERED_AGGREGATE_ARGS_FIELDS = fields('expr', 'distinct', 'separator', 'orderby');
/** T-SQL `STRING_AGG(x, ', ') WITHIN GROUP (ORDER BY y)` (marker-calls.ts) */
const ORDERED_STRING_AGG_FIELDS = fields('type', 'name', 'args', 'parentheses', 'args_parentheses', 'within_group');
const WITHIN_GROUP_FIELDS = fields('type', 'keyword', 'orderby');
const OPERATOR_FIELDS = fields('type', 'operator', 'left', 'right', 'expr', 'parentheses');
const CASE_FIELDS = fields('type', 'expr', 'args', 'parentheses');
const WHEN_FIELDS = fields('type', 'cond', 'result');
const CAST_FIELDS = fields('type', 'keyword', 'expr', 'symbol', 'target', 'parentheses');
const CAST_TARGET_FIELDS = fields('dataType', 'length', 'scale', 'parentheses');
const OVER_FIELDS = fields('type', 'as_window_specification');
const WINDOW_FIELDS = fields('window_specification', 'parentheses');
const WINDOW_SPEC_FIELDS = fields('partitionby', 'orderby', 'window_frame_clause');
const CTE_FIELDS = fields('name', 'stmt', 'columns', 'recursive');
const LIMIT_FIELDS = fields('seperator', 'value', 'fetch', 'offset');
const TOP_FIELDS = fields('value', 'percent', 'parentheses');
const GROUP_BY_FIELDS = fields('columns');
const INTERVAL_FIELDS = fields('type', 'expr', 'unit', 'parentheses');
const EXTRACT_FIELDS = fields('type', 'args');

/**
 * PostgreSQL's clock functions: all read the statement's one instant (util/statement-time.ts), so
 * `now()` is the same everywhere in a statement and a filter on it can be sent to the service.
 * current_date is that instant's date in UTC (the session time zone the adapter reports).
 */
const STATEMENT_TIME_FUNCTIONS = new Set(['NOW', 'CURRENT_TIMESTAMP', 'TRANSACTION_TIMESTAMP', 'STATEMENT_TIMESTAMP', 'CURRENT_DATE']);

/**
 * T-SQL's clock functions read the same instant, as the type each returns: `GETDATE()` is
 * `CAST(<statement instant> AS datetime)`, so `createdon >= CAST(GETDATE() AS DATE)` is a constant
 * the service can compare with. The instant is UTC, as the local engine's clock was.
 */
const TSQL_STATEMENT_TIME_FUNCTIONS: Readonly<Record<string, string>> = {
  GETDATE: 'DATETIME', CURRENT_TIMESTAMP: 'DATETIME', GETUTCDATE: 'DATETIME', SYSDATETIME: 'DATETIME2', SYSUTCDATETIME: 'DATETIME2', SYSDATETIMEOFFSET: 'DATETIMEOFFSET',
};

/**
 * Read hints that only ask a SQL Server not to take shared locks (`WITH (NOLOCK)`, `(NOLOCK)`): a
 * read from Dynamics takes no locks, so they are accepted and have no effect (docs/sql-reference).
 * Any other table hint is refused.
 */
const NO_LOCK_HINTS = new Set(['NOLOCK', 'READUNCOMMITTED']);

export class Normalizer {
  /** parameters in first-appearance order */
  readonly params: (string | number)[] = [];

  /**
   * @param exact decimal literals node-sql-parser rounded, by its rounded text (exact-numbers.ts);
   *   undefined for the usual statement, which has none
   */
  constructor(
    private readonly dialect: ParserDialect,
    private readonly exact?: ReadonlyMap<string, string>,
    /** the user's text, for the position of errors found here */
    private readonly sourceText?: string,
    /** set operations in parentheses read on their own, by the placeholder table standing for each (set-operations.ts) */
    private readonly groups?: ReadonlyMap<string, RawSetOperation>,
  ) {}

  query(raw: Raw): Query {
    if (!raw || typeof raw !== 'object') throw unsupported('empty statement');
    const group = this.placeholderGroup(raw);
    if (group) return group.ops.length > 0 ? this.setOperations(group.raws, group.ops) : this.query(group.raws[0]);
    if (raw.type !== 'select') throw unsupported(statementRefusal(String(raw.type ?? 'unknown')));
    // `a UNION ALL b EXCEPT c`: a chain through `_next`, each link naming its operator in `set_op`
    const parts: Raw[] = [raw];
    const ops: SetOperator[] = [];
    for (let node = raw; node._next; node = node._next) {
      take(node, 'SELECT', SELECT_FIELDS);
      const op = String(node.set_op ?? 'union').toUpperCase().replace(/\s+/g, ' ');
      if (!['UNION', 'UNION ALL', 'EXCEPT', 'INTERSECT', 'UNION DISTINCT'].includes(op)) throw unsupported(`set operator ${op}; use UNION [ALL], EXCEPT or INTERSECT`);
      ops.push((op === 'UNION DISTINCT' ? 'UNION' : op) as SetOperator);
      parts.push(node._next);
    }
    return this.setOperations(parts, ops);
  }

  /**
   * Selects joined by set operators, as written: `parts[0] ops[0] parts[1] …`. INTERSECT binds
   * tighter than UNION and EXCEPT, which go left to right (T-SQL and PostgreSQL alike):
   * `a UNION b INTERSECT c` is `a UNION (b INTERSECT c)`. The CTEs of the first part and the ORDER
   * BY / row limits of the last belong to the whole.
   */
  setOperations(parts: Raw[], ops: SetOperator[]): Query {
    const withs: Cte[] = (parts[0].with ?? []).map((w: Raw) => this.cte(w));
    const selects = parts.map((p) => this.select(p));
    if (selects.length === 1) {
      selects[0]!.with = withs;
      return selects[0]!;
    }
    const last = selects[selects.length - 1]!;
    const tail = { orderBy: last.orderBy, limit: last.limit, offset: last.offset };
    selects[selects.length - 1] = { ...last, orderBy: [], limit: undefined, offset: undefined };
    for (const inner of selects.slice(0, -1)) {
      if (inner.orderBy.length > 0 || inner.limit || inner.offset) throw unsupported('ORDER BY or a row limit inside a set operation; put the part in a derived table: SELECT * FROM (SELECT TOP (n) … ORDER BY …) AS t');
    }
    // INTERSECT first, then the rest left to right
    const operands: Query[] = [selects[0]!];
    const rest: SetOperator[] = [];
    ops.forEach((op, k) => {
      const right = selects[k + 1]!;
      if (op === 'INTERSECT') {
        operands[operands.length - 1] = this.setop('INTERSECT', operands[operands.length - 1]!, right);
      } else {
        operands.push(right);
        rest.push(op);
      }
    });
    let query = operands[0]!;
    rest.forEach((op, k) => {
      query = this.setop(op, query, operands[k + 1]!);
    });
    if (query.kind === 'select') {
      Object.assign(query, tail);
      query.with = withs;
      return query;
    }
    return { ...query, with: withs, orderBy: tail.orderBy, limit: tail.limit, offset: tail.offset };
  }

  /** the group a `SELECT * FROM __DYNASQL_SETOP_<n>` placeholder stands for */
  private placeholderGroup(raw: Raw): RawSetOperation | undefined {
    if (!this.groups || raw.type !== 'select' || raw._next || !Array.isArray(raw.from) || raw.from.length !== 1) return undefined;
    const table = raw.from[0]?.table;
    return typeof table === 'string' ? this.groups.get(table.toUpperCase()) : undefined;
  }

  private setop(op: SetOperator, left: Query, right: Query): Query {
    return { kind: 'setop', with: [], op, left, right, orderBy: [] };
  }

  private cte(w: Raw): Cte {
    take(w, 'WITH', CTE_FIELDS);
    const name = typeof w.name === 'string' ? w.name : w.name?.value;
    if (!name) throw unsupported('a CTE without a name; write WITH name AS (SELECT …)');
    // `WITH c (a, b) AS …`: the names come as strings or as column references
    const cols = w.columns ? (w.columns as Raw[]).map((c) => this.columnName(c?.type === 'column_ref' ? c.column : c)) : undefined;
    const query = this.query(w.stmt?.ast ?? w.stmt);
    return w.recursive ? { name, columns: cols, query, recursive: true } : { name, columns: cols, query };
  }

  private select(raw: Raw): Select {
    if (raw.type !== 'select') throw unsupported(`${String(raw.type).toUpperCase()} inside WITH; a CTE holds a SELECT (run the write as its own statement)`);
    take(raw, 'SELECT', SELECT_FIELDS);
    if (raw.into && raw.into.position) throw unsupported('SELECT … INTO, which creates a table; to copy rows into an existing table write INSERT INTO table (columns) SELECT …; temporary tables (SELECT … INTO #name) are not kept by the library or the REPL: use a CTE or a derived table');
    if (raw.distinct?.type && raw.distinct.type !== 'DISTINCT') throw unsupported(`${String(raw.distinct.type)}; use DISTINCT, or ROW_NUMBER() OVER (PARTITION BY …) = 1 in a derived table`);
    if (raw.groupby && !Array.isArray(raw.groupby)) take(raw.groupby, 'GROUP BY', GROUP_BY_FIELDS);
    if (raw.top) take(raw.top, 'TOP', TOP_FIELDS);
    if (raw.limit) take(raw.limit, 'LIMIT', LIMIT_FIELDS);
    const groupCols = raw.groupby?.columns ?? (Array.isArray(raw.groupby) ? raw.groupby : null);
    // every clause in one literal, each in the order it was always normalised (parameters are numbered in that order)
    const select: Select = {
      kind: 'select',
      with: raw.with ? (raw.with as Raw[]).map((w) => this.cte(w)) : [],
      distinct: raw.distinct === 'DISTINCT' || raw.distinct?.type === 'DISTINCT',
      columns: this.columns(raw.columns),
      from: raw.from ? this.from(raw.from) : undefined,
      where: raw.where ? this.expr(raw.where) : undefined,
      groupBy: groupCols ? (groupCols as Raw[]).map((g) => this.expr(g)) : [],
      having: raw.having ? this.expr(Array.isArray(raw.having) ? raw.having[0] : raw.having) : undefined,
      orderBy: raw.orderby ? (raw.orderby as Raw[]).map((o) => this.orderItem(o)) : [],
      limit: undefined,
      offset: undefined,
    };
    if (raw.top) {
      if (raw.top.percent) throw unsupported('TOP … PERCENT; use TOP (n) or OFFSET … FETCH with a count (SELECT COUNT(*) first)');
      select.limit = this.topValue(raw.top.value);
    } else {
      this.repairTopWithParameter(raw, select);
    }
    this.limitClause(raw.limit, select);
    return select;
  }

  /**
   * T-SQL `SELECT TOP (@n) name FROM t` comes back as a call `TOP(@n)` aliased `name`
   * (npm-notes §2); it is the TOP clause followed by the column `name`.
   */
  private repairTopWithParameter(raw: Raw, select: Select): void {
    const first = Array.isArray(raw.columns) ? raw.columns[0] : undefined;
    const expr = first?.expr;
    const name = expr?.type === 'function' ? expr.name?.name?.[0]?.value : undefined;
    if (typeof name !== 'string' || name.toUpperCase() !== 'TOP' || expr.args?.value?.length !== 1 || typeof first.as !== 'string') return;
    select.limit = this.expr(expr.args.value[0]);
    select.columns[0] = { expr: { kind: 'column', name: first.as } };
  }

  private topValue(value: Raw): Expr {
    if (typeof value === 'number') return { kind: 'literal', type: 'number', value: String(value) };
    return this.expr(value);
  }

  /**
   * row-limits.ts has written every clause in one form per dialect: T-SQL `OFFSET m ROWS FETCH NEXT n
   * ROWS ONLY` (n = NO_FETCH_LIMIT for an OFFSET alone), PostgreSQL `LIMIT n`, `LIMIT n OFFSET m` or
   * `OFFSET m` (which the parser gives as `{seperator:'offset', value:[m]}`); `LIMIT ALL` is no limit.
   */
  private limitClause(limit: Raw, select: Select): void {
    if (!limit) return;
    if (limit.fetch || limit.offset) {
      if (limit.fetch && String(limit.fetch.value?.value) !== NO_FETCH_LIMIT) select.limit = this.expr(limit.fetch.value);
      if (limit.offset) select.offset = this.expr(limit.offset.value);
      return;
    }
    const values: Raw[] = limit.value ?? [];
    if (values.length === 0) return;
    const count = (value: Raw) => (value?.type === 'origin' && String(value.value).toUpperCase() === 'ALL' ? undefined : this.expr(value));
    if (limit.seperator === 'offset' && values.length === 1) {
      select.offset = this.expr(values[0]);
    } else if (limit.seperator === 'offset') {
      select.limit = count(values[0]);
      select.offset = this.expr(values[1]);
    } else if (limit.seperator === ',') {
      select.offset = this.expr(values[0]);
      select.limit = count(values[1]);
    } else {
      select.limit = count(values[0]);
    }
  }

  private columns(raw: Raw): SelectItem[] {
    if (raw === '*' ) return [{ expr: { kind: 'star' } }];
    return (raw as Raw[]).map((c) => {
      take(c, 'the select list', SELECT_ITEM_FIELDS);
      const expr = this.expr(c.expr);
      const alias = c.as == null ? undefined : typeof c.as === 'string' ? c.as : this.columnName(c.as);
      return alias === undefined ? { expr } : { expr, alias };
    });
  }

  private orderItem(o: Raw): OrderItem {
    take(o, 'ORDER BY', ORDER_ITEM_FIELDS);
    const item: OrderItem = { expr: this.expr(o.expr), descending: String(o.type ?? '').toUpperCase() === 'DESC' };
    if (o.nulls) item.nulls = /FIRST/i.test(o.nulls) ? 'first' : 'last';
    return item;
  }

  private from(items: Raw[]): FromItem {
    if (items[0]?.prefix) throw unsupported(`${String(items[0].prefix)} on the first table in FROM`);
    let result = this.fromItem(items[0]);
    for (const item of items.slice(1)) {
      const right = this.fromItem(item);
      const joinText = String(item.join ?? 'CROSS JOIN').toUpperCase().replace(/\s+/g, ' ');
      // T-SQL CROSS APPLY / OUTER APPLY: a lateral CROSS / LEFT join (OUTER APPLY has no ON)
      const apply = joinText === 'CROSS APPLY' ? 'CROSS' : joinText === 'OUTER APPLY' ? 'LEFT' : undefined;
      const type: JoinType | undefined = apply ?? (joinText.startsWith('INNER') || joinText === 'JOIN' ? 'INNER'
        : joinText.startsWith('LEFT') ? 'LEFT' : joinText.startsWith('RIGHT') ? 'RIGHT'
          : joinText.startsWith('FULL') ? 'FULL' : joinText === 'CROSS JOIN' ? 'CROSS' : undefined);
      if (!type) throw unsupported(`${joinText}; use [INNER], LEFT, RIGHT, FULL [OUTER] or CROSS JOIN`);
      if (item.using) throw unsupported('JOIN … USING; write JOIN … ON a.col = b.col');
      if (item.prefix && String(item.prefix).toUpperCase() !== 'LATERAL') throw unsupported(`${String(item.prefix)} in FROM`);
      const lateral = apply !== undefined || item.prefix != null;
      if (lateral && right.kind !== 'derived') throw unsupported(`${apply ? joinText : 'LATERAL'} over a table or table-valued function (only over a subquery: (SELECT …) alias)`);
      if (lateral && (type === 'RIGHT' || type === 'FULL')) throw unsupported(`${joinText} LATERAL`);
      const on = item.on ? this.expr(item.on) : undefined;
      result = lateral ? { kind: 'join', type, left: result, right, on, lateral } : { kind: 'join', type, left: result, right, on };
    }
    return result;
  }

  private fromItem(item: Raw): FromItem {
    take(item, 'FROM', FROM_ITEM_FIELDS);
    if (item.operator) {
      const { operator, ...source } = item;
      return this.pivot(operator, this.fromItem(source));
    }
    if (item.table_hint) this.tableHint(item.table_hint);
    const hinted = this.tableWithLockHint(item);
    if (hinted) return hinted;
    if (item.expr?.ast) {
      if (!item.as) throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'A subquery in FROM needs an alias');
      return { kind: 'derived', query: this.query(item.expr.ast), alias: item.as };
    }
    if (item.type === 'expr' && item.expr?.type === 'function') return this.tableFunction(item);
    if (typeof item.table !== 'string') throw unsupported('this FROM item; FROM takes tables, subqueries with an alias and table-valued functions');
    const schema = item.schema ?? item.db ?? undefined;
    return {
      kind: 'table', name: item.table,
      schema: schema ? String(schema) : undefined,
      alias: item.as ? String(item.as) : undefined,
    };
  }

  /** `… PIVOT (SUM(v) FOR c IN ([x], [y])) p`: `{type:'pivot', expr:<aggregate>, column, in_expr:{right:{value:[columns]}}, as}` */
  private pivot(operator: Raw, source: FromItem): FromItem {
    take(operator, 'PIVOT', PIVOT_FIELDS);
    if (String(operator.type).toLowerCase() !== 'pivot') throw unsupported(`${String(operator.type).toUpperCase()}; write UNION ALL of one SELECT per column instead`);
    if (operator.in_expr) take(operator.in_expr, 'PIVOT', PIVOT_IN_FIELDS);
    if (String(operator.in_expr?.op ?? 'IN').toUpperCase() !== 'IN') throw unsupported(`PIVOT … FOR … ${String(operator.in_expr.op)}; write FOR column IN ([value], …)`);
    const aggregate = this.expr(operator.expr);
    const column = this.expr(operator.column);
    const list: Raw[] = operator.in_expr?.right?.value ?? [];
    const values = list.map((v) => (v?.type === 'column_ref' && !v.table ? this.columnName(v.column) : undefined));
    if (aggregate.kind !== 'function' || aggregate.over || column.kind !== 'column' || values.length === 0 || values.some((v) => v === undefined)) {
      throw unsupported('this PIVOT: write PIVOT (aggregate(column) FOR column IN ([value], …)) alias');
    }
    if (!operator.as) throw new DynasqlError('DYNASQL_ERR_SYNTAX', 'PIVOT needs an alias: PIVOT (…) AS p');
    return { kind: 'pivot', source, aggregate, column, values: values as string[], alias: String(operator.as) };
  }

  /** `WITH (NOLOCK)`: `{keyword:'with', expr:[{keyword:'literal_string', expr:{type:'origin', value:'NOLOCK'}}]}` */
  private tableHint(hint: Raw): void {
    // `WITH (NOLOCK)` or the older `a (NOLOCK)` (no keyword)
    if (hint.keyword != null && String(hint.keyword).toLowerCase() !== 'with') throw unsupported(`table hints (${String(hint.keyword)})`);
    const words = Array.isArray(hint.expr) ? (hint.expr as Raw[]).map((h) => (h?.keyword === 'literal_string' ? String(h.expr?.value ?? '') : '')) : [];
    const refused = words.length === 0 ? 'table hints' : words.find((w) => !NO_LOCK_HINTS.has(w.toUpperCase()));
    if (refused !== undefined) throw unsupported(`the table hint ${refused || 'in WITH (…)'} (only NOLOCK and READUNCOMMITTED are accepted, and have no effect)`);
  }

  /** T-SQL's old form `FROM account (NOLOCK)` comes back as a call `account(NOLOCK)` */
  private tableWithLockHint(item: Raw): FromItem | undefined {
    const call = item.type === 'expr' ? item.expr : undefined;
    const args: Raw[] = call?.type === 'function' ? (call.args?.value ?? []) : [];
    const parts: Raw[] = call?.name?.name ?? [];
    const isHint = (a: Raw) => a?.type === 'column_ref' && !a.table && typeof a.column === 'string' && NO_LOCK_HINTS.has(a.column.toUpperCase());
    if (args.length === 0 || !args.every(isHint) || parts.length === 0 || parts.length > 2) return undefined;
    const name = String(parts[parts.length - 1].value);
    return {
      kind: 'table', name,
      ...(parts.length === 2 ? { schema: String(parts[0].value) } : {}),
      ...(item.as ? { alias: String(item.as) } : {}),
    };
  }

  /** `FROM RetrieveTotalRecordCount('["account"]') AS c`: a table-valued function (procedures/ runs it) */
  private tableFunction(item: Raw): FromItem {
    const parts = (item.expr.name?.name ?? []) as Raw[];
    const name = parts.map((p) => String(p.value)).join('.');
    const args = ((item.expr.args?.value ?? []) as Raw[]).map((a) => this.expr(a));
    return { kind: 'table', name, args, ...(item.as ? { alias: String(item.as) } : {}) };
  }

  /** `column` is a string (T-SQL) or `{expr:{value}}` (PostgreSQL) */
  private columnName(column: Raw): string {
    if (typeof column === 'string') return column;
    if (column?.expr?.value !== undefined) return String(column.expr.value);
    if (column?.value !== undefined) return String(column.value);
    throw unsupported('this column reference');
  }

  private param(ref: string | number): Expr {
    if (!this.params.includes(ref)) this.params.push(ref);
    return { kind: 'param', ref };
  }

  private subquery(raw: Raw): Query {
    return this.query(raw.ast ?? raw);
  }

  expr(raw: Raw): Expr {
    if (raw == null) throw unsupported('missing expression');
    switch (raw.type) {
      case 'column_ref': {
        take(raw, 'a column reference', COLUMN_FIELDS);
        const name = this.columnName(raw.column);
        // the qualifier is a string (T-SQL) or `{type:'default', value}` (PostgreSQL `a.*`)
        const table = raw.table == null ? undefined : typeof raw.table === 'string' ? raw.table : this.columnName(raw.table);
        if (name === '*') return table ? { kind: 'star', table } : { kind: 'star' };
        if (name.startsWith('@') && !table) return this.param(name.slice(1));
        return table ? { kind: 'column', table, name } : { kind: 'column', name };
      }
      case 'star': return { kind: 'star' };
      case 'double_quote_string':
        // T-SQL with QUOTED_IDENTIFIER ON (the default): "name" is an identifier
        return this.dialect === 'tsql' ? { kind: 'column', name: raw.value } : { kind: 'literal', type: 'string', value: raw.value };
      case 'single_quote_string': case 'var_string': case 'string': case 'natural_string': case 'regex_string': case 'hex_string': case 'full_hex_string':
        if (raw.type === 'hex_string' || raw.type === 'full_hex_string') throw unsupported('binary literals; pass binary values as parameters (a Buffer)');
        // the value is the quoting scanner's, put back by string-literals.ts: nothing left to unescape
        // T-SQL's N'…' (the parser's var_string) is an nvarchar
        return raw.type === 'var_string' && this.dialect === 'tsql'
          ? { kind: 'literal', type: 'string', value: String(raw.value), national: true }
          : { kind: 'literal', type: 'string', value: String(raw.value) };
      case 'number': case 'bigint': {
        const value = this.exact ? restoreNumber(String(raw.value), this.exact) : String(raw.value);
        if (/[eE]/.test(value) && !Number.isFinite(Number(value))) throw this.infiniteNumber(value);
        return { kind: 'literal', type: 'number', value };
      }
      case 'bool': case 'boolean':
        return { kind: 'literal', type: 'boolean', value: Boolean(raw.value) };
      case 'null':
        return { kind: 'literal', type: 'null', value: null };
      case 'date':
        return { kind: 'literal', type: 'date', value: String(raw.value) };
      case 'timestamp': case 'datetime':
        return { kind: 'literal', type: 'timestamp', value: String(raw.value) };
      case 'var':
        if (raw.prefix === '$' && typeof raw.name === 'number') return this.param(raw.name - 1);
        if (raw.prefix === '@' && typeof raw.name === 'string') return this.param(raw.name);
        throw unsupported(`variable ${raw.prefix ?? ''}${raw.name}; pass values as parameters (@name or $1 with the values given to query())`);
      case 'param':
        return this.param(String(raw.value));
      case 'binary_expr':
        return this.binary(raw);
      case 'unary_expr': {
        take(raw, `the operator ${String(raw.operator)}`, OPERATOR_FIELDS);
        const op = String(raw.operator).toUpperCase();
        if (op === 'NOT EXISTS' || op === 'EXISTS') return { kind: 'exists', query: this.subquery(raw.expr), negated: op === 'NOT EXISTS' };
        if (op === 'NOT' || op === '!') return { kind: 'unary', op: 'NOT', operand: this.expr(raw.expr) };
        if (op === '-' || op === '+') return { kind: 'unary', op, operand: this.expr(raw.expr) };
        throw unsupported(`operator ${op}`);
      }
      case 'expr_list':
        if (raw.value?.length === 1) return this.expr(raw.value[0]);
        throw unsupported('a row value; compare column by column: (a, b) = (1, 2) is a = 1 AND b = 2');
      case 'case': {
        take(raw, 'CASE', CASE_FIELDS);
        for (const a of raw.args as Raw[]) take(a, 'CASE', WHEN_FIELDS);
        const whens = (raw.args as Raw[]).filter((a) => a.type === 'when').map((a) => ({ when: this.expr(a.cond), then: this.expr(a.result) }));
        const other = (raw.args as Raw[]).find((a) => a.type === 'else');
        return {
          kind: 'case', whens,
          operand: raw.expr ? this.expr(raw.expr) : undefined,
          else: other ? this.expr(other.result) : undefined,
        };
      }
      case 'cast': {
        take(raw, 'CAST', CAST_FIELDS);
        if (Array.isArray(raw.target) && raw.target.length > 1) throw unsupported('a chain of casts; nest them: CAST(CAST(x AS a) AS b)');
        const target = Array.isArray(raw.target) ? raw.target[0] : raw.target;
        if (target) take(target, 'CAST', CAST_TARGET_FIELDS);
        // `'1 day'::interval`: an interval literal (intervals are values of the PostgreSQL dialect only)
        if (this.dialect === 'postgresql' && String(target?.dataType).toUpperCase() === 'INTERVAL') {
          if (raw.expr?.type !== 'single_quote_string') throw unsupported('a cast of a value that is not a quoted literal to interval');
          return this.interval(String(raw.expr.value));
        }
        return { kind: 'cast', expr: this.expr(raw.expr), type: this.typeName(target), try: /try/i.test(String(raw.keyword ?? '')) };
      }
      case 'aggr_func': {
        const name = String(raw.name).toUpperCase();
        take(raw, name, AGGREGATE_FIELDS);
        if (raw.args) take(raw.args, name, name === 'STRING_AGG' ? ORDERED_AGGREGATE_ARGS_FIELDS : AGGREGATE_ARGS_FIELDS);
        const arg = raw.args?.expr;
        const star = arg?.type === 'star';
        if (star && arg.value !== '*') throw unsupported(`${name}(${String(arg.value)})`);
        // PostgreSQL `string_agg(x, ', ')`: the separator is the second argument
        const separator = raw.args?.separator ? [this.expr(raw.args.separator.delimiter)] : [];
        const withinGroup = Array.isArray(raw.args?.orderby) && raw.args.orderby.length > 0 ? (raw.args.orderby as Raw[]).map((o) => this.orderItem(o)) : undefined;
        return {
          kind: 'function', name, args: star || !arg ? [] : [this.expr(arg), ...separator],
          distinct: /DISTINCT/i.test(String(raw.args?.distinct ?? '')), star,
          over: raw.over ? this.window(raw.over) : undefined,
          ...(withinGroup ? { withinGroup } : {}),
        };
      }
      case 'function':
        return this.func(raw);
      case 'interval': {
        // `interval '7 days'`, `interval '7' day`
        take(raw, 'INTERVAL', INTERVAL_FIELDS);
        if (raw.expr?.type !== 'single_quote_string') throw unsupported('INTERVAL with a value that is not a quoted literal');
        return this.interval(String(raw.expr.value), raw.unit ? String(raw.unit) : undefined);
      }
      case 'extract': {
        take(raw, 'EXTRACT', EXTRACT_FIELDS);
        // PostgreSQL `extract(epoch FROM createdon)`: the field as a string argument (see EXTRACT in plan/functions.ts)
        const field = raw.args?.field;
        if (typeof field !== 'string') throw unsupported('this EXTRACT form');
        // `extract(year FROM DATE '2024-02-03')`: the parser keeps the typed literal's type apart
        const castType = raw.args.cast_type ? String(raw.args.cast_type).toUpperCase() : undefined;
        const typed = castType === 'DATE' ? 'date' : castType === 'TIMESTAMP' || castType === 'TIMESTAMPTZ' ? 'timestamp' : undefined;
        if (castType && (!typed || raw.args.source?.type !== 'single_quote_string')) throw unsupported(`EXTRACT from ${castType} '…'`);
        const source: Expr = typed ? { kind: 'literal', type: typed, value: String(raw.args.source.value) } : this.expr(raw.args.source);
        return {
          kind: 'function', name: 'EXTRACT', distinct: false, star: false,
          args: [{ kind: 'literal', type: 'string', value: field.toLowerCase() }, source],
        };
      }
      case 'window_func': {
        // PostgreSQL `ROW_NUMBER() OVER (…)`, `LAG(x, 1) OVER (…)`
        const name = String(raw.name).toUpperCase();
        take(raw, name, WINDOW_FUNCTION_FIELDS);
        if (!raw.over) throw unsupported(`${name} without OVER; it is a window function: ${name}() OVER (ORDER BY …)`);
        const args = ((raw.args?.value ?? []) as Raw[]).map((a) => this.expr(a));
        return { kind: 'function', name, args, distinct: false, star: false, over: this.window(raw.over) };
      }
      default:
        if (raw.ast) return { kind: 'subquery', query: this.query(raw.ast) };
        throw unsupported(`expression type ${String(raw.type)}`);
    }
  }

  /**
   * PostgreSQL `x op ANY (array)` / `x op ALL (array)`. An `ARRAY[a, b]` is written out: `x = ANY
   * (ARRAY[a, b])` is `x IN (a, b)`, `x <> ALL (…)` is `x NOT IN (…)`, other operators an OR (ANY) or
   * AND (ALL) of comparisons, which is the same under NULLs. A parameter holding an array
   * (`= ANY($1)`, `<> ALL($1::int[])`) is an IN list the binder fills from its value.
   */
  private quantified(value: Expr, op: BinaryOp, quantifier: 'ANY' | 'ALL', call: Raw): Expr {
    const args: Raw[] = call.args?.value ?? [];
    if (args.length !== 1) throw unsupported(`${quantifier} with ${args.length} arguments`);
    let arg = args[0];
    // `$1::int[]` (the parser gives `text[]` as the type name `TEXT[]`)
    const arrayCast = arg?.target?.[0]?.array || /\[\]$/.test(String(arg?.target?.[0]?.dataType ?? ''));
    if (arg?.type === 'cast' && arrayCast && arg.expr?.type === 'var') arg = arg.expr;
    const inList = (op === '=' && quantifier === 'ANY') || (op === '<>' && quantifier === 'ALL');
    if (arg?.type === 'var' || arg?.type === 'param') {
      if (!inList) throw unsupported(`${op} ${quantifier} with a parameter (only = ANY and <> ALL take an array parameter)`);
      return { kind: 'inList', expr: value, list: [this.expr(arg)], negated: quantifier === 'ALL', arrayParameter: true };
    }
    if (arg?.type !== 'array') throw unsupported(`${quantifier} over anything but ARRAY[…] or an array parameter`);
    const items = ((arg.expr_list?.value ?? []) as Raw[]).map((item) => this.expr(item));
    if (items.length === 0) throw unsupported(`${quantifier} over an empty ARRAY[]`);
    if (inList) return { kind: 'inList', expr: value, list: items, negated: quantifier === 'ALL' };
    const comparisons = items.map((item): Expr => ({ kind: 'binary', op, left: value, right: item }));
    return leftDeep(quantifier === 'ANY' ? 'OR' : 'AND', comparisons, 0, comparisons.length);
  }

  private interval(text: string, unit?: string): Expr {
    const value = parseInterval(text, unit);
    if (!value) throw new DynasqlError('DYNASQL_ERR_SYNTAX', `Invalid interval '${text}'${unit ? ` ${unit}` : ''}: write number-and-unit pairs such as '7 days' or '1 month 2 hours', or a time such as '01:30:00'`);
    return { kind: 'literal', type: 'interval', value: canonicalInterval(value) };
  }

  /** `1e309`: no SQL number type holds it (float ends near 1.8e308), so it must not reach the service as a literal */
  private infiniteNumber(text: string): DynasqlError {
    const at = this.sourceText ? findOutsideQuotes(this.sourceText, text.replace(/^-/, '')) : -1;
    const position = at >= 0 ? positionAt(this.sourceText!, at) : undefined;
    const where = position ? ` (line ${position.line}, column ${position.column})` : '';
    return new DynasqlError('DYNASQL_ERR_UNSUPPORTED_SQL', `The number ${text} is too large for any SQL number type${where}`, position ? { position } : {});
  }

  private typeName(target: Raw): TypeName {
    if (!target?.dataType) throw unsupported('this CAST target');
    const name = String(target.dataType).toUpperCase();
    const t: TypeName = { name };
    if (typeof target.length === 'number') {
      if (/DECIMAL|NUMERIC/.test(name)) t.precision = target.length;
      else t.length = target.length;
    }
    if (typeof target.scale === 'number') t.scale = target.scale;
    return t;
  }

  private window(over: Raw): WindowSpec {
    take(over, 'OVER', OVER_FIELDS);
    if (over.as_window_specification) take(over.as_window_specification, 'OVER', WINDOW_FIELDS);
    const spec = over.as_window_specification?.window_specification;
    if (!spec) throw unsupported('named windows; write the window in OVER (PARTITION BY … ORDER BY …)');
    take(spec, 'OVER', WINDOW_SPEC_FIELDS);
    return {
      partitionBy: ((spec.partitionby ?? []) as Raw[]).map((p) => this.expr(p.expr)),
      orderBy: ((spec.orderby ?? []) as Raw[]).map((o) => this.orderItem(o)),
      ...(spec.window_frame_clause ? { frame: this.frame(spec.window_frame_clause) } : {}),
    };
  }

  /**
   * Window frames are kept as checked keyword text: `ROWS BETWEEN 1 PRECEDING AND CURRENT ROW`.
   * The parser gives `{type:'rows', expr:{value:'UNBOUNDED PRECEDING'}}` or a BETWEEN over
   * `{type:'origin', value:'rows'}` and two bounds.
   */
  private frame(raw: Raw): string {
    const bound = (b: Raw): string => String(b?.value ?? '');
    let text = '';
    if (raw?.type === 'binary_expr' && String(raw.operator).toUpperCase() === 'BETWEEN' && raw.right?.value?.length === 2) {
      text = `${bound(raw.left)} BETWEEN ${bound(raw.right.value[0])} AND ${bound(raw.right.value[1])}`;
    } else if (raw?.type === 'rows' || raw?.type === 'range') {
      text = `${raw.type} ${bound(raw.expr)}`;
    }
    const normalised = text.trim().replace(/\s+/g, ' ').toUpperCase();
    const boundWord = '(UNBOUNDED PRECEDING|UNBOUNDED FOLLOWING|CURRENT ROW|\\d+ PRECEDING|\\d+ FOLLOWING)';
    if (!new RegExp(`^(ROWS|RANGE) (${boundWord}|BETWEEN ${boundWord} AND ${boundWord})$`).test(normalised)) throw unsupported('this window frame; use ROWS or RANGE with UNBOUNDED PRECEDING, n PRECEDING, CURRENT ROW, n FOLLOWING or UNBOUNDED FOLLOWING');
    return normalised;
  }

  private func(raw: Raw): Expr {
    const parts: Raw[] = raw.name?.name ?? [];
    const written = parts.map((p) => String(p.value)).join('.').toUpperCase();
    // `SUM(DISTINCT x)`, written `__DYNASQL_DISTINCT_SUM(x)` for the parser (distinct-aggregates.ts)
    const distinct = written.startsWith(DISTINCT_AGGREGATE_PREFIX);
    const name = distinct ? written.slice(DISTINCT_AGGREGATE_PREFIX.length) : written;
    if (name === ORDERED_STRING_AGG_FUNCTION) return this.orderedStringAgg(raw);
    take(raw, name, FUNCTION_FIELDS);
    const rawArgs: Raw[] = raw.args?.value ?? (raw.args?.expr ? [raw.args.expr] : []);
    if (name === TRY_FUNCTION) {
      // TRY_CAST / TRY_CONVERT, written `__DYNASQL_TRY(CAST(…))` for the parser (marker-calls.ts)
      const cast = rawArgs.length === 1 ? this.expr(rawArgs[0]) : undefined;
      if (cast?.kind !== 'cast') throw unsupported('this TRY_CAST / TRY_CONVERT');
      return { ...cast, try: true };
    }
    if (name === ESCAPE_FUNCTION) throw unsupported('ESCAPE outside LIKE');
    // COUNT_BIG(*), written `__DYNASQL_COUNT_BIG_STAR()` for the parser (marker-calls.ts)
    if (name === COUNT_BIG_STAR_FUNCTION) return { kind: 'function', name: 'COUNT_BIG', args: [], distinct: false, star: true, over: raw.over ? this.window(raw.over) : undefined };
    // PostgreSQL CUME_DIST() / PERCENT_RANK(), written `NTILE(__DYNASQL_WINDOW_CUME_DIST) OVER (…)` for the parser (marker-calls.ts)
    const marker = name === 'NTILE' && rawArgs.length === 1 && rawArgs[0].type === 'column_ref' && !rawArgs[0].table ? this.columnName(rawArgs[0].column).toUpperCase() : '';
    if (marker.startsWith(ARGUMENTLESS_WINDOW_PREFIX) && raw.over) {
      return { kind: 'function', name: marker.slice(ARGUMENTLESS_WINDOW_PREFIX.length), args: [], distinct: false, star: false, over: this.window(raw.over) };
    }
    if (this.dialect === 'postgresql' && STATEMENT_TIME_FUNCTIONS.has(name) && rawArgs.length === 0 && !raw.over) {
      const instant = this.param(STATEMENT_TIME);
      return name === 'CURRENT_DATE' ? { kind: 'cast', expr: instant, type: { name: 'DATE' }, try: false } : instant;
    }
    if (this.dialect === 'tsql' && Object.hasOwn(TSQL_STATEMENT_TIME_FUNCTIONS, name) && rawArgs.length === 0 && !raw.over) {
      return { kind: 'cast', expr: this.param(STATEMENT_TIME), type: { name: TSQL_STATEMENT_TIME_FUNCTIONS[name]! }, try: false };
    }
    if (name === 'NOT' && rawArgs.length === 1) return { kind: 'unary', op: 'NOT', operand: this.expr(rawArgs[0]) };
    if (name === 'EXISTS' && rawArgs.length === 1) return { kind: 'exists', query: this.subquery(rawArgs[0]), negated: false };
    if (name === 'CONVERT' && rawArgs.length > 3) throw unsupported('CONVERT with more than 3 arguments; write CONVERT(type, value [, style])');
    if (name === 'CONVERT' && rawArgs.length >= 2) {
      // CONVERT(NVARCHAR(36), x): the type arrives as a column or a call
      const typeArg = rawArgs[0];
      const typeWord = typeArg.type === 'column_ref' ? this.columnName(typeArg.column)
        : typeArg.type === 'function' ? String(typeArg.name?.name?.[0]?.value ?? '') : '';
      if (!typeWord) throw unsupported('this CONVERT target');
      const t: TypeName = { name: typeWord.toUpperCase() };
      const sizes: Raw[] = typeArg.type === 'function' ? (typeArg.args?.value ?? []) : [];
      if (sizes[0]?.type === 'number') {
        if (/DECIMAL|NUMERIC/.test(t.name)) t.precision = Number(sizes[0].value); else t.length = Number(sizes[0].value);
      }
      if (sizes[1]?.type === 'number') t.scale = Number(sizes[1].value);
      const value = this.expr(rawArgs[1]);
      // the binder decides whether the style changes the result (date, float and money text)
      return rawArgs[2] ? { kind: 'cast', expr: value, type: t, try: false, style: this.expr(rawArgs[2]) } : { kind: 'cast', expr: value, type: t, try: false };
    }
    const args = rawArgs.map((a, i) => {
      if (i === 0 && DATE_PART_FUNCTIONS.has(name) && a.type === 'column_ref' && !a.table) {
        const word = this.columnName(a.column).toLowerCase();
        if (DATE_PARTS.has(word)) return { kind: 'keyword', word } as Expr;
      }
      return this.expr(a);
    });
    if (distinct && args.length === 0) throw unsupported(`${name}(DISTINCT) without an argument`);
    if ((name === DISTINCT_FROM_FUNCTION || name === NOT_DISTINCT_FROM_FUNCTION) && args.length === 2) {
      return isDistinctFrom(args[0]!, args[1]!, name === NOT_DISTINCT_FROM_FUNCTION);
    }
    return { kind: 'function', name, args, distinct, star: false, over: raw.over ? this.window(raw.over) : undefined };
  }

  /** `STRING_AGG(x, ', ') WITHIN GROUP (ORDER BY y)`, written `__DYNASQL_STRING_AGG(x, ', ') WITHIN GROUP (…)` */
  private orderedStringAgg(raw: Raw): Expr {
    take(raw, 'STRING_AGG', ORDERED_STRING_AGG_FIELDS);
    if (raw.within_group) take(raw.within_group, 'WITHIN GROUP', WITHIN_GROUP_FIELDS);
    const order: Raw[] = raw.within_group?.orderby ?? [];
    if (order.length === 0 || String(raw.within_group.keyword).toUpperCase() !== 'GROUP') throw unsupported('WITHIN GROUP without ORDER BY');
    const args = ((raw.args?.value ?? []) as Raw[]).map((a) => this.expr(a));
    return { kind: 'function', name: 'STRING_AGG', args, distinct: false, star: false, withinGroup: order.map((o) => this.orderItem(o)) };
  }

  /**
   * `a OR b OR c …`: the parser nests a chain to the left, one level per term, and a WHERE with
   * thousands of terms (a generated filter) would overflow the stack here and in every stage after.
   * The chain is read with a loop, and a long one is rebuilt as a balanced tree (AND and OR are
   * associative, NULLs included), so no later stage recurses deeper than a few dozen levels. Short
   * chains keep the parser's left-deep shape. Operands are read left to right, so parameters keep
   * their order.
   */
  private logicalChain(raw: Raw, op: 'AND' | 'OR'): Expr {
    const rights: Raw[] = [];
    let node = raw;
    while (node?.type === 'binary_expr' && String(node.operator).toUpperCase() === op) {
      take(node, `the operator ${op}`, OPERATOR_FIELDS);
      rights.push(node.right);
      node = node.left;
    }
    const operands: Expr[] = [this.expr(node)];
    for (let k = rights.length - 1; k >= 0; k--) operands.push(this.expr(rights[k]));
    return operands.length <= LEFT_DEEP_CHAIN ? leftDeep(op, operands, 0, operands.length) : balanced(op, operands, 0, operands.length);
  }

  private binary(raw: Raw): Expr {
    const op = String(raw.operator).toUpperCase();
    take(raw, `the operator ${op}`, OPERATOR_FIELDS);
    if (op === 'AND' || op === 'OR') return this.logicalChain(raw, op);
    const left = () => this.expr(raw.left);
    switch (op) {
      case 'IS': case 'IS NOT':
        if (raw.right?.type === 'bool' || raw.right?.type === 'boolean') return isTruth(left(), raw.right.value === true, op === 'IS NOT');
        if (raw.right?.type !== 'null') throw unsupported(`${op} ${String(raw.right?.value ?? raw.right?.type)}`);
        return { kind: 'isNull', expr: left(), negated: op === 'IS NOT' };
      case '~': case '~*': case '!~': case '!~*': {
        // PostgreSQL's POSIX regular expressions: `~` is case-sensitive, `~*` is not (evaluated locally)
        const match: Expr = {
          kind: 'function', name: 'REGEXP_LIKE', distinct: false, star: false,
          args: [left(), this.expr(raw.right), ...(op.endsWith('*') ? [{ kind: 'literal', type: 'string', value: 'i' } as Expr] : [])],
        };
        return op.startsWith('!') ? { kind: 'unary', op: 'NOT', operand: match } : match;
      }
      case 'LIKE': case 'NOT LIKE': case 'ILIKE': case 'NOT ILIKE': {
        // T-SQL `LIKE p ESCAPE e` comes as `LIKE __DYNASQL_ESCAPE((p), e)` (marker-calls.ts)
        const marker = raw.right?.type === 'function' && String(raw.right.name?.name?.[0]?.value ?? '').toUpperCase() === ESCAPE_FUNCTION
          && raw.right.name.name.length === 1 && raw.right.args?.value?.length === 2 ? raw.right.args.value as Raw[] : undefined;
        if (marker) take(raw.right, 'LIKE … ESCAPE', FUNCTION_FIELDS);
        const escape = marker ? marker[1] : raw.right?.escape?.value;
        // (the pattern's node carries the ESCAPE clause too; expr() reads only the pattern from it)
        const pattern = this.expr(marker ? marker[0] : raw.right);
        return {
          kind: 'like', expr: left(), pattern, negated: op.startsWith('NOT'), caseInsensitive: true,
          escape: escape ? this.expr(escape) : undefined,
        };
      }
      case 'IN': case 'NOT IN': {
        const negated = op === 'NOT IN';
        const list: Raw[] = raw.right?.type === 'expr_list' ? raw.right.value : [raw.right];
        if (list.length === 1 && list[0]?.ast) return { kind: 'inQuery', expr: left(), query: this.subquery(list[0]), negated };
        return { kind: 'inList', expr: left(), list: list.map((v) => this.expr(v)), negated };
      }
      case 'BETWEEN': case 'NOT BETWEEN': {
        const [low, high] = raw.right.value as Raw[];
        const symmetricLow = symmetricBound(low);
        if (symmetricLow) {
          // BETWEEN SYMMETRIC (operator-rewrites.ts): either order of the bounds
          const [value, a, b] = [left(), this.expr(symmetricLow), this.expr(high)];
          const either: Expr = {
            kind: 'binary', op: 'OR',
            left: { kind: 'between', expr: value, low: a, high: b, negated: false },
            right: { kind: 'between', expr: value, low: b, high: a, negated: false },
          };
          return op === 'NOT BETWEEN' ? { kind: 'unary', op: 'NOT', operand: either } : either;
        }
        return { kind: 'between', expr: left(), low: this.expr(low), high: this.expr(high), negated: op === 'NOT BETWEEN' };
      }
      default: {
        const mapped = BINARY_OPS[op];
        if (!mapped) throw unsupported(`operator ${op}`);
        const quantifier = quantifierOf(raw.right);
        if (quantifier) return this.quantified(left(), mapped, quantifier, raw.right);
        return { kind: 'binary', op: mapped, left: left(), right: this.expr(raw.right) };
      }
    }
  }
}

/** the low bound inside `__DYNASQL_SYMMETRIC(a)`, or undefined */
function symmetricBound(raw: Raw): Raw | undefined {
  const parts: Raw[] = raw?.type === 'function' ? (raw.name?.name ?? []) : [];
  const args: Raw[] = raw?.args?.value ?? [];
  return parts.length === 1 && String(parts[0].value).toUpperCase() === SYMMETRIC_FUNCTION && args.length === 1 ? args[0] : undefined;
}

/** `ANY($1)` / `ALL(ARRAY[…])` come back as calls named ANY, SOME or ALL */
function quantifierOf(raw: Raw): 'ANY' | 'ALL' | undefined {
  if (raw?.type !== 'function') return undefined;
  const parts: Raw[] = raw.name?.name ?? [];
  const name = parts.length === 1 ? String(parts[0].value).toUpperCase() : '';
  return name === 'ANY' || name === 'SOME' ? 'ANY' : name === 'ALL' ? 'ALL' : undefined;
}

/** up to this many terms an AND / OR chain keeps the parser's left-deep shape */
const LEFT_DEEP_CHAIN = 64;

function leftDeep(op: 'AND' | 'OR', operands: Expr[], from: number, to: number): Expr {
  let result = operands[from]!;
  for (let k = from + 1; k < to; k++) result = { kind: 'binary', op, left: result, right: operands[k]! };
  return result;
}

/** a tree of depth log2(n): `[a, b, c, d]` → `(a op b) op (c op d)` */
function balanced(op: 'AND' | 'OR', operands: Expr[], from: number, to: number): Expr {
  if (to - from <= 2) return leftDeep(op, operands, from, to);
  const middle = from + Math.ceil((to - from) / 2);
  return { kind: 'binary', op, left: balanced(op, operands, from, middle), right: balanced(op, operands, middle, to) };
}

/** the first offset of `text` in `sql` outside quoted text and comments (case-insensitive), or -1 */
function findOutsideQuotes(sql: string, text: string): number {
  const wanted = text.toLowerCase();
  for (let i = 0; i < sql.length; ) {
    const span = spanAt(sql, i, '\'"[');
    if (span) {
      i = span.end;
      continue;
    }
    if (sql.slice(i, i + wanted.length).toLowerCase() === wanted) return i;
    i++;
  }
  return -1;
}

/**
 * PostgreSQL's `a IS [NOT] TRUE` / `a IS [NOT] FALSE`: TRUE or FALSE, never NULL (a NULL `a` is neither
 * true nor false), in the AST's existing forms: `a IS TRUE` is `CASE WHEN a THEN 1 ELSE 0 END = 1`,
 * `a IS FALSE` is `CASE WHEN NOT a THEN 1 ELSE 0 END = 1`, and IS NOT compares with 0.
 */
function isTruth(a: Expr, truth: boolean, negated: boolean): Expr {
  const one: Expr = { kind: 'literal', type: 'number', value: '1' };
  const zero: Expr = { kind: 'literal', type: 'number', value: '0' };
  const when: Expr = truth ? a : { kind: 'unary', op: 'NOT', operand: a };
  const holds: Expr = { kind: 'case', whens: [{ when, then: one }], else: zero };
  return { kind: 'binary', op: '=', left: holds, right: negated ? zero : one };
}

/**
 * `a IS [NOT] DISTINCT FROM b` in the AST's existing forms: two NULLs are equal, and the result is
 * TRUE or FALSE, never NULL (so NOT over it stays right):
 * `CASE WHEN a IS NULL AND b IS NULL THEN 1 WHEN a = b THEN 1 ELSE 0 END = 1` (`= 0` for DISTINCT).
 */
function isDistinctFrom(a: Expr, b: Expr, negated: boolean): Expr {
  const one: Expr = { kind: 'literal', type: 'number', value: '1' };
  const zero: Expr = { kind: 'literal', type: 'number', value: '0' };
  const bothNull: Expr = { kind: 'binary', op: 'AND', left: { kind: 'isNull', expr: a, negated: false }, right: { kind: 'isNull', expr: b, negated: false } };
  const same: Expr = {
    kind: 'case', whens: [{ when: bothNull, then: one }, { when: { kind: 'binary', op: '=', left: a, right: b }, then: one }], else: zero,
  };
  return { kind: 'binary', op: '=', left: same, right: negated ? one : zero };
}
