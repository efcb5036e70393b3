/**
 * dynasql's own SQL syntax tree: the one shape both input dialects (T-SQL and PostgreSQL) are
 * normalised into, so nothing past `sql/` ever sees node-sql-parser's dialect-specific output.
 * Plain frozen-by-convention data with a `kind` tag on every node.
 *
 * Example: `SELECT TOP 5 name FROM account WHERE revenue > @min` becomes
 * `{kind:'select', top:{kind:'literal',value:5}, columns:[{expr:{kind:'column',name:'name'}}],
 *   from:{kind:'table',name:'account'}, where:{kind:'binary',op:'>',left:…,right:{kind:'param',ref:'min'}}}`.
 */

export type LiteralType = 'string' | 'number' | 'boolean' | 'null' | 'date' | 'timestamp' | 'interval';

export interface ColumnExpr { kind: 'column'; table?: string; name: string }
/** `value` of a number literal is its source text, so decimals keep every digit. */
export interface LiteralExpr {
  kind: 'literal'; type: LiteralType; value: string | boolean | null;
  /** T-SQL `N'…'`: a Unicode (nvarchar) string */
  national?: true;
}
/** a bound parameter: `@name` → 'name', `$1` / `?` → 0-based index */
export interface ParamExpr { kind: 'param'; ref: string | number }
export type BinaryOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | '+' | '-' | '*' | '/' | '%' | '||';
export interface BinaryExpr { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
export interface UnaryExpr { kind: 'unary'; op: 'NOT' | '-' | '+'; operand: Expr }
export interface LikeExpr { kind: 'like'; expr: Expr; pattern: Expr; negated: boolean; caseInsensitive: boolean; escape?: Expr }
/**
 * `arrayParameter`: `list` is one parameter whose value is an array (`x = ANY($1)`), written out into
 * the list by the binder
 */
export interface InListExpr { kind: 'inList'; expr: Expr; list: Expr[]; negated: boolean; arrayParameter?: boolean }
export interface InQueryExpr { kind: 'inQuery'; expr: Expr; query: Query; negated: boolean }
export interface BetweenExpr { kind: 'between'; expr: Expr; low: Expr; high: Expr; negated: boolean }
export interface IsNullExpr { kind: 'isNull'; expr: Expr; negated: boolean }
export interface ExistsExpr { kind: 'exists'; query: Query; negated: boolean }
export interface CaseExpr { kind: 'case'; operand?: Expr; whens: { when: Expr; then: Expr }[]; else?: Expr }
export interface TypeName { name: string; length?: number; precision?: number; scale?: number }
/** `style`: CONVERT's third argument (`CONVERT(varchar, d, 112)`) */
export interface CastExpr { kind: 'cast'; expr: Expr; type: TypeName; try: boolean; style?: Expr }
export interface WindowSpec { partitionBy: Expr[]; orderBy: OrderItem[]; frame?: string }
/** Scalar and aggregate calls; `name` upper-case. `COUNT(*)` is `{name:'COUNT', star:true, args:[]}`. */
export interface FunctionExpr {
  kind: 'function';
  name: string;
  args: Expr[];
  distinct: boolean;
  star: boolean;
  over?: WindowSpec;
  /** the order inside an aggregate: T-SQL `STRING_AGG(x, ', ') WITHIN GROUP (ORDER BY y)`, PostgreSQL `string_agg(x, ', ' ORDER BY y)` */
  withinGroup?: OrderItem[];
}
export interface SubqueryExpr { kind: 'subquery'; query: Query }
/** a date-part keyword argument (`DATEADD(day, …)`) */
export interface KeywordExpr { kind: 'keyword'; word: string }
export interface StarExpr { kind: 'star'; table?: string }

export type Expr =
  | ColumnExpr | LiteralExpr | ParamExpr | BinaryExpr | UnaryExpr | LikeExpr | InListExpr | InQueryExpr
  | BetweenExpr | IsNullExpr | ExistsExpr | CaseExpr | CastExpr | FunctionExpr | SubqueryExpr | KeywordExpr | StarExpr;

export interface SelectItem { expr: Expr; alias?: string }
export interface OrderItem { expr: Expr; descending: boolean; nulls?: 'first' | 'last' }

/** `args` is set for a table-valued function call in FROM (`FROM RetrieveVersion() AS v`): see src/procedures */
export interface TableRef { kind: 'table'; schema?: string; name: string; alias?: string; args?: Expr[] }
export interface DerivedTable { kind: 'derived'; query: Query; alias: string }
export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';
/**
 * `lateral`: the right side is a derived table that may read the left side's columns, evaluated for
 * each left row: T-SQL `CROSS APPLY` (type CROSS) / `OUTER APPLY` (LEFT, no ON), PostgreSQL `JOIN LATERAL`
 */
export interface Join { kind: 'join'; type: JoinType; left: FromItem; right: FromItem; on?: Expr; lateral?: boolean }
/**
 * T-SQL `source PIVOT (SUM(v) FOR c IN ([x], [y])) alias`: the source's rows grouped by every other
 * column of the source, with one column per listed value of `c` (`x`, `y`) holding the aggregate over
 * the rows with that value. `values` are the listed names as written.
 */
export interface PivotTable { kind: 'pivot'; source: FromItem; aggregate: FunctionExpr; column: ColumnExpr; values: string[]; alias: string }
export type FromItem = TableRef | DerivedTable | Join | PivotTable;

/**
 * `recursive`: PostgreSQL's `WITH RECURSIVE` was written (T-SQL has no keyword: a CTE that names
 * itself is recursive). `maxRecursion`: the statement's `OPTION (MAXRECURSION n)` (T-SQL), on each CTE.
 */
export interface Cte { name: string; columns?: string[]; query: Query; recursive?: boolean; maxRecursion?: number }

export interface Select {
  kind: 'select';
  with: Cte[];
  distinct: boolean;
  columns: SelectItem[];
  from?: FromItem;
  where?: Expr;
  groupBy: Expr[];
  having?: Expr;
  orderBy: OrderItem[];
  /** TOP n, LIMIT n or FETCH NEXT n */
  limit?: Expr;
  offset?: Expr;
}

export type SetOperator = 'UNION' | 'UNION ALL' | 'EXCEPT' | 'INTERSECT';
export interface SetOperation {
  kind: 'setop';
  with: Cte[];
  op: SetOperator;
  left: Query;
  right: Query;
  orderBy: OrderItem[];
  limit?: Expr;
  offset?: Expr;
}

export type Query = Select | SetOperation;

/** A parsed statement. Only queries today; writes and EXEC join as their own kinds. */
export type Statement = { kind: 'query'; query: Query } | { kind: 'explain'; query: Query };

export interface ParsedStatement {
  statement: Statement;
  /** the parameters referenced, in first-appearance order (names or 0-based positions) */
  params: (string | number)[];
}
