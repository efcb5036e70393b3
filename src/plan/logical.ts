/**
 * The logical query: the SQL statement after binding, with every table reference resolved to a
 * numbered scan of a catalog table and every column reference resolved to its scan and catalog
 * column (or to a derived table / CTE / select-list alias). Push-down reads it to carve out the remote
 * requests; the local engine renders it as SQL over the rows those requests returned.
 *
 * Every expression carries its SQL Server type (`sqlType`, as catalog columns do; derived by src/types/: `int / int` is an int,
 * `AVG(int)` an int, `money / 3` money), and every query its output columns' types, so the local
 * engine renders from types and results report them.
 *
 * Example: `SELECT a.name FROM account a` →
 * `{kind:'select', from:{kind:'scan', scanId:1, alias:'a'}, columns:[{expr:{kind:'column', scanId:1, name:'name', column:…, sqlType:{name:'nvarchar',length:160}}}]}`.
 */
import type { Column, SqlType, Table } from '../catalog/types.js';

export type LiteralType = 'string' | 'number' | 'boolean' | 'null' | 'date' | 'timestamp' | 'interval';

/**
 * A resolved column. `scanId` set: a catalog column of that scan. Otherwise a column of a derived
 * table or CTE (`qualifier` names it) or a select-list alias (ORDER BY `total`).
 */
export interface ColumnRef { kind: 'column'; name: string; qualifier?: string; scanId?: number; column?: Column; sqlType: SqlType }
export interface Literal { kind: 'literal'; type: LiteralType; value: string | boolean | null; sqlType: SqlType }
export interface Param { kind: 'param'; ref: string | number; sqlType: SqlType }
export type BinaryOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | '+' | '-' | '*' | '/' | '%' | '||';
export interface Binary { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; sqlType: SqlType }
export interface Unary { kind: 'unary'; op: 'NOT' | '-' | '+'; operand: Expr; sqlType: SqlType }
export interface Like { kind: 'like'; expr: Expr; pattern: Expr; negated: boolean; escape?: Expr; sqlType: SqlType }
export interface InList { kind: 'inList'; expr: Expr; list: Expr[]; negated: boolean; sqlType: SqlType }
export interface InQuery { kind: 'inQuery'; expr: Expr; query: Query; negated: boolean; sqlType: SqlType }
export interface Between { kind: 'between'; expr: Expr; low: Expr; high: Expr; negated: boolean; sqlType: SqlType }
export interface IsNull { kind: 'isNull'; expr: Expr; negated: boolean; sqlType: SqlType }
export interface Exists { kind: 'exists'; query: Query; negated: boolean; sqlType: SqlType }
export interface Case { kind: 'case'; operand?: Expr; whens: { when: Expr; then: Expr }[]; else?: Expr; sqlType: SqlType }
export interface TypeName { name: string; length?: number; precision?: number; scale?: number }
/** `type` is the target type as written (`nvarchar(20)`), `sqlType` the type it denotes */
export interface Cast { kind: 'cast'; expr: Expr; type: TypeName; try: boolean; sqlType: SqlType }
export interface Window { partitionBy: Expr[]; orderBy: OrderItem[]; frame?: string }
/** `withinGroup`: the order of an ordered aggregate (`STRING_AGG(x, ', ') WITHIN GROUP (ORDER BY y)`) */
export interface Call { kind: 'function'; name: string; args: Expr[]; distinct: boolean; star: boolean; over?: Window; withinGroup?: OrderItem[]; sqlType: SqlType }
export interface Subquery { kind: 'subquery'; query: Query; sqlType: SqlType }
export interface Keyword { kind: 'keyword'; word: string; sqlType: SqlType }
/** `*` or `a.*` in a select list; `expansion` the columns it stands for, in output order */
export interface Star { kind: 'star'; qualifier?: string; sqlType: SqlType; expansion?: ColumnRef[] }

export type Expr =
  | ColumnRef | Literal | Param | Binary | Unary | Like | InList | InQuery | Between | IsNull | Exists | Case | Cast
  | Call | Subquery | Keyword | Star;

export interface SelectItem { expr: Expr; alias?: string }
export interface OrderItem { expr: Expr; descending: boolean; nulls?: 'first' | 'last' }

/** one read of a table: remote (an entity set) or local (a system table) */
export interface ScanRef { kind: 'scan'; scanId: number; alias: string }
export interface DerivedRef { kind: 'derived'; query: Query; alias: string }
/** a reference to a CTE by name, under an alias */
export interface CteRef { kind: 'cteRef'; name: string; alias: string }
export type JoinType = 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';
/** `lateral`: the right side, a derived table, reads the left side's columns (CROSS / OUTER APPLY, JOIN LATERAL) */
export interface JoinRef { kind: 'join'; type: JoinType; left: FromRef; right: FromRef; on?: Expr; lateral?: boolean }
export type FromRef = ScanRef | DerivedRef | CteRef | JoinRef;

/**
 * `recursive`: the CTE's query is `anchor UNION ALL part-that-reads-the-CTE`; `maxRecursion` how many
 * levels the recursive part may go (T-SQL's 100 unless OPTION (MAXRECURSION n) says otherwise; 0: no limit)
 */
export interface Cte { name: string; columns?: string[]; query: Query; recursive?: { maxRecursion: number } }

export interface Select {
  kind: 'select';
  with: Cte[];
  distinct: boolean;
  columns: SelectItem[];
  from?: FromRef;
  where?: Expr;
  groupBy: Expr[];
  having?: Expr;
  orderBy: OrderItem[];
  limit?: Expr;
  offset?: Expr;
  /** the type of each output column, in order (a `*` counts as the columns it stands for) */
  outputTypes: SqlType[];
}

export interface SetOperation {
  kind: 'setop';
  with: Cte[];
  op: 'UNION' | 'UNION ALL' | 'EXCEPT' | 'INTERSECT';
  left: Query;
  right: Query;
  orderBy: OrderItem[];
  limit?: Expr;
  offset?: Expr;
  /** the type of each output column: what both sides combine into (UNION rules) */
  outputTypes: SqlType[];
}

export type Query = Select | SetOperation;

/** A table read by the statement. System tables are `source:'local'` (rows come from the catalog). */
export interface Scan {
  id: number;
  table: Table;
  alias: string;
  source: 'remote' | 'local';
  /** SQL names of the columns the statement reads, in table order */
  columns: Column[];
}

/** What binding produced: the query and its scans. */
export interface BoundQuery {
  query: Query;
  scans: Scan[];
  /** the result's column names, in order */
  outputNames: string[];
  /** the result's column types, in order */
  outputTypes: SqlType[];
}

