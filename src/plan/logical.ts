/**
 * The logical query: the SQL statement after binding, with every table reference resolved to a
 * numbered scan of a catalog table and every column reference resolved to its scan and catalog
 * column (or to a derived table / CTE / select-list alias). Push-down reads it to carve out the remote
 * requests; the local engine renders it as SQL over the rows those requests returned.
 *
 * Example: `SELECT a.name FROM account a` →
 * `{kind:'select', from:{kind:'scan', scanId:1, alias:'a'}, columns:[{expr:{kind:'column', scanId:1, name:'name', column:…}}]}`.
 */
import type { Column, Table } from '../catalog/types.js';

export type LiteralType = 'string' | 'number' | 'boolean' | 'null' | 'date' | 'timestamp';

/**
 * A resolved column. `scanId` set: a catalog column of that scan. Otherwise a column of a derived
 * table or CTE (`qualifier` names it) or a select-list alias (ORDER BY `total`).
 */
export interface ColumnRef { kind: 'column'; name: string; qualifier?: string; scanId?: number; column?: Column }
export interface Literal { kind: 'literal'; type: LiteralType; value: string | boolean | null }
export interface Param { kind: 'param'; ref: string | number }
export type BinaryOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | 'AND' | 'OR' | '+' | '-' | '*' | '/' | '%' | '||';
export interface Binary { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
export interface Unary { kind: 'unary'; op: 'NOT' | '-' | '+'; operand: Expr }
export interface Like { kind: 'like'; expr: Expr; pattern: Expr; negated: boolean; escape?: Expr }
export interface InList { kind: 'inList'; expr: Expr; list: Expr[]; negated: boolean }
export interface InQuery { kind: 'inQuery'; expr: Expr; query: Query; negated: boolean }
export interface Between { kind: 'between'; expr: Expr; low: Expr; high: Expr; negated: boolean }
export interface IsNull { kind: 'isNull'; expr: Expr; negated: boolean }
export interface Exists { kind: 'exists'; query: Query; negated: boolean }
export interface Case { kind: 'case'; operand?: Expr; whens: { when: Expr; then: Expr }[]; else?: Expr }
export interface TypeName { name: string; length?: number; precision?: number; scale?: number }
export interface Cast { kind: 'cast'; expr: Expr; type: TypeName; try: boolean }
export interface Window { partitionBy: Expr[]; orderBy: OrderItem[]; frame?: string }
export interface Call { kind: 'function'; name: string; args: Expr[]; distinct: boolean; star: boolean; over?: Window }
export interface Subquery { kind: 'subquery'; query: Query }
export interface Keyword { kind: 'keyword'; word: string }
export interface Star { kind: 'star'; qualifier?: string }

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
export interface JoinRef { kind: 'join'; type: JoinType; left: FromRef; right: FromRef; on?: Expr }
export type FromRef = ScanRef | DerivedRef | CteRef | JoinRef;

export interface Cte { name: string; columns?: string[]; query: Query }

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
}
